import { cpSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { baryon, ROOT } from "../support/cli.js";
import { gitRepo } from "../support/git-repo.js";

function exampleRepo() {
  const repo = gitRepo(join(ROOT, "examples/templates"));
  repo.commit("Example templates");
  repo.git("checkout", "-q", "-b", "change");
  return repo;
}

describe("baryon check on a real git repository", () => {
  it("reviews the example change: a minor for the service, an error for the breaking env change", async () => {
    const repo = exampleRepo();
    cpSync(join(ROOT, "examples/review-change/fargate-env"), join(repo.dir, "fargate-env"), { recursive: true });
    cpSync(join(ROOT, "examples/review-change/load-balanced-fargate-svc"), join(repo.dir, "load-balanced-fargate-svc"), { recursive: true });
    const r = await baryon(["check", repo.dir, "--format", "json"]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    const byName = Object.fromEntries(report.templates.map((t: { name: string }) => [t.name, t]));
    expect(byName["load-balanced-fargate-svc"]).toMatchObject({
      kind: "service", change: "minor", version: "1.1", specsAffected: 2, specsTotal: 3, diagnostics: [],
    });
    expect(byName["load-balanced-fargate-svc"].reasons).toContainEqual({ path: "service_instance.inputs.log_retention_days", change: "optional input added (default 14)", breaking: false });
    expect(byName["fargate-env"]).toMatchObject({ kind: "environment", change: "major", version: null });
    expect(byName["fargate-env"].diagnostics[0]).toMatchObject({ code: "breaking-change-in-major", file: "fargate-env/v1/schema/schema.yaml" });
  });

  it("compares committed work against --base and ignores files outside bundles", async () => {
    const repo = exampleRepo();
    const base = repo.git("rev-parse", "HEAD").trim();
    repo.write({ "fargate-env/README.md": "# Shared VPC\nMore words.\n" });
    repo.commit("Docs only");
    const r = await baryon(["check", repo.dir, "--base", base, "--format", "json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ templates: [], unbundledFiles: ["fargate-env/README.md"] });
  });

  it("finds the merge base with main by default and prints a text review", async () => {
    const repo = exampleRepo();
    repo.write({ "vpc-tf-env/v1/infrastructure/outputs.tf": 'output "vpc_id" {\n  value = aws_vpc.main.id\n}\n\noutput "vpc_cidr" {\n  value = aws_vpc.main.cidr_block\n}\n' });
    const r = await baryon(["check", repo.dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Reviewing working tree against main@[0-9a-f]{7}/);
    expect(r.stdout).toContain("vpc-tf-env v1 (environment): minor, would publish 1.1; 1 of 1 specs change");
    expect(r.stdout).toContain('+output "vpc_cidr" {');
  });

  it("explains when it cannot find a base", async () => {
    const repo = gitRepo();
    repo.write({ "a.txt": "a\n" });
    repo.commit("one");
    repo.git("branch", "-m", "trunk");
    const r = await baryon(["check", repo.dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot find the default branch .*pass --base <git-ref>/);
  });
});
