// What Proton accepted is not an error (a schema default that breaks its own
// schema, `Version` on a custom resource), and what Terraform or a spec would
// fail on is (a spec that uses such a default, an undeclared `var.x`).
import { describe, expect, it } from "vitest";
import { validateRepository } from "../../src/bundle/check/validate.js";
import type { Diagnostic } from "../../src/bundle/diagnostics.js";
import { lintTerraformBundle } from "../../src/bundle/lint/rendered.js";
import { parseRepository } from "../../src/bundle/parse/repository.js";
import { ENV_SCHEMA, envTemplate, snapshot } from "../support/snapshot.js";

const SCHEMA = "env/v1/schema/schema.yaml";
const SPEC = "env/spec/spec.yaml";
const where = (diagnostics: Diagnostic[]) => diagnostics.map((d) => `${d.file}:${d.line} ${d.severity} ${d.code}: ${d.message}`);
const validate = (files: Record<string, string>) => validateRepository(parseRepository(snapshot(files)));

describe("a schema default that breaks its own schema", () => {
  // Two real cases: a boolean whose default is a word, and a minimum length the empty default misses.
  const schema = ENV_SCHEMA.replace("      required: [count]\n", [
    "        public:",
    "          type: boolean",
    "          default: public",
    "        token:",
    "          type: string",
    "          minLength: 12",
    '          default: ""',
    "      required: [count]",
    "",
  ].join("\n"));

  it("is a warning at the default's line, and a spec that gives the inputs passes", () => {
    const diagnostics = validate({ ...envTemplate({ [SCHEMA]: schema }), [SPEC]: "proton: EnvironmentSpec\nspec:\n  count: 2\n  public: true\n  token: abcdefghijklmnop\n" });
    expect(where(diagnostics)).toEqual([
      `${SCHEMA}:21 warning schema-default-invalid: the default of EnvInput.public does not satisfy its own schema: public must be a boolean; a spec that leaves public out fails`,
      `${SCHEMA}:25 warning schema-default-invalid: the default of EnvInput.token does not satisfy its own schema: token must NOT have fewer than 12 characters; a spec that leaves token out fails`,
    ]);
  });

  it("fails the spec that leaves the input out, at the spec, saying the default applied", () => {
    const diagnostics = validate({ ...envTemplate({ [SCHEMA]: schema }), [SPEC]: "proton: EnvironmentSpec\nspec:\n  count: 2\n  public: false\n" });
    expect(where(diagnostics.filter((d) => d.severity === "error"))).toEqual([
      `${SPEC}:2 error spec-invalid: the default of input token ("") violates the schema: token must NOT have fewer than 12 characters; the spec does not give token, so the default applies (give it a value) (schema type EnvInput)`,
    ]);
  });
});

describe("Terraform variables a module reads", () => {
  const TF_MANIFEST = "infrastructure:\n  templates:\n    - file: \"*\"\n      rendering_engine: hcl\n      template_language: terraform\n";
  const MAIN = "env/v1/infrastructure/main.tf";
  const lint = (files: Record<string, string>) => {
    const repo = parseRepository(snapshot(envTemplate({ "env/v1/infrastructure/manifest.yaml": TF_MANIFEST, "env/v1/infrastructure/cloudformation.yaml": null, ...files })));
    return lintTerraformBundle(repo.templates[0]!.bundles[0]!);
  };

  it("an undeclared var.x is an error at its line, with a near name suggested", async () => {
    const main = [
      'variable "vpc_name" {',
      "  type = string",
      "}",
      'resource "aws_vpc" "this" {',
      "  cidr_block = var.environment.inputs.vpc_cidr",
      "  tags       = { Name = var.vpc_nmae, Stage = \"${var.stage}\" }",
      "}",
    ].join("\n");
    expect(where(await lint({ [MAIN]: main }))).toEqual([
      `${MAIN}:6 error tf-variable-undeclared: var.vpc_nmae is not declared: no \`variable "vpc_nmae"\` block in env/v1/infrastructure/, and it is not one Proton generates for infrastructure/ (environment, proton_tags) (did you mean "vpc_name"?); terraform validate would fail`,
      `${MAIN}:6 error tf-variable-undeclared: var.stage is not declared: no \`variable "stage"\` block in env/v1/infrastructure/, and it is not one Proton generates for infrastructure/ (environment, proton_tags); terraform validate would fail`,
    ]);
  });

  it("reads declarations from every .tf and .tf.json file of the folder, and Proton's generated variables", async () => {
    const main = 'resource "aws_vpc" "this" {\n  cidr_block = var.environment.inputs.vpc_cidr\n  tags = merge(var.proton_tags, var.extra_tags, { Region = var.region })\n}\n';
    expect(await lint({
      [MAIN]: main,
      "env/v1/infrastructure/variables.tf": "variable extra_tags {\n  type = map(string)\n}\n",
      "env/v1/infrastructure/region.tf.json": '{"variable": {"region": {"type": "string"}}}\n',
    })).toEqual([]);
  });

  it("ignores var.x in comments and plain strings, and declarations that are commented out", async () => {
    const main = [
      '# variable "old" {}',
      "// var.old was removed",
      "/* var.older too */",
      'resource "aws_vpc" "this" {',
      '  cidr_block = "var.not_a_reference"',
      "  tags       = { Name = var.old }",
      "}",
    ].join("\n");
    expect(where(await lint({ [MAIN]: main }))).toEqual([
      expect.stringMatching(new RegExp(`^${MAIN}:6 error tf-variable-undeclared: var\\.old is not declared`)),
    ]);
  });

  it("holds each part to the variables Proton generated for its kind", async () => {
    const svc = parseRepository(snapshot({
      "svc/v1/schema/schema.yaml": 'schema:\n  format:\n    openapi: "3.0.0"\n  service_input_type: "In"\n  types:\n    In:\n      type: object\n      properties: {}\n',
      "svc/v1/.template-registration.yaml": "compatible_environments:\n  - env:1\n",
      "svc/v1/instance_infrastructure/manifest.yaml": TF_MANIFEST,
      "svc/v1/instance_infrastructure/main.tf": 'locals {\n  name = "${var.service.name}-${var.service_instance.name}-${var.environment.name}"\n  first = var.service_instances[0].name\n}\n',
    }));
    expect(where(await lintTerraformBundle(svc.templates[0]!.bundles[0]!))).toEqual([
      expect.stringMatching(/^svc\/v1\/instance_infrastructure\/main\.tf:3 error tf-variable-undeclared: var\.service_instances is not declared: .*Proton generates for instance_infrastructure\/ \(environment, service, service_instance, proton_tags\) \(did you mean "service_instance"\?\)/),
    ]);
  });
});
