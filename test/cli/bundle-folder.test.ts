// `baryon validate` and `baryon render` on one bundle folder (a Proton bundle as
// registered from S3), on a repository where nothing is found, and on files that
// are not text or not regular (issue 9, causes 7, 14 and 16).
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { baryon } from "../support/cli.js";
import { envTemplate } from "../support/snapshot.js";

async function writeTree(files: Record<string, string | Uint8Array>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "baryon-bundle-folder-"));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(dir, path, ".."), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

/** The example environment template with its files at the top of a folder, as an S3 bundle has them. */
const bare = (overrides: Record<string, string | null> = {}) =>
  Object.fromEntries(Object.entries(envTemplate(overrides)).map(([p, c]) => [p.replace(/^env\/v1\//, ""), c]));
const SPEC = "proton: EnvironmentSpec\nspec:\n  count: 1\n  vpc_cidr: 10.9.0.0/16\n";

describe("baryon validate on one bundle folder", () => {
  it("checks a bare bundle named by --template, with paths as on disk", async () => {
    const dir = await writeTree({ ...bare(), "infrastructure/cloudformation.yaml": "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: {{ environment.inputs.vpc_cdir }}\n" });
    const r = await baryon(["validate", ".", "--template", "vpc-env@2"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("infrastructure/cloudformation.yaml:5:21: warning: environment.inputs.vpc_cdir is not declared in schema type EnvInput");
    expect(r.stdout).toContain("vpc-env v2 (environment): ok, 1 warning");
  });

  it("reads the template and major from a <template>/<N> or <template>/v<N> path", async () => {
    const dir = await writeTree({ ...envTemplate({}, "vpc-env/3"), ...envTemplate({}, "vpc-env/v4") });
    const three = await baryon(["validate", join(dir, "vpc-env/3"), "--format", "json"]);
    expect(three.code).toBe(0);
    expect(JSON.parse(three.stdout).templates).toMatchObject([{ name: "vpc-env", kind: "environment", major: 3, diagnostics: [] }]);
    const four = await baryon(["validate", "vpc-env/v4"], { cwd: dir });
    expect(four.code).toBe(0);
    expect(four.stdout).toContain("vpc-env v4 (environment): ok");
  });

  it("asks for --template when a bare folder's path does not say which major it is", async () => {
    const dir = await writeTree(bare());
    const r = await baryon(["validate", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is one bundle folder, but its path does not say which template and major it is \(<template>\/v<MAJOR> or <template>\/<MAJOR>\): pass --template <name>@<major>/);
  });

  it("says when a repository holds no template, with the layout it looked for, and exits 1", async () => {
    const dir = await writeTree({ "README.md": "# templates\n", "vpc/schema.yaml": "schema: {}\n" });
    const r = await baryon(["validate", dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(".: error: no template found: Baryon looks for a major version folder <template>/v<MAJOR>/ (or <template>/<MAJOR>/) holding schema/schema.yaml and infrastructure/ or instance_infrastructure/ with a manifest.yaml; to check one bundle folder, give its path (and --template <name>@<major>) [no-templates]");
    expect(r.stdout).toMatch(/0 template versions, 1 error/);
  });

  it("names a bare bundle inside a repository instead of skipping it", async () => {
    const dir = await writeTree(Object.fromEntries(Object.entries(bare()).map(([p, c]) => [`s3/vpc-env/${p}`, c])));
    const r = await baryon(["validate", dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("s3/vpc-env/infrastructure/manifest.yaml: warning: s3/vpc-env holds a bundle but is not a major version folder");
    expect(r.stdout).toContain("no template found");
  });

  it("reports a FIFO in place of schema.yaml as not a regular file, without blocking", async () => {
    const dir = await writeTree(envTemplate({ "env/v1/schema/schema.yaml": null }));
    await mkdir(join(dir, "env/v1/schema"));
    execFileSync("mkfifo", [join(dir, "env/v1/schema/schema.yaml")]);
    const r = await baryon(["validate", dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("env/v1/schema/schema.yaml: error: a FIFO, not a regular file: the bundle reads this file, so it must be one [not-regular-file]");
    expect(r.stdout).not.toContain("schema-missing");
  });
});

describe("baryon render on one bundle folder", () => {
  it("renders a bare bundle named by --template", async () => {
    const dir = await writeTree({ ...bare(), "spec.yaml": SPEC });
    const r = await baryon(["render", ".", "--template", "vpc-env@1", "--spec", "spec.yaml"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("CidrBlock: 10.9.0.0/16");
  });

  it("asks for --template for a bare folder", async () => {
    const dir = await writeTree({ ...bare(), "spec.yaml": SPEC });
    const r = await baryon(["render", ".", "--spec", "spec.yaml"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/pass --template <name>@<major>/);
    expect(r.stdout).toBe("");
  });
});

describe("baryon render FILE applies validate's file checks (cause 14)", () => {
  const context = JSON.stringify({ environment: { inputs: { name: "x" } } });

  it.each([
    ["a NUL byte", Buffer.from("a: {{ environment.inputs.name }}\nb: \0\n"), "t.yaml:2:4: error: binary file (contains NUL bytes); Baryon reads this file as UTF-8 text [binary-file]"],
    ["invalid UTF-8", Buffer.concat([Buffer.from("a: {{ environment.inputs.name }}\nb: caf"), Buffer.from([0xe9, 0x0a])]), "t.yaml:2: error: not valid UTF-8 text; Baryon reads this file as UTF-8 text [binary-file]"],
  ])("refuses a template with %s, naming the file and line, and renders nothing", async (_, bytes, message) => {
    const dir = await writeTree({ "t.yaml": bytes, "ctx.json": context });
    const r = await baryon(["render", "t.yaml", "--context", "ctx.json"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(`${message}\n`);
  });

  it("refuses a FIFO instead of opening it", async () => {
    const dir = await writeTree({ "ctx.json": context });
    execFileSync("mkfifo", [join(dir, "t.yaml")]);
    const r = await baryon(["render", "t.yaml", "--context", "ctx.json"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("baryon: t.yaml: a FIFO, not a regular file or a folder\n");
  });
});
