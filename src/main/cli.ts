// The `baryon` command. Each subcommand only adapts arguments and calls the same
// code the GitHub App uses.
import { Command, InvalidArgumentError, Option } from "commander";
import { setFlagsFromString } from "node:v8";
import { GitError } from "../adapters/local/git.js";
import { EXIT, registryExitCode, stderr, stdout, UsageError } from "./cli/output.js";

// Each subcommand loads its modules when it runs, so `baryon --help` pays for commander alone.

/** `--templates <dir>`: the templates folder, overriding `templates:` in .github/baryon.yml. */
type TemplatesFlags = { templates?: string; root?: string };
const templatesOption = () => new Option("--templates <dir>", "templates folder, relative to the repository (default: `templates:` in .github/baryon.yml, else the whole repository)");
/** `--template <name>@<major>`: the path is one bundle folder of that template and major. */
const templateOption = () => new Option("--template <name@major>", "the path is one bundle folder of this template and major (default: read from a path <template>/v<MAJOR> or <template>/<MAJOR>)");
/** The old name of --templates, still accepted. */
const rootAlias = () => new Option("--root <dir>").hideHelp();
function templatesFlag(opts: TemplatesFlags): { templates?: string } {
  if (opts.templates && opts.root && opts.templates !== opts.root) throw new InvalidArgumentError("--root is another name for --templates: give one of them");
  const templates = opts.templates ?? opts.root;
  return templates ? { templates } : {};
}

const program = new Command()
  .name("baryon")
  .description("Versioned infrastructure templates for AWS Proton bundles: validate, render, review, publish.")
  .showHelpAfterError()
  .exitOverride((e) => {
    process.exit(e.exitCode === 1 ? 2 : e.exitCode);
  });

program
  .command("validate")
  .description("check every template in a repository and render its example specs, or check one bundle folder")
  .argument("[repo-dir]", "template repository, or one bundle folder (schema/ and infrastructure/ at its top)", ".")
  .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
  .addOption(templatesOption())
  .addOption(rootAlias())
  .addOption(templateOption())
  .action(async (dir: string, opts: { format: "text" | "json"; template?: string } & TemplatesFlags) => {
    const { runValidate } = await import("./cli/validate-command.js");
    process.exitCode = await runValidate(dir, { format: opts.format, ...templatesFlag(opts), ...(opts.template ? { template: opts.template } : {}) }, stdout());
  });

program
  .command("check")
  .description("review the working tree against a base ref: versions, reasons, problems and rendered diffs")
  .argument("[repo-dir]", "a git checkout of a template repository", ".")
  .option("--base <git-ref>", "compare against this ref (default: the merge base with the default branch)")
  .addOption(new Option("--format <format>", "output format").choices(["text", "markdown", "json"]).default("text"))
  .addOption(templatesOption())
  .addOption(rootAlias())
  .option("--specs <dir>", "more specs to render and check (each names its `template:` or sits in a folder named after it)")
  .action(async (dir: string, { root, ...opts }: { base?: string; specs?: string; format: "text" | "markdown" | "json" } & TemplatesFlags) => {
    const { runCheck } = await import("./cli/check-command.js");
    process.exitCode = await runCheck(dir, { ...opts, ...templatesFlag({ ...opts, ...(root ? { root } : {}) }) }, stdout(), stderr());
  });

program
  .command("publish")
  .description("publish the templates of the checked-out commit into the registry (embedded under .baryon/ by default)")
  .argument("[repo-dir]", "a git checkout of a template repository", ".")
  .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
  .addOption(templatesOption())
  .addOption(rootAlias())
  .action(async (dir: string, opts: { format: "text" | "json" } & TemplatesFlags) => {
    const { runPublish } = await import("./cli/publish-command.js");
    process.exitCode = await runPublish(dir, { format: opts.format, ...templatesFlag(opts) }, stdout(), stderr());
  });

program
  .command("versions")
  .description("list a template's versions with their status; the recommended one is marked")
  .argument("<template>", "template name")
  .option("--dir <repo-dir>", "repository whose embedded registry to read", ".")
  .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
  .action(async (template: string, opts: { format: "text" | "json"; dir: string }) => {
    const { runVersions } = await import("./cli/publish-command.js");
    process.exitCode = await runVersions(template, opts, stdout());
  });

program
  .command("apply")
  .description("reconcile the inventory with the registry and deploy what changed, with the configured provisioners")
  .argument("[repo-dir]", "repository holding the inventory (and .github/baryon.yml)", ".")
  .option("--confirm-delete <resource...>", "delete these resources, which the inventory no longer lists")
  .option("--dry-run", "print the plan, deploy nothing")
  .action(async (dir: string, opts: { confirmDelete?: string[]; dryRun?: boolean }) => {
    const { runApply } = await import("./cli/fleet-commands.js");
    process.exitCode = await runApply(dir, { confirmDelete: opts.confirmDelete ?? [], dryRun: opts.dryRun ?? false }, stdout(), stderr());
  });

