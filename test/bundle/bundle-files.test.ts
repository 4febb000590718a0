// Which files of a bundle folder Baryon reads, and how (issue 9, causes 2, 3 and
// the FIFO part of 16): Proton's per-file limit and the text-only rule hold for
// the files a bundle is read from; anything else is carried as bytes; links are
// never followed; a FIFO, device or folder in place of a bundle file is named.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import tar from "tar-stream";
import { describe, expect, it } from "vitest";
import { createLocalArtifactStore } from "../../src/adapters/artifacts/local.js";
import { readTarball } from "../../src/adapters/github/tarball.js";
import { readWorkingTree } from "../../src/adapters/local/git.js";
import { readSnapshot } from "../../src/adapters/local/read-snapshot.js";
import { localRepositorySource } from "../../src/adapters/local/repository-source.js";
import { createPgliteRegistry } from "../../src/adapters/registry/pglite.js";
import { unpackBundle } from "../../src/bundle/archive/archive.js";
import { validateRepository } from "../../src/bundle/check/validate.js";
import type { Diagnostic } from "../../src/bundle/diagnostics.js";
import type { Snapshot } from "../../src/bundle/files.js";
import { parseRepository } from "../../src/bundle/parse/repository.js";
import { publishChange } from "../../src/flows/publish-change.js";
import { createRenderPool } from "../../src/jinja/pool.js";
import { gitRepo } from "../support/git-repo.js";
import { envTemplate, snapshot } from "../support/snapshot.js";

const CFN = "env/v1/infrastructure/cloudformation.yaml";
const SCHEMA = "env/v1/schema/schema.yaml";
const MANIFEST = "env/v1/infrastructure/manifest.yaml";
const TF_MANIFEST = 'infrastructure:\n  templates:\n    - file: "*"\n      rendering_engine: hcl\n      template_language: terraform\n';

const shown = (ds: Diagnostic[]) => ds.map((d) => ({ file: d.file, line: d.line, severity: d.severity, code: d.code, message: d.message }));
const check = (s: Snapshot) => validateRepository(parseRepository(s));

/** Bytes no text decoder accepts: NULs, and 0xff which is never UTF-8. */
const binary = (size: number, seed = 7) => Uint8Array.from({ length: size }, (_, i) => (i * 31 + seed) % 256);
const NOT_TEXT = {
  "env/v1/package-lock.json": new TextEncoder().encode(`{"lockfileVersion":3,"packages":{${'"a":{},'.repeat(256 * 1024 / 7)}"z":{}}}`),
  "env/v1/.DS_Store": binary(6148),
  "env/v1/docs/screenshot.png": Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0xff),
  "env/v1/infrastructure/__pycache__/hook.cpython-311.pyc": binary(900, 3),
  "env/v1/infrastructure/ecs_drain_hook_lambda.zip": binary(40 * 1024, 11),
};

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "baryon-bundle-files-"));
}

