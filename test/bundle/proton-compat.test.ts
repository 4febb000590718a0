// What Proton accepted must not be refused, and mistakes Proton let through
// silently must at least be named (issue 9, causes 4, 5 and 13).
import { mkdir, mkdtemp, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readSnapshot } from "../../src/adapters/local/read-snapshot.js";
import type { Diagnostic } from "../../src/bundle/diagnostics.js";
import { findInputReferences } from "../../src/bundle/check/input-references.js";
import { validateRepository } from "../../src/bundle/check/validate.js";
import { parseRepository } from "../../src/bundle/parse/repository.js";
import { renderBundle } from "../../src/bundle/render/render-bundle.js";
import { reviewChange } from "../../src/flows/review-change.js";
import { createRenderPool } from "../../src/jinja/pool.js";
import { assumeBaseAtZero } from "../../src/ports/version-catalog.js";
import { CFN_MANIFEST, envTemplate, snapshot } from "../support/snapshot.js";

const renderer = createRenderPool({ size: 1 });
afterAll(() => renderer.close());

const check = (files: Record<string, string>, symlinks?: Record<string, string>) =>
  validateRepository(parseRepository(snapshot(files, symlinks)));
const shown = (ds: Diagnostic[]) => ds.map((d) => ({ file: d.file, line: d.line, severity: d.severity, code: d.code, message: d.message }));

const TF_MANIFEST = 'infrastructure:\n  templates:\n    - file: "*"\n      rendering_engine: hcl\n      template_language: terraform\n';
const TF = "env/v1/infrastructure/main.tf";
const tfTemplate = (main: string) => envTemplate({
  "env/v1/infrastructure/manifest.yaml": TF_MANIFEST,
  "env/v1/infrastructure/cloudformation.yaml": null,
  [TF]: main,
}) as Record<string, string>;

describe("Terraform input references (cause 4)", () => {
  it("ignores references in #, // and /* */ comments and in plain strings", () => {
    const diagnostics = check(tfTemplate([
      'resource "aws_vpc" "this" {',
      "  cidr_block = var.environment.inputs.vpc_cidr",
      "  #   name = var.environment.inputs.x",
      "  // name = var.environment.inputs.y",
      "  /* name = var.environment.inputs.z",
      "     var.environment.inputs.w */",
      '  description = "var.environment.inputs.not_code"',
      '  escaped = "$${var.environment.inputs.literal}"',
      "}",
      "",
    ].join("\n")));
    expect(shown(diagnostics)).toEqual([]);
  });

  it("still reports an undeclared input read in code, in an interpolation and in a heredoc: a warning, as Proton passed undeclared spec inputs", () => {
    const diagnostics = check(tfTemplate([
      'resource "aws_vpc" "this" {',
      "  cidr_block = var.environment.inputs.vpc_cidrr # a typo",
      '  tags = { Name = "vpc-${var.environment.inputs["nme"]}" }',
      "  policy = <<-EOT",
      "    # heredoc text is a template: ${var.environment.inputs.in_heredoc}",
      "  EOT",
      "}",
      "",
    ].join("\n")));
    expect(shown(diagnostics)).toEqual([
      { file: TF, line: 2, severity: "warning", code: "input-undeclared", message: expect.stringMatching(/^environment\.inputs\.vpc_cidrr is not declared in schema type EnvInput \(did you mean "vpc_cidr"\?\).*it works only where a spec gives it$/) },
      { file: TF, line: 3, severity: "warning", code: "input-undeclared", message: expect.stringMatching(/^environment\.inputs\.nme is not declared/) },
      { file: TF, line: 5, severity: "warning", code: "input-undeclared", message: expect.stringMatching(/^environment\.inputs\.in_heredoc is not declared/) },
    ]);
  });

  it("keeps the column of a reference after a comment and a string on the same line", () => {
    const source = 'x = "var.environment.inputs.a" /* var.environment.inputs.b */ + var.environment.inputs.c // var.environment.inputs.d\n';
    expect(findInputReferences(source, "terraform")).toEqual([{ scope: "environment", input: "c", line: 1, column: 65 }]);
  });

  it("reads interpolations nested in interpolations and template directives", () => {
    const source = 'a = "${lookup(var.m, "${var.service_instance.inputs.k}")} %{ if var.service_instance.inputs.on }y%{ endif }"\n';
    expect(findInputReferences(source, "terraform").map((r) => r.input)).toEqual(["k", "on"]);
  });

  it("reads Jinja tags only: not comments, raw blocks or text, even around an unclosed tag", () => {
    const source = [
      "{# environment.inputs.comment #} environment.inputs.text",
      "{% raw %}{{ environment.inputs.raw }}{% endraw %}",
      "{%- if environment.inputs.stmt -%}{{ environment.inputs.expr }}{% endif %}",
      "{{ environment.inputs.unclosed",
    ].join("\n");
    expect(findInputReferences(source, "jinja").map((r) => [r.input, r.line, r.column])).toEqual([["stmt", 3, 8], ["expr", 3, 38]]);
  });

  // A deadline, not a measurement: the quadratic scan this guards against took hours on a
  // megabyte, a linear one takes well under a second, so only a regression can reach it.
  it("scans a megabyte of unclosed tags, strings and heredocs in linear time", () => {
    for (const hostile of ["{{ '".repeat(250_000), '"${'.repeat(330_000), "<<".repeat(500_000), "{% raw %}".repeat(110_000)]) {
      expect(findInputReferences(hostile, "jinja")).toEqual([]);
      expect(findInputReferences(hostile, "terraform")).toEqual([]);
    }
  }, 60_000);

  it("ignores a reference written as a string inside a Jinja expression", () => {
    expect(findInputReferences('{{ "environment.inputs.x" }} {{ environment.inputs["y"] }}', "jinja").map((r) => r.input)).toEqual(["y"]);
  });
});

