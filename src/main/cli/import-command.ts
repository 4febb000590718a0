// `baryon import [repo-dir]`: the CloudFormation stacks AWS Proton left in one
// account and region, and the spec files exported from Proton earlier, become
// inventory files that adopt those stacks (docs/migrating-from-proton.md).
// 1. read .github/baryon.yml: the cloudformation provisioner that will adopt the
//    stacks (its region is where they are read), the rollout stages, the inventory folder;
// 2. read the templates and the inventory of the working tree, and the exported specs;
// 3. list the stacks (the AWS SDK adapter, loaded only now);
// 4. map them (inventory/import-proton.ts) and write the new files, never over a file;
// 5. say what was written, what was left alone, and what needs a person.
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { parseRepository } from "../../bundle/parse/repository.js";
import type { RepoConfig } from "../../config/repo-config.js";
import { importTemplateOf } from "../../inventory/import-inputs.js";
import { importFromProton, type ImportResult } from "../../inventory/import-proton.js";
import { inventoryFiles } from "../../inventory/inventory-files.js";
import type { InventoryFile } from "../../inventory/check-inventory.js";
import { StackSourceError } from "../../ports/stack-source.js";
import { stageLabelProblem } from "../../rollout/policy.js";
import { localRepositorySource } from "../../adapters/local/repository-source.js";
import { topOf } from "./fleet-commands.js";
import { EXIT, plural, printDiagnostic, UsageError, type Out } from "./output.js";

export interface ImportOptions {
  region?: string | undefined;
  profile?: string | undefined;
  endpointUrl?: string | undefined;
  /** A folder of spec files exported from Proton. */
  specs?: string | undefined;
  provisioner?: string | undefined;
  /** The inventory folder, relative to the repository; default: the first of `inventory:`. */
  out?: string | undefined;
  /** `<environment>=<stage>` each. */
  stage: string[];
}

export async function runImport(dir: string, options: ImportOptions, out: Out, err: Out): Promise<number> {
  const top = await topOf(dir);
  const source = await localRepositorySource(top);
  const config = await source.config();
  config.diagnostics.forEach((d) => printDiagnostic(err, d));
  if (!config.ok) return EXIT.problems;
  const { name: provisioner, region: configured } = cloudFormationProvisioner(config.config, options.provisioner);
  const region = options.region ?? configured;
  if (region !== configured) {
    throw new UsageError(`--region ${region}: provisioner ${provisioner} deploys to ${configured}, so it could not adopt stacks of ${region}; import with its region, or name another with --provisioner`);
  }
  const stages = config.config.rollout?.stages.map((s) => s.name);
  const givenStages = stagesGiven(options.stage, stages);
  const folder = inventoryFolder(top, options.out, config.config);

  const snapshot = await source.head();
  const templates = parseRepository(snapshot, config.config.templates ? { templates: config.config.templates } : {}).templates
    .flatMap((t) => t.bundles.map(importTemplateOf));
  const existing = inventoryFiles(snapshot, [{ path: folder }]).files;
  const specs = options.specs ? await readSpecFiles(options.specs) : [];

  const { cloudFormationStackSource } = await import("../../adapters/proton/proton-stacks.js");
  const stackSource = cloudFormationStackSource({ region, ...(options.profile ? { profile: options.profile } : {}), ...(options.endpointUrl ? { endpoint: options.endpointUrl } : {}) });
  // No credentials, access denied, no such endpoint: said in one line, as a setting missing is.
  const stacks = await stackSource.listStacks().catch((error: unknown) => {
    throw error instanceof StackSourceError ? new UsageError(error.message) : error;
  });

  const result = importFromProton({ stacks, specs, templates, existing, folder, provisioner, stages, givenStages, where: region });
  const written: ImportResult["files"] = [];
  for (const file of result.files) {
    const path = join(top, file.path);
    await mkdir(dirname(path), { recursive: true });
    // `wx`: a file git ignores (so the inventory did not list it) is still never overwritten.
    const wrote = await writeFile(path, file.text, { flag: "wx" }).then(() => true, (e: NodeJS.ErrnoException) => {
      if (e.code === "EEXIST") return false;
      throw e;
    });
    if (wrote) written.push(file);
    else result.skipped.push({ path: file.path, reason: "exists already; it is never overwritten" });
  }
  report(result, written, stackSource.where, out);
  return result.counts.proton === 0 ? EXIT.problems : EXIT.ok;
}