function writeTree(root: string, files: Record<string, string | Uint8Array>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

describe("files a bundle is not read from are carried as bytes (cause 2)", () => {
  it("accepts a 256 KB package-lock.json, a .DS_Store, a PNG, a .pyc and a .zip beside Terraform files, without a word", () => {
    const files = envTemplate({
      [MANIFEST]: TF_MANIFEST, [CFN]: null,
      "env/v1/infrastructure/main.tf": 'resource "aws_vpc" "this" {\n  cidr_block = var.environment.inputs.vpc_cidr\n}\n',
      ...NOT_TEXT,
    });
    expect(NOT_TEXT["env/v1/package-lock.json"].length).toBeGreaterThan(256 * 1024);
    const repo = parseRepository(snapshot(files));
    expect(shown(validateRepository(repo))).toEqual([]);
    const bundle = repo.templates[0]!.bundles[0]!;
    expect(bundle.parts[0]!.files).toEqual(["env/v1/infrastructure/main.tf"]);
    for (const [path, bytes] of Object.entries(NOT_TEXT)) expect(bundle.files.get(path)).toEqual(bytes);
  });

  it("still holds the text rule on a file the manifest lists, at its line", () => {
    // "café" saved as Latin-1: 0xe9 alone is not UTF-8.
    const latin1 = Uint8Array.from([...new TextEncoder().encode("Resources:\n  Vpc:\n    Type: AWS::EC2::VPC # caf"), 0xe9, 0x0a]);
    expect(shown(check(snapshot(envTemplate({ [CFN]: latin1 }))))).toContainEqual({
      file: CFN, line: 3, severity: "error", code: "binary-file", message: "not valid UTF-8 text; Baryon reads this file as UTF-8 text",
    });
    expect(shown(check(snapshot(envTemplate({ [SCHEMA]: "schema:\n  format: {}\0\n" }))))).toContainEqual(expect.objectContaining({
      file: SCHEMA, line: 2, severity: "error", code: "binary-file",
    }));
  });

  it("still holds Proton's 200 KB limit on a listed template file and counts every file in the 5 MB bundle limit", () => {
    expect(shown(check(snapshot(envTemplate({ [CFN]: `Resources: {}\n${"#".repeat(200 * 1024)}\n` }))))).toContainEqual(expect.objectContaining({
      file: CFN, severity: "error", code: "file-too-large", message: "file is 204815 bytes; the limit for this file is 200 KB (204800 bytes)",
    }));
    const zips = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`env/v1/lambda/f${i}.zip`, binary(1024 * 1024, i)]));
    expect(shown(check(snapshot(envTemplate(zips))))).toContainEqual(expect.objectContaining({
      file: "env/v1", severity: "error", code: "bundle-too-large", message: "bundle is 6 MB; Proton's limit is 5 MB",
    }));
  });

  it("publishes such a bundle, from a <template>/<N>/ folder, with every byte of its other files in the archive", async () => {
    const registry = await createPgliteRegistry();
    const renderer = createRenderPool({ size: 1 });
    try {
      const artifacts = createLocalArtifactStore({ dir: tempDir() });
      const versions = registry.versions({ login: "acme" });
      const files = envTemplate({ ...Object.fromEntries(Object.entries(NOT_TEXT).map(([p, b]) => [p.replace("env/v1/", "env/1/"), b])) }, "env/1");
      const links = { "env/1/Makefile": "../../scripts/Makefile.service" };
      const publish = (commit: string) => publishChange(
        { repository: "acme/templates", commit, status: "published" },
        { head: async () => snapshot(files, links), versions, artifacts, renderer },
      );
      expect((await publish("c1")).map((o) => [o.template, o.major, o.result])).toEqual([["env", 1, "published"]]);
      const stored = await unpackBundle(await artifacts.get((await versions.getVersion("env", 1, 0))!.artifact));
      for (const [path, bytes] of Object.entries(NOT_TEXT)) expect(new Uint8Array(stored.get(path.replace("env/v1/", ""))!)).toEqual(bytes);
      expect(stored.has("Makefile")).toBe(false);
      // Read back from the archive, the stored bundle is the same content: nothing new to publish.
      expect((await publish("c2")).map((o) => [o.template, o.major, o.result])).toEqual([["env", 1, "unchanged"]]);
    } finally {
      await renderer.close();
      await registry.close();
    }
  }, 60_000);
});