const SVC_SCHEMA = `schema:
  format:
    openapi: "3.0.0"
  service_input_type: "In"
  pipeline_input_type: "Pipe"
  types:
    In:
      type: object
      properties:
        port:
          type: number
          default: 80
        vpc_cidr:
          type: string
          default: 10.0.0.0/16
    Pipe:
      type: object
      properties:
        branch:
          type: string
          default: main
`;
const svcFiles = (spec: string): Record<string, string> => ({
  "svc/v1/schema/schema.yaml": SVC_SCHEMA,
  "svc/v1/instance_infrastructure/manifest.yaml": CFN_MANIFEST,
  "svc/v1/instance_infrastructure/cloudformation.yaml": "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: t-{{ service_instance.inputs.port }}\n",
  "svc/v1/pipeline_infrastructure/manifest.yaml": CFN_MANIFEST,
  "svc/v1/pipeline_infrastructure/cloudformation.yaml":
    "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: pipe-{{ pipeline.inputs.branch }}-{{ service_instances | length }}\n",
  "svc/v1/.template-registration.yaml": "compatible_environments:\n  - env:1\n",
  "svc/spec/spec.yaml": spec,
});
const SVC_SPEC = "svc/spec/spec.yaml";

describe("a ServiceSpec with `instances: []` (cause 5)", () => {
  const files = svcFiles("proton: ServiceSpec\npipeline:\n  branch: release\ninstances: []\n");

  it("is valid", () => {
    expect(shown(check(files))).toEqual([]);
  });

  it("renders the pipeline only", async () => {
    const repo = parseRepository(snapshot(files));
    const template = repo.templates[0]!;
    const result = await renderBundle(template.bundles[0]!, template.specs[0]!, renderer);
    expect(result.diagnostics).toEqual([]);
    expect(result.files.map((f) => [f.path, f.content])).toEqual([
      ["pipeline/pipeline_infrastructure/cloudformation.yaml", "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: pipe-release-0"],
    ]);
  });

  it("is reviewed like any spec", async () => {
    const head = { ...files, "svc/v1/pipeline_infrastructure/cloudformation.yaml": files["svc/v1/pipeline_infrastructure/cloudformation.yaml"]!.replace("pipe-", "pipeline-") };
    const report = await reviewChange({}, {
      changes: { baseName: "base", headName: "head", base: async () => snapshot(files), head: async () => snapshot(head) },
      renderer, versions: assumeBaseAtZero,
    });
    const t = report.templates[0]!;
    expect(t.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(t.diff.groups[0]!.labels).toEqual(["svc/spec/spec.yaml › pipeline"]);
    expect(t.diff.groups[0]!.diffs[0]!.patch).toContain("+      TopicName: pipeline-release-0");
  });

  it("still refuses a ServiceSpec with no `instances:` at all", () => {
    expect(shown(check(svcFiles("proton: ServiceSpec\npipeline:\n  branch: release\n")))).toEqual([
      { file: SVC_SPEC, line: 1, severity: "error", code: "spec-invalid", message: expect.stringMatching(/needs `instances:`/) },
    ]);
  });
});

describe("mistakes Proton ignored are named (cause 13)", () => {
  it("warns at an input written beside an instance's name instead of under `spec:`", () => {
    const diagnostics = check(svcFiles([
      "proton: ServiceSpec",
      "instances:",
      "  - name: api",
      "    environment: dev",
      '    port: "eighty"',
      "    spec:",
      "      vpc_cidr: 10.1.0.0/16",
      "",
    ].join("\n")));
    expect(shown(diagnostics)).toEqual([{
      file: SVC_SPEC, line: 5, severity: "warning", code: "spec-key-unknown",
      message: 'instance "api": "port" is not read here, so it is ignored; an input goes under `spec:`',
    }]);
  });

  it("suggests the key meant for a misspelt instance key or top-level key", () => {
    const diagnostics = check(svcFiles([
      "proton: ServiceSpec",
      "pipelines:",
      "  branch: main",
      "instances:",
      "  - name: api",
      "    environment: dev",
      "    sepc:",
      "      port: 8080",
      "",
    ].join("\n")));
    expect(shown(diagnostics)).toEqual([
      { file: SVC_SPEC, line: 2, severity: "warning", code: "spec-key-unknown", message: '"pipelines" is not a key of a ServiceSpec, so it is ignored (did you mean "pipeline"?)' },
      { file: SVC_SPEC, line: 7, severity: "warning", code: "spec-key-unknown", message: 'instance "api": "sepc" is not read here, so it is ignored (did you mean "spec"?)' },
    ]);
  });

  it("warns at an environment input written beside `spec:`", () => {
    const diagnostics = check(envTemplate({ "env/spec/spec.yaml": "proton: EnvironmentSpec\ncount: 2\nspec:\n  count: 1\n" }) as Record<string, string>);
    expect(shown(diagnostics)).toEqual([{
      file: "env/spec/spec.yaml", line: 2, severity: "warning", code: "spec-key-unknown",
      message: '"count" is not a key of an EnvironmentSpec, so it is ignored; an input goes under `spec:`',
    }]);
  });

  it("suggests the input meant for a misspelt spec input", () => {
    const diagnostics = check(svcFiles("proton: ServiceSpec\ninstances:\n  - name: api\n    environment: dev\n    spec:\n      vpc_cidrr: 10.1.0.0/16\n"));
    expect(shown(diagnostics)).toEqual([{
      file: SVC_SPEC, line: 6, severity: "warning", code: "spec-input-unknown",
      message: '"vpc_cidrr" is not an input of In, so it is ignored (did you mean "vpc_cidr"?)',
    }]);
  });

  it("warns that a spec file which is a symbolic link is not read", async () => {
    const dir = await mkdtemp(join(tmpdir(), "baryon-spec-link-"));
    for (const [path, content] of Object.entries({ ...envTemplate(), "shared/prod.yaml": "proton: EnvironmentSpec\nspec:\n  count: 1\n" })) {
      await mkdir(join(dir, path, ".."), { recursive: true });
      await writeFile(join(dir, path), content);
    }
    await mkdir(join(dir, "env/spec"));
    await symlink("../../shared/prod.yaml", join(dir, "env/spec/prod.yaml"));
    const repo = parseRepository(await readSnapshot(dir));
    expect(repo.templates[0]!.specs).toEqual([]);
    expect(shown(validateRepository(repo))).toEqual([{
      file: "env/spec/prod.yaml", line: undefined, severity: "warning", code: "spec-symlink",
      message: "spec file is a symbolic link to ../../shared/prod.yaml; links are not followed, so it is not checked or rendered: commit the file itself",
    }]);
  });

  it("warns that a spec folder which is a symbolic link is not read", () => {
    expect(shown(check(envTemplate() as Record<string, string>, { "env/spec": "../specs" }))).toEqual([{
      file: "env/spec", line: undefined, severity: "warning", code: "spec-symlink",
      message: "the spec folder is a symbolic link to ../specs; links are not followed, so its specs are not checked or rendered: commit the folder itself",
    }]);
  });
});