program
  .command("deploy")
  .description("deploy one resource now: at --version, else its pinned minor, else the recommended version of its major")
  .argument("<resource>", "resource key (checkout/checkout-prod) or a unique name")
  .option("--version <major.minor>", "the version to deploy (of the major the resource follows)")
  .option("--dir <repo-dir>", "repository whose registry and config to use", ".")
  .action(async (resource: string, opts: { version?: string; dir: string }) => {
    const { runDeploy } = await import("./cli/fleet-commands.js");
    process.exitCode = await runDeploy(resource, opts, stdout(), stderr());
  });

program
  .command("status")
  .description("what is deployed where: version, stage, provisioner and last deployment of each resource")
  .argument("[resource]", "only this resource (key or name)")
  .option("--dir <repo-dir>", "repository whose registry to read", ".")
  .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
  .action(async (resource: string | undefined, opts: { dir: string; format: "text" | "json" }) => {
    const { runStatus } = await import("./cli/fleet-commands.js");
    process.exitCode = await runStatus(resource, opts, stdout());
  });

program
  .command("drift")
  .description("check whether what runs still is what Baryon deployed: each resource (or one) against its last successful deployment; exit 1 when one drifted")
  .argument("[resource]", "only this resource (key or name)")
  .option("--dir <repo-dir>", "repository whose registry and config to use", ".")
  .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
  .action(async (resource: string | undefined, opts: { dir: string; format: "text" | "json" }) => {
    const { runDrift } = await import("./cli/fleet-commands.js");
    process.exitCode = await runDrift(resource, opts, stdout());
  });

program
  .command("logs")
  .description("print a deployment's log")
  .argument("<deployment>", "deployment number, as `baryon status` shows it")
  .option("--dir <repo-dir>", "repository whose registry to read", ".")
  .action(async (id: string, opts: { dir: string }) => {
    const { runLogs } = await import("./cli/fleet-commands.js");
    process.exitCode = await runLogs(id, opts, stdout());
  });

const rollout = program.command("rollout").description("staged rollouts of published minors: where they stand, and the pull request's commands from a terminal");
const templateArg = ["[template]", "the template whose rollout (needed when several are under way)"] as const;
rollout
  .command("status")
  .description("each template's latest rollout: stages, progress, soak, gates, next step")
  .argument(...templateArg)
  .option("--dir <repo-dir>", "repository whose registry to read", ".")
  .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
  .action(async (template: string | undefined, opts: { dir: string; format: "text" | "json" }) => {
    const { runRolloutStatus } = await import("./cli/rollout-commands.js");
    process.exitCode = await runRolloutStatus(template, opts, stdout());
  });
rollout
  .command("approve")
  .description("open a gated stage (the terminal's `/rollout <stage>`), then run the rollout on")
  .argument("<stage>", "the stage to open")
  .argument(...templateArg)
  .option("--dir <repo-dir>", "repository whose registry to use", ".")
  .action(async (stage: string, template: string | undefined, opts: { dir: string }) => {
    const { runRolloutVerb } = await import("./cli/rollout-commands.js");
    process.exitCode = await runRolloutVerb({ action: "approve", stage }, { dir: opts.dir, ...(template ? { template } : {}) }, stdout());
  });
for (const [verb, says] of [["pause", "start nothing new"], ["resume", "go on after a pause or halt, retrying what failed"], ["abort", "end the rollout where it stands"]] as const) {
  rollout
    .command(verb)
    .description(says)
    .argument(...templateArg)
    .option("--dir <repo-dir>", "repository whose registry to use", ".")
    .action(async (template: string | undefined, opts: { dir: string }) => {
      const { runRolloutVerb } = await import("./cli/rollout-commands.js");
      process.exitCode = await runRolloutVerb({ action: verb }, { dir: opts.dir, ...(template ? { template } : {}) }, stdout());
    });
}
rollout
  .command("rollback")
  .description("take a resource back to the version it ran before the rollout, and hold it")
  .argument("<resource>", "resource key")
  .argument(...templateArg)
  .option("--dir <repo-dir>", "repository whose registry to use", ".")
  .action(async (resource: string, template: string | undefined, opts: { dir: string }) => {
    const { runRolloutVerb } = await import("./cli/rollout-commands.js");
    process.exitCode = await runRolloutVerb({ action: "rollback", resource }, { dir: opts.dir, ...(template ? { template } : {}) }, stdout());
  });

