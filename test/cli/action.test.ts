// The GitHub Action run as the runner runs it: bin/baryon-action.js with GitHub's
// environment (the workspace, the pull_request event's file, the job summary's
// file, inputs as INPUT_*), on a real checkout of a template repository.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { annotation } from "../../src/main/action.js";
import { ROOT, run } from "../support/cli.js";
import { gitRepo } from "../support/git-repo.js";

/** A workflow's checkout: the example templates on main, and a pull request's commit on top. */
function checkout(change: (dir: string) => void) {
  const repo = gitRepo(join(ROOT, "examples/templates"));
  repo.commit("Example templates");
  const base = repo.git("rev-parse", "HEAD").trim();
  repo.git("checkout", "-q", "-b", "pull-request");
  change(repo.dir);
  repo.commit("The pull request's change");
  return { repo, base };
}

/** The runner's environment for a pull_request event, and the files it reads back. */
function runner(workspace: string, base: string, inputs: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "baryon-runner-"));
  const event = join(dir, "event.json");
  const summary = join(dir, "summary.md");
  writeFileSync(event, JSON.stringify({ action: "opened", number: 7, pull_request: { number: 7, base: { ref: "main", sha: base } } }));
  writeFileSync(summary, "");
  const env = {
    GITHUB_ACTIONS: "true", GITHUB_WORKSPACE: workspace, GITHUB_EVENT_NAME: "pull_request", GITHUB_EVENT_PATH: event, GITHUB_STEP_SUMMARY: summary,
    INPUT_PATH: ".", INPUT_BASE: "", INPUT_TEMPLATES: "", ...inputs,
  };
  return { env, summary: () => readFileSync(summary, "utf8"), done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `::error file=…,line=…,title=…::message` lines, their properties read back. */
function annotations(stdout: string): Record<string, string>[] {
  return [...stdout.matchAll(/^::(error|warning|notice) (.*?)::(.*)$/gm)].map(([, level, props, message]) => ({
    level: level!, message: message!, ...Object.fromEntries(props!.split(",").map((p) => p.split("=").map(decodeURIComponent) as [string, string])),
  }));
}

describe("the GitHub Action (bin/baryon-action.js)", () => {
  it("fails a breaking change inside v1: the job summary names the template and the fix, an error annotation sits at the schema's line", async () => {
    const { repo, base } = checkout((dir) => cpSync(join(ROOT, "examples/review-change/fargate-env"), join(dir, "fargate-env"), { recursive: true }));
    const gh = runner(repo.dir, base);
    const r = await run("bin/baryon-action.js", [], { env: gh.env });
    expect(r.code).toBe(1);
    const summary = gh.summary();
    expect(summary).toContain("fargate-env");
    expect(summary).toContain("put this change in a new folder v2/"); // the fix
    const errors = annotations(r.stdout).filter((a) => a.level === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ file: "fargate-env/v1/schema/schema.yaml", title: "Baryon: breaking-change-in-major" });
    // The line is in the schema as the pull request has it: the input type's properties, where the input was removed.
    const schema = readFileSync(join(repo.dir, "fargate-env/v1/schema/schema.yaml"), "utf8").split("\n");
    expect(schema[Number(errors[0]!.line) - 1]).toBe("      properties:");
    expect(errors[0]!.message).toContain("container_insights");
    gh.done();
  });

  it("passes a compatible change, with the version it will publish in the summary", async () => {
    const { repo, base } = checkout((dir) => cpSync(join(ROOT, "examples/review-change/load-balanced-fargate-svc"), join(dir, "load-balanced-fargate-svc"), { recursive: true }));
    const gh = runner(repo.dir, base);
    const r = await run("bin/baryon-action.js", [], { env: gh.env });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(annotations(r.stdout).filter((a) => a.level === "error")).toEqual([]);
    expect(gh.summary()).toMatch(/load-balanced-fargate-svc[^\n]*1\.1/);
    gh.done();
  });

  it("reviews a repository in a folder of the workspace, naming files from the workspace", async () => {
    const { repo, base } = checkout((dir) => cpSync(join(ROOT, "examples/review-change/fargate-env"), join(dir, "fargate-env"), { recursive: true }));
    const workspace = mkdtempSync(join(tmpdir(), "baryon-workspace-"));
    cpSync(repo.dir, join(workspace, "infra"), { recursive: true });
    const gh = runner(workspace, base, { INPUT_PATH: "infra" });
    const r = await run("bin/baryon-action.js", [], { env: gh.env });
    expect(r.code).toBe(1);
    expect(annotations(r.stdout).map((a) => a.file)).toContain("infra/fargate-env/v1/schema/schema.yaml");
    gh.done();
  });

  it("escapes messages and properties as the runner reads them", () => {
    const line = annotation({ file: "a,b/x:y.yaml", line: 3, column: 2, severity: "warning", code: "c", message: "50% off\nnext line" }, "");
    expect(line).toBe("::warning file=a%2Cb/x%3Ay.yaml,line=3,col=2,title=Baryon%3A c::50%25 off%0Anext line\n");
  });
});
