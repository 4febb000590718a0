// Layouts Proton accepted are found, or named, never skipped without a word
// (issue 9, cause 7): `<template>/<N>/` beside `<template>/v<N>/`, a bare bundle
// folder left outside both, and a mistyped registration file.
import { gzipSync } from "node:zlib";
import tar from "tar-stream";
import { afterAll, describe, expect, it } from "vitest";
import { readTarball } from "../../src/adapters/github/tarball.js";
import { validateRepository } from "../../src/bundle/check/validate.js";
import type { Diagnostic } from "../../src/bundle/diagnostics.js";
import { parseRepository } from "../../src/bundle/parse/repository.js";
import { reviewChange } from "../../src/flows/review-change.js";
import { createRenderPool } from "../../src/jinja/pool.js";
import { assumeBaseAtZero } from "../../src/ports/version-catalog.js";
import { CFN_MANIFEST, envTemplate, snapshot } from "../support/snapshot.js";

const renderer = createRenderPool({ size: 1 });
afterAll(() => renderer.close());

const shown = (ds: Diagnostic[]) => ds.map((d) => ({ file: d.file, line: d.line, severity: d.severity, code: d.code, message: d.message }));

const svcTemplate = (prefix: string, overrides: Record<string, string | null> = {}) => {
  const files: Record<string, string | null> = {
    [`${prefix}/schema/schema.yaml`]: 'schema:\n  format:\n    openapi: "3.0.0"\n  service_input_type: "In"\n  types:\n    In:\n      type: object\n      properties:\n        port:\n          type: number\n          default: 80\n',
    [`${prefix}/instance_infrastructure/manifest.yaml`]: CFN_MANIFEST,
    [`${prefix}/instance_infrastructure/cloudformation.yaml`]: "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: port-{{ service_instance.inputs.port }}\n",
    [`${prefix}/.template-registration.yaml`]: "compatible_environments:\n  - env:1\n",
    ...overrides,
  };
  return Object.fromEntries(Object.entries(files).filter((e): e is [string, string] => e[1] !== null));
};

describe("<template>/<N>/ major folders", () => {
  it("are majors like <template>/v<N>/, in one template", () => {
    const repo = parseRepository(snapshot({ ...svcTemplate("templates/worker-svc/1"), ...svcTemplate("templates/worker-svc/2") }));
    expect(shown(validateRepository(repo))).toEqual([]);
    expect(repo.templates.map((t) => [t.name, t.kind, t.bundles.map((b) => [b.major, b.dir])])).toEqual([
      ["worker-svc", "service", [[1, "templates/worker-svc/1"], [2, "templates/worker-svc/2"]]],
    ]);
  });

  it("refuses two folders for one major, v1/ and 1/", () => {
    const repo = parseRepository(snapshot({ ...envTemplate({}, "env/1"), ...envTemplate() }));
    expect(shown(validateRepository(repo))).toEqual([{
      file: "env/v1", line: undefined, severity: "error", code: "template-major-twice", message: "env/1 and env/v1 are both major 1 of env; keep one of them",
    }]);
    expect(repo.templates[0]!.bundles.map((b) => b.dir)).toEqual(["env/1"]);
  });

  it("are reviewed as a new major on a pull request", async () => {
    const report = await reviewChange({}, {
      changes: { baseName: "base", headName: "head", base: async () => snapshot({}), head: async () => snapshot(svcTemplate("worker-svc/1")) },
      renderer, versions: assumeBaseAtZero,
    });
    expect(report.templates.map((t) => [t.name, t.dir, t.major, t.change, t.version])).toEqual([["worker-svc", "worker-svc/1", 1, "major", "1.0"]]);
    expect(report.templates[0]!.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });

  it("keep their content in a GitHub tarball (other paths keep only a digest)", async () => {
    const pack = tar.pack();
    pack.entry({ name: "r-1/worker-svc/1/schema/schema.yaml" }, "schema: {}\n");
    pack.entry({ name: "r-1/docs/notes.md" }, "notes\n");
    pack.finalize();
    const chunks: Buffer[] = [];
    for await (const chunk of pack) chunks.push(chunk as Buffer);
    const s = await readTarball(gzipSync(Buffer.concat(chunks)));
    expect(new TextDecoder().decode(s.files.get("worker-svc/1/schema/schema.yaml"))).toBe("schema: {}\n");
    expect(s.files.get("docs/notes.md")!.length).toBe(32);
  });
});

describe("a bundle outside every major folder", () => {
  it("is named, with where to move it and how to check it alone", () => {
    const files = { ...envTemplate(), ...envTemplate({}, "s3-bundles/vpc-env") };
    expect(shown(validateRepository(parseRepository(snapshot(files))))).toEqual([{
      file: "s3-bundles/vpc-env/infrastructure/manifest.yaml", line: undefined, severity: "warning", code: "bundle-outside-layout",
      message: "s3-bundles/vpc-env holds a bundle but is not a major version folder <template>/v<MAJOR>/ (or <template>/<MAJOR>/), so it is skipped: " +
        "move it into s3-bundles/vpc-env/v1, or check it alone with `baryon validate s3-bundles/vpc-env --template vpc-env@1`",
    }]);
  });

  it("at the top of the repository is named too", () => {
    const bare = Object.fromEntries(Object.entries(envTemplate()).map(([p, c]) => [p.replace("env/v1/", ""), c]));
    expect(shown(validateRepository(parseRepository(snapshot(bare))))).toEqual([expect.objectContaining({
      file: "infrastructure/manifest.yaml", severity: "warning", code: "bundle-outside-layout",
      message: expect.stringContaining("the repository's top folder holds a bundle"),
    })]);
  });
});

describe("a mistyped registration file", () => {
  it.each([
    [".compatible_envs", '(did you mean ".compatible-envs"?)'],
    [".template-registration.yml", '(did you mean ".template-registration.yaml"?)'],
  ])("%s gets a did-you-mean instead of a missing file", (name, hint) => {
    const files = svcTemplate("svc/v1", { "svc/v1/.template-registration.yaml": null, [`svc/v1/${name}`]: "env:1\n" });
    expect(shown(validateRepository(parseRepository(snapshot(files))))).toEqual([{
      file: `svc/v1/${name}`, line: undefined, severity: "error", code: "registration-missing",
      message: `not read as a registration file ${hint}; a service template needs .template-registration.yaml (or the legacy .compatible-envs) listing its compatible environment templates`,
    }]);
  });
});
