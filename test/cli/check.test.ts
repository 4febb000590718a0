import { cpSync, existsSync, mkdirSync, renameSync } from "node:fs";
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
    expect(r.stdout).toMatch(/^vpc-tf-env v1 \(environment\): minor, would publish 1\.1; 1 of 1 /m);
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

describe("baryon check with .github/baryon.yml and a registry", () => {
  const OUTPUTS = 'output "vpc_id" {\n  value = aws_vpc.main.id\n}\n\noutput "vpc_cidr" {\n  value = aws_vpc.main.cidr_block\n}\n';

  it("reviews only the `templates:` folder the config names, and --templates (or --root) overrides it", async () => {
    const repo = gitRepo();
    mkdirSync(join(repo.dir, "platform"));
    cpSync(join(ROOT, "examples/templates"), join(repo.dir, "platform"), { recursive: true });
    repo.write({ ".github/baryon.yml": "templates: platform\npublish: draft\n", "legacy/old-env/v1/schema/schema.yaml": "schema: [\n" });
    repo.commit("Templates under platform/");
    repo.git("checkout", "-q", "-b", "change");
    repo.write({ "platform/vpc-tf-env/v1/infrastructure/outputs.tf": OUTPUTS, "legacy/old-env/v1/schema/schema.yaml": "schema: [[\n" });
    const r = await baryon(["check", repo.dir, "--format", "json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ publish: "draft", registry: false });
    expect(report.templates.map((t: { dir: string; version: string }) => [t.dir, t.version])).toEqual([["platform/vpc-tf-env/v1", "1.1"]]);
    // The folder from the flag wins over the config: the broken legacy template is reviewed now.
    for (const flag of ["--templates", "--root"]) {
      const other = await baryon(["check", repo.dir, flag, "legacy", "--format", "json"]);
      expect(other.code).toBe(1);
      expect(JSON.parse(other.stdout).templates.map((t: { dir: string }) => t.dir)).toEqual([]);
      expect(JSON.parse(other.stdout).diagnostics[0]).toMatchObject({ file: expect.stringMatching(/^legacy\/old-env\/v1/), severity: "error" });
    }
  });

  it("stops at an invalid .github/baryon.yml, naming the line", async () => {
    const repo = exampleRepo();
    repo.write({ ".github/baryon.yml": "templates: .\npublish: later\n" });
    const r = await baryon(["check", repo.dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(".github/baryon.yml:2:10: error: .github/baryon.yml: publish must be one of published, draft [config-invalid]\n");
  });

  it("numbers from the checkout's embedded registry when it has one, and never creates one", async () => {
    const repo = exampleRepo();
    repo.write({ "vpc-tf-env/v1/infrastructure/outputs.tf": OUTPUTS });
    const assumed = await baryon(["check", repo.dir, "--format", "json"]);
    expect(JSON.parse(assumed.stdout)).toMatchObject({ registry: false, templates: [{ name: "vpc-tf-env", version: "1.1" }] });
    expect(existsSync(join(repo.dir, ".baryon"))).toBe(false);

    // main publishes 1.0, then 1.1 of vpc-tf-env; the branch's change would be 1.2.
    repo.git("stash", "-q");
    repo.git("checkout", "-q", "main");
    expect((await baryon(["publish", repo.dir])).code).toBe(0);
    repo.write({ "vpc-tf-env/v1/infrastructure/outputs.tf": `${OUTPUTS}# documented\n` });
    repo.commit("Document the outputs");
    expect((await baryon(["publish", repo.dir])).stdout).toBe("Published vpc-tf-env 1.1\nUnchanged: fargate-env 1.0, load-balanced-fargate-svc 1.0\n");
    repo.git("checkout", "-q", "-b", "more-outputs");
    repo.write({ "vpc-tf-env/v1/infrastructure/outputs.tf": `${OUTPUTS}output "vpc_arn" {\n  value = aws_vpc.main.arn\n}\n` });
    const numbered = await baryon(["check", repo.dir, "--format", "json"]);
    expect(numbered.stderr).toBe("");
    expect(JSON.parse(numbered.stdout)).toMatchObject({ registry: true, templates: [{ name: "vpc-tf-env", change: "minor", version: "1.2" }] });

    // The same checkout without its registry folder falls back to N.0 again.
    renameSync(join(repo.dir, ".baryon"), join(repo.dir, "..", `moved-${Date.now()}`));
    expect(JSON.parse((await baryon(["check", repo.dir, "--format", "json"])).stdout).templates[0].version).toBe("1.1");
  }, 240_000);
});