/** The provisioner that will adopt the stacks: `--provisioner`, else the config's only cloudformation one. */
function cloudFormationProvisioner(config: RepoConfig, named: string | undefined): { name: string; region: string } {
  const all = Object.entries(config.provisioners);
  const cfn = all.filter(([, s]) => s.kind === "cloudformation");
  if (named !== undefined) {
    const settings = config.provisioners[named];
    if (!settings) throw new UsageError(`--provisioner ${named}: .github/baryon.yml has no such provisioner (${all.map(([n]) => n).join(", ") || "it has none"})`);
    if (settings.kind !== "cloudformation") throw new UsageError(`--provisioner ${named} is a ${settings.kind} provisioner: only a cloudformation provisioner adopts a stack`);
    return { name: named, region: regionOf(named, settings.region) };
  }
  if (cfn.length === 1) return { name: cfn[0]![0], region: regionOf(cfn[0]![0], cfn[0]![1].region) };
  if (cfn.length > 1) throw new UsageError(`.github/baryon.yml has several cloudformation provisioners (${cfn.map(([n]) => n).join(", ")}): name the one that adopts these stacks with --provisioner`);
  throw new UsageError([
    "no cloudformation provisioner in .github/baryon.yml adopts the stacks: add one, in the stacks' account and region, such as",
    "  provisioners:",
    "    aws:",
    "      kind: cloudformation",
    "      region: us-east-1",
    "      capabilities: [CAPABILITY_IAM, CAPABILITY_NAMED_IAM]",
    "(docs/provisioners.md), then run baryon import again",
  ].join("\n"));
}

function regionOf(provisioner: string, region: unknown): string {
  if (typeof region !== "string" || !region) throw new UsageError(`provisioner ${provisioner} in .github/baryon.yml has no \`region:\`: the stacks are read and adopted there`);
  return region;
}

function stagesGiven(given: readonly string[], stages: readonly string[] | undefined): Map<string, string> {
  const map = new Map<string, string>();
  for (const item of given) {
    const match = /^([^=]+)=([^=]+)$/.exec(item);
    if (!match) throw new UsageError(`--stage ${item}: give it as <environment>=<stage>, e.g. --stage payments=prod`);
    const [, environment, stage] = match as unknown as [string, string, string];
    if (stages && !stages.includes(stage)) throw new UsageError(`--stage ${item}: "${stage}" is not a rollout stage of .github/baryon.yml (${stages.join(", ")})`);
    const problem = stages ? undefined : stageLabelProblem(stage);
    if (problem) throw new UsageError(`--stage ${item}: ${problem}`);
    map.set(environment, stage);
  }
  return map;
}

function inventoryFolder(top: string, given: string | undefined, config: RepoConfig): string {
  if (given === undefined) {
    const local = config.inventory.find((l) => !l.repository);
    if (!local) throw new UsageError("`inventory:` in .github/baryon.yml names only other repositories: give the folder to write to with --out");
    return local.path;
  }
  const path = relative(top, isAbsolute(given) ? given : join(top, given)).replace(/\\/g, "/").replace(/\/+$/, "");
  if (!path || path.startsWith("..")) throw new UsageError(`--out ${given}: give a folder inside the repository (${top})`);
  return path;
}

/** The exported spec files: every YAML or JSON file of the folder and its subfolders, named as the user gave the folder. */
async function readSpecFiles(given: string): Promise<InventoryFile[]> {
  const dir = resolve(given);
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(`--specs ${given}: ${e.code === "ENOENT" ? "no such folder" : e.message}`);
  });
  const files = entries.filter((e) => e.isFile() && /\.(ya?ml|json)$/i.test(e.name)).map((e) => join(e.parentPath, e.name)).sort();
  return Promise.all(files.map(async (path) => ({ file: join(given, relative(dir, path)).replace(/\\/g, "/"), text: await readFile(path, "utf8") })));
}

function report(result: ImportResult, written: ImportResult["files"], where: string, out: Out): void {
  const { read, proton } = result.counts;
  out.write(`Read ${plural(read, "stack")} in ${where}: ${proton} made by AWS Proton, ${read - proton} other${read - proton === 1 ? "" : "s"} left alone.\n`);
  if (proton === 0) out.write("No stack here carries AWS Proton's aws:proton: tags: nothing to import. Is this the account and region Proton deployed to?\n");
  const section = (title: string, lines: string[]) => lines.length && out.write(`${title}\n${lines.map((l) => `  ${l}\n`).join("")}`);
  const width = Math.max(0, ...written.map((f) => f.path.length));
  section(`Wrote ${plural(written.length, "inventory file")}:`, written.map((f) => `${f.path.padEnd(width)}  ${f.summary}`));
  section("Not written:", result.skipped.map((s) => `${s.path}: ${s.reason}`));
  // Stacks without any Proton tag are only counted: an account holds many.
  section("Stacks of AWS Proton not imported:", result.ignored.filter((i) => i.reason !== "no aws:proton: tags").map((i) => `${i.stack}: ${i.reason}`));
  const todos = result.todos.filter((t) => written.some((f) => f.path === t.file));
  section("Needs a person:", [...todos.map((t) => `${t.file}:${t.line}: ${t.message}`), ...result.notes]);
  if (written.length) {
    out.write("Next: review these files, commit them on a branch and open a pull request; `baryon apply --dry-run` shows the plan. See docs/migrating-from-proton.md before the first `baryon apply`.\n");
  }
}