describe("symbolic links in a bundle (cause 3)", () => {
  it("skips a *.tf link that `file: \"*\"` would select (AWS's samples link proton.variables.tf to dev-resources/): a warning, not read", () => {
    const tf = envTemplate({ [MANIFEST]: TF_MANIFEST, [CFN]: null, "env/v1/infrastructure/main.tf": "# main\n" });
    const repo = parseRepository(snapshot(tf, { "env/v1/infrastructure/proton.variables.tf": "../../dev-resources/proton.variables.tf" }));
    expect(shown(validateRepository(repo)).filter((d) => d.code === "symlink")).toEqual([{
      file: "env/v1/infrastructure/proton.variables.tf", line: undefined, severity: "warning", code: "symlink",
      message: "symbolic link to ../../dev-resources/proton.variables.tf: links are never followed, so it is not part of the bundle",
    }]);
    expect(repo.templates[0]!.bundles[0]!.parts[0]!.files).toEqual(["env/v1/infrastructure/main.tf"]);
  });

  it("warns of a link nothing reads (Makefile -> ../../scripts/Makefile.service) and leaves it out of the bundle", () => {
    const repo = parseRepository(snapshot(envTemplate(), { "env/v1/Makefile": "../../scripts/Makefile.service" }));
    expect(shown(validateRepository(repo))).toEqual([{
      file: "env/v1/Makefile", line: undefined, severity: "warning", code: "symlink",
      message: "symbolic link to ../../scripts/Makefile.service: links are never followed, so it is not part of the bundle",
    }]);
    expect(repo.templates[0]!.bundles[0]!.files.has("env/v1/Makefile")).toBe(false);
  });

  it("refuses a link the bundle reads: a listed template file, the schema", () => {
    const error = (file: string, target: string) => ({
      file, line: undefined, severity: "error", code: "symlink",
      message: `symbolic link to ${target}: links are never followed, and the bundle reads this file: commit the file itself`,
    });
    expect(shown(check(snapshot(envTemplate({ [CFN]: null }), { [CFN]: "../../shared/vpc.yaml" })))).toContainEqual(error(CFN, "../../shared/vpc.yaml"));
    const schemaLinked = shown(check(snapshot(envTemplate({ [SCHEMA]: null }), { [SCHEMA]: "/etc/passwd" })));
    expect(schemaLinked).toContainEqual(error(SCHEMA, "/etc/passwd"));
    expect(schemaLinked.map((d) => d.code)).not.toContain("schema-missing");
  });

  it("never follows a link when reading a folder, a working tree or a tarball (the target here is a FIFO: following it would hang)", async () => {
    const root = tempDir();
    execFileSync("mkfifo", [join(root, "outside.fifo")]);
    const repo = gitRepo();
    for (const dir of [join(root, "tree"), repo.dir]) {
      writeTree(dir, envTemplate() as Record<string, string>);
      symlinkSync(join(root, "outside.fifo"), join(dir, "env/v1/Makefile"));
    }
    repo.commit("env with a linked Makefile");
    const body = await tarball({ "r-1/env/v1/schema/schema.yaml": "schema: {}\n" }, { "r-1/env/v1/Makefile": join(root, "outside.fifo") });
    for (const read of [readSnapshot(join(root, "tree")), readWorkingTree(repo.dir), readTarball(body)]) {
      const s = await read;
      expect(s.symlinks!.get("env/v1/Makefile")).toBe(join(root, "outside.fifo"));
      expect(s.files.has("env/v1/Makefile")).toBe(false);
    }
  });
});

describe("a FIFO, device or folder in place of a bundle file (cause 16)", () => {
  const notRegular = (file: string, kind: string) => ({
    file, line: undefined, severity: "error", code: "not-regular-file",
    message: `${kind}, not a regular file: the bundle reads this file, so it must be one`,
  });

  it("names a FIFO in place of schema.yaml, read from a folder and from a git working tree, without blocking", async () => {
    const folder = tempDir();
    writeTree(folder, envTemplate({ [SCHEMA]: null }) as Record<string, string>);
    mkdirSync(join(folder, "env/v1/schema"));
    execFileSync("mkfifo", [join(folder, SCHEMA)]);
    const repo = gitRepo();
    writeTree(repo.dir, envTemplate() as Record<string, string>);
    repo.commit("env");
    repo.write({ [SCHEMA]: null });
    execFileSync("mkfifo", [join(repo.dir, SCHEMA)]);
    for (const s of [await readSnapshot(folder), await readWorkingTree(repo.dir)]) {
      const diagnostics = shown(check(s));
      expect(diagnostics).toContainEqual(notRegular(SCHEMA, "a FIFO"));
      expect(diagnostics.map((d) => d.code)).not.toContain("schema-missing");
    }
  });

  it("names a folder in place of a manifest, empty or not", async () => {
    const folder = tempDir();
    writeTree(folder, envTemplate({ [MANIFEST]: null }) as Record<string, string>);
    mkdirSync(join(folder, MANIFEST));
    expect(shown(check(await readSnapshot(folder)))).toContainEqual(notRegular(MANIFEST, "an empty folder"));
    expect(shown(check(snapshot(envTemplate({ [MANIFEST]: null, [`${MANIFEST}/x`]: "x" }))))).toContainEqual(notRegular(MANIFEST, "a folder"));
  });

  it("does not open a FIFO in place of .github/baryon.yml: the config is refused at that path", async () => {
    const folder = tempDir();
    mkdirSync(join(folder, ".github"));
    execFileSync("mkfifo", [join(folder, ".github/baryon.yml")]);
    const config = await (await localRepositorySource(folder)).config();
    expect(config).toEqual({ ok: false, diagnostics: [{ file: ".github/baryon.yml", severity: "error", code: "not-regular-file", message: "a FIFO, not a regular file: Baryon reads its settings only from a regular file" }] });
  });
});

async function tarball(files: Record<string, string>, links: Record<string, string>): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, content] of Object.entries(files)) pack.entry({ name }, content);
  for (const [name, linkname] of Object.entries(links)) pack.entry({ name, type: "symlink", linkname });
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return gzipSync(Buffer.concat(chunks));
}
