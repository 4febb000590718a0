import { mkdtemp, mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { baryon } from "../support/cli.js";
import { envTemplate } from "../support/snapshot.js";

async function writeTree(files: Record<string, string | Uint8Array>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "baryon-validate-"));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(dir, path, ".."), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

describe("baryon validate", () => {
  it("passes the bundled examples and renders their example specs", async () => {
    const r = await baryon(["validate", "examples/templates"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("fargate-env v1 (environment): ok, rendered 1 file from its example specs");
    expect(r.stdout).toContain("load-balanced-fargate-svc v1 (service): ok, rendered 3 files from its example specs");
    expect(r.stdout).toMatch(/3 template versions, 0 errors/);
  });

  it("reports each mistake at file:line and exits 1", async () => {
    const dir = await writeTree(envTemplate({
      "env/v1/infrastructure/cloudformation.yaml": "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: {{ environment.inputs.vpc_cdir }}\n",
      "env/spec/spec.yaml": "proton: EnvironmentSpec\nspec:\n  count: two\n",
    }));
    const r = await baryon(["validate", dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("env/v1/infrastructure/cloudformation.yaml:5:21: warning: environment.inputs.vpc_cdir is not declared in schema type EnvInput");
    expect(r.stdout).toContain("env/spec/spec.yaml:3: error: count must be a number");
    expect(r.stdout).toMatch(/1 template version, 1 error, 1 warning/);
  });

  it("prints JSON with templates[] of name, kind, major and diagnostics", async () => {
    const dir = await writeTree({ ...envTemplate(), ...envTemplate({ "env/v2/schema/schema.yaml": "schema: [\n" }, "env/v2") });
    const r = await baryon(["validate", dir, "--format", "json"]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.templates.map((t: { name: string; kind: string; major: number; diagnostics: unknown[] }) => [t.name, t.kind, t.major, t.diagnostics.length])).toEqual([
      ["env", "environment", 1, 0],
      ["env", "environment", 2, 1],
    ]);
    expect(report.templates[1].diagnostics[0]).toMatchObject({ file: "env/v2/schema/schema.yaml", line: 2, severity: "error", code: "yaml-syntax" });
  });

  it("refuses an unknown format with a usage error", async () => {
    const r = await baryon(["validate", ".", "--format", "xml"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Allowed choices are text, json/);
  });
});

describe("baryon validate with .github/baryon.yml", () => {
  const broken = { "legacy/env/v1/schema/schema.yaml": "schema: [\n" };

  it("checks only the `templates:` folder, and warns that _extends is read only by the GitHub App", async () => {
    const dir = await writeTree({
      ".github/baryon.yml": "_extends: .github\ntemplates: platform\n",
      ...envTemplate({}, "platform/env/v1"),
      ...broken,
    });
    const r = await baryon(["validate", dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(".github/baryon.yml:1:11: warning: .github/baryon.yml: _extends: .github is read only by the GitHub App; here Baryon uses this file's own settings [config-extends-unresolved]");
    expect(r.stdout).toMatch(/^env v1 \(environment\): ok/m);
    expect(r.stdout).toMatch(/1 template version, 0 errors, 1 warning/);
  });

  it("takes --templates, or its old name --root, over the config", async () => {
    const dir = await writeTree({ ".github/baryon.yml": "templates: platform\n", ...envTemplate({}, "platform/env/v1"), ...broken });
    for (const flag of ["--templates", "--root"]) {
      const r = await baryon(["validate", dir, flag, "legacy", "--format", "json"]);
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout);
      expect([...report.diagnostics, ...report.templates.flatMap((t: { diagnostics: unknown[] }) => t.diagnostics)][0]).toMatchObject({ file: expect.stringMatching(/^legacy\/env\/v1/), severity: "error" });
    }
  });

  it("reports an invalid config at its line and validates nothing", async () => {
    const dir = await writeTree({ ".github/baryon.yml": "templates: platform\nrollout:\n  stages: []\n", ...envTemplate({}, "platform/env/v1") });
    const r = await baryon(["validate", dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(".github/baryon.yml:3:3: error: .github/baryon.yml: rollout.stages must NOT have fewer than 1 items [config-invalid]");
    expect(r.stdout).toMatch(/0 template versions, 1 error/);
  });
});

describe("baryon validate on Terraform bundles", () => {
  it("reports HCL syntax errors at their file and line", async () => {
    const dir = await writeTree({
      "net/v1/schema/schema.yaml": 'schema:\n  format:\n    openapi: "3.0.0"\n  environment_input_type: "In"\n  types:\n    In:\n      type: object\n      properties: {}\n',
      "net/v1/infrastructure/manifest.yaml": 'infrastructure:\n  templates:\n    - file: "*"\n      rendering_engine: hcl\n      template_language: terraform\n',
      "net/v1/infrastructure/main.tf": 'resource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n\noutput "id" {\n  value = aws_vpc.main.id\n}\n',
    });
    const r = await baryon(["validate", dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/net\/v1\/infrastructure\/main\.tf:\d+:\d+: error: .*\[terraform-syntax\]|net\/v1\/infrastructure\/main\.tf:\d+:\d+: error: /);
  });
});
