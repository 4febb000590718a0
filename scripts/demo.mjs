// `npm run demo`: review a realistic change to the example templates, with no setup.
// Builds a throwaway git repository from examples/templates, commits it, applies
// examples/review-change on top (uncommitted, like a branch being worked on),
// and runs `baryon check` on it.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const repo = mkdtempSync(join(tmpdir(), "baryon-demo-"));
const git = (...args) => execFileSync("git", args, {
  cwd: repo,
  stdio: "ignore",
  env: { ...process.env, GIT_AUTHOR_NAME: "Baryon demo", GIT_AUTHOR_EMAIL: "demo@example.com", GIT_COMMITTER_NAME: "Baryon demo", GIT_COMMITTER_EMAIL: "demo@example.com" },
});
try {
  cpSync(join(root, "examples/templates"), repo, { recursive: true });
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", "Example templates");
  git("checkout", "-q", "-b", "log-retention");
  cpSync(join(root, "examples/review-change"), repo, { recursive: true, filter: (src) => !src.endsWith("README.md") || src.includes("/v") });
  console.log(`Reviewing examples/review-change applied to examples/templates (in ${repo}):\n`);
  const format = process.argv.includes("--markdown") ? "markdown" : process.argv.includes("--json") ? "json" : "text";
  const result = spawnSync(process.execPath, [join(root, "bin/baryon.js"), "check", repo, "--base", "main", "--format", format], { stdio: "inherit" });
  console.log(`\nbaryon check exited ${result.status}: ${result.status === 1 ? "the breaking change in fargate-env v1 is an error, as it should be." : "no errors."}`);
} finally {
  rmSync(repo, { recursive: true, force: true });
}
