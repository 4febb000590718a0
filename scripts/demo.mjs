// `npm run demo`: Baryon's main job on its embedded defaults, with no setup:
// a throwaway git repository of the example templates is published (1.0 of
// each, into the embedded registry), then a realistic change is reviewed with
// `baryon check`, and the compatible half of it is merged and published (1.1).
// Then the example inventory (two environments, a service with an instance in
// each) is applied with the `command` provisioner, and `baryon status` shows it.
// Last, a change to the service is published as 1.2 and rolled out: test at
// once, prod after `baryon rollout approve prod` (the terminal's `/rollout prod`).
// With --keep the repository stays, to browse with `baryon ui --dir <it>`.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const repo = mkdtempSync(join(tmpdir(), "baryon-demo-"));
const keep = process.argv.includes("--keep");
const format = process.argv.includes("--markdown") ? "markdown" : process.argv.includes("--json") ? "json" : "text";
const git = (...args) => execFileSync("git", args, {
  cwd: repo,
  stdio: "ignore",
  env: { ...process.env, GIT_AUTHOR_NAME: "Baryon demo", GIT_AUTHOR_EMAIL: "demo@example.com", GIT_COMMITTER_NAME: "Baryon demo", GIT_COMMITTER_EMAIL: "demo@example.com" },
});
const baryon = (...args) => spawnSync(process.execPath, [join(root, "bin/baryon.js"), ...args], { stdio: "inherit", env: { ...process.env, DATABASE_URL: "" } }).status;
const step = (text) => console.log(`\n\u001b[1m== ${text}\u001b[0m\n`);

try {
  cpSync(join(root, "examples/templates"), repo, { recursive: true });
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", "Example templates");

  step("1. Publish the templates on main (embedded registry under .baryon/)");
  baryon("publish", repo);

  step("2. Review a change: a new optional input (service) and a removed input (environment)");
  git("checkout", "-q", "-b", "log-retention");
  cpSync(join(root, "examples/review-change"), repo, { recursive: true, filter: (src) => !src.endsWith("README.md") || src.includes("/v") });
  const status = baryon("check", repo, "--base", "main", "--format", format);
  console.log(`\nbaryon check exited ${status}${status === 1 ? ": the breaking change in fargate-env v1 is an error, as it should be" : ""}.`);

  step("3. Merge only the compatible change, and publish");
  git("checkout", "-q", "--", "fargate-env");
  git("add", "-A");
  git("commit", "-q", "-m", "Log retention for the Fargate service");
  git("checkout", "-q", "main");
  git("merge", "-q", "--no-ff", "-m", "Merge log-retention", "log-retention");
  baryon("publish", repo);
  console.log();
  baryon("versions", "load-balanced-fargate-svc", "--dir", repo);

  step("4. Apply the inventory: environments test and prod, then a service instance in each, then its pipeline");
  cpSync(join(root, "examples/inventory"), join(repo, "inventory"), { recursive: true });
  mkdirSync(join(repo, ".github"));
  // The repository's own config, with the templates at this repository's root: the inventory is then inventory/.
  writeFileSync(join(repo, ".github/baryon.yml"), readFileSync(join(root, ".github/baryon.yml"), "utf8").replace(/^templates: .*\n/m, ""));
  git("add", "-A");
  git("commit", "-q", "-m", "Inventory: test and prod, and the frontend service");
  const applied = baryon("apply", repo);
  console.log(`\nbaryon apply exited ${applied}.`);

  step("5. What runs where");
  baryon("status", "--dir", repo);

  step("6. Merge a change to the service and publish: its rollout deploys test, then waits at the prod gate");
  const instance = join(repo, "load-balanced-fargate-svc/v1/instance_infrastructure/cloudformation.yaml");
  writeFileSync(instance, readFileSync(instance, "utf8").replace(/^Resources:\n/m, "Resources:\n  # Rolled out by Baryon's demo.\n"));
  git("commit", "-q", "-am", "Service: a comment, rolled out to every instance");
  baryon("publish", repo);

  step("7. Open the prod gate (the terminal's `/rollout prod`): prod follows");
  baryon("rollout", "approve", "prod", "--dir", repo);
  console.log();
  baryon("status", "--dir", repo);
  console.log(keep
    ? `\nKept ${repo}: \`npx baryon ui --dir ${repo}\` shows it in a browser (the fleet, the rollout, the catalog).`
    : "\n`npm run demo -- --keep` keeps the repository, to browse it with `baryon ui`.");
} finally {
  if (!keep) rmSync(repo, { recursive: true, force: true });
}