program
  .command("import")
  .description("write inventory files that adopt the CloudFormation stacks AWS Proton created (docs/migrating-from-proton.md)")
  .argument("[repo-dir]", "repository holding .github/baryon.yml, the templates and the inventory", ".")
  .option("--region <region>", "the stacks' region (default: the cloudformation provisioner's)")
  .option("--profile <name>", "AWS profile to read the stacks with (default: the SDK's credential chain)")
  .option("--endpoint-url <url>", "CloudFormation endpoint to read from instead of AWS's")
  .option("--specs <dir>", "spec files exported from Proton (`aws proton get-service --name <s> --query service.spec --output text`)")
  .option("--provisioner <name>", "the cloudformation provisioner that adopts the stacks (default: the config's only one)")
  .option("--out <dir>", "inventory folder to write to, in the repository (default: the first of `inventory:`)")
  .option("--stage <environment=stage>", "the stage of an environment whose name does not say it (repeatable)", (value: string, all: string[] | undefined) => [...(all ?? []), value])
  .action(async (dir: string, { stage, ...opts }: { region?: string; profile?: string; endpointUrl?: string; specs?: string; provisioner?: string; out?: string; stage?: string[] }) => {
    const { runImport } = await import("./cli/import-command.js");
    process.exitCode = await runImport(dir, { ...opts, stage: stage ?? [] }, stdout(), stderr());
  });

program
  .command("token")
  .description("tokens for the Proton API that `baryon serve` answers at /api/proton (pipelines written for Proton sign with them)")
  .command("create")
  .description("print a token for one owner's services as AWS credentials (derived from BARYON_API_SECRET, else WEBHOOK_SECRET: run it with the server's environment)")
  .requiredOption("--owner <login>", "the GitHub organization or user whose service instances the token may read and deploy")
  .option("--name <name>", "what deployments asked with it are attributed to (token:<name>)", "pipeline")
  .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
  .action(async (opts: { owner: string; name: string; format: "text" | "json" }) => {
    const { runTokenCreate } = await import("./cli/token-command.js");
    process.exitCode = runTokenCreate(opts, stdout());
  });

program
  .command("serve")
  .description("run the GitHub App (reads APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET, REDIS_URL, PORT)")
  .option("--port <port>", "port to listen on (default: $PORT or 3000)")
  .option("--no-workers", "leave the jobs to `baryon worker` processes on the same Redis")
  .action(async (opts: { port?: string; workers: boolean }) => {
    const { runServe } = await import("./cli/serve-command.js");
    process.exitCode = await runServe(opts, stderr());
  });

program
  .command("worker")
  .description("run jobs only (reviews, publishes, deployments, rollouts) from the Redis queue the app fills; needs REDIS_URL and DATABASE_URL")
  .option("--port <port>", "port of /health and /metrics (default: $PORT or 3001)")
  .action(async (opts: { port?: string }) => {
    const { runWorker } = await import("./cli/serve-command.js");
    process.exitCode = await runWorker(opts, stderr());
  });

program
  .command("setup")
  .description("register Baryon as a GitHub App with Probot's setup flow (writes .env)")
  .action(async () => {
    const { runSetup } = await import("./cli/serve-command.js");
    await runSetup(stderr());
  });

program
  .command("ui")
  .description("serve the web console on 127.0.0.1 — templates, the versions each resource runs, deployments — and print a one-time sign-in link")
  .option("--dir <repo-dir>", "repository whose registry to show", ".")
  .option("--port <port>", "port to listen on (default: any free port)")
  .action(async (opts: { dir: string; port?: string }) => {
    const { runUi } = await import("./cli/ui-command.js");
    process.exitCode = await runUi(opts, stdout());
  });

program
  .command("render")
  .description("render one Jinja file with --context, or a version folder with --spec")
  .argument("<path>", "a template file, or a bundle folder (<template>/v<MAJOR>, or any folder with --template)")
  .addOption(templateOption())
  .option("--context <file>", "JSON or YAML render context (for a single template file)")
  .option("--spec <file>", "EnvironmentSpec or ServiceSpec (for a bundle folder)")
  .option("--instance <name>", "render only this service instance")
  .option("--name <name>", "environment or service name (default: the template's name)")
  .option("--env-outputs <file>", "environment outputs: {Output: value} or {<environment>: {Output: value}}")
  .option("--instance-outputs <file>", "service instance outputs for the pipeline: {Output: value} or {<instance>: {Output: value}}")
  .option("--out <dir>", "write the rendered files here instead of printing them")
  .action(async (path: string, opts) => {
    const { runRender } = await import("./cli/render-command.js");
    process.exitCode = await runRender(path, opts, stdout(), stderr());
  });

// A terminal command runs a few queries on the embedded registry: with V8's baseline
// WebAssembly compiler alone PGlite starts sooner and in about 70 MB less. The
// optimizing tier pays off only in a long-running `serve` or `worker`.
program.hook("preAction", (_program, command) => {
  if (command.name() !== "serve" && command.name() !== "worker") setFlagsFromString("--liftoff-only");
});

try {
  await program.parseAsync();
} catch (e) {
  const registryCode = registryExitCode(e);
  if (registryCode !== undefined) {
    process.stderr.write(`baryon: ${(e as Error).message}\n`);
    // A PGlite that gave up on damaged files may still hold the event loop: end now.
    process.exit(registryCode);
  } else if (e instanceof UsageError || e instanceof InvalidArgumentError || e instanceof GitError) {
    process.stderr.write(`baryon: ${e.message}\n`);
    process.exitCode = EXIT.usage;
  } else {
    throw e;
  }
}
