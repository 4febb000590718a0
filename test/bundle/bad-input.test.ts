// Malformed and hostile bundles: each gets one clear diagnostic at its file and
// line, and nothing throws. (Hostile *templates* are in test/render/sandbox.test.ts.)
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/bundle/diagnostics.js";
import { parseRepository } from "../../src/bundle/parse/repository.js";
import { validateRepository } from "../../src/bundle/check/validate.js";
import { CFN_MANIFEST, ENV_SCHEMA, envTemplate, snapshot } from "../support/snapshot.js";

const SCHEMA = "env/v1/schema/schema.yaml";
const MANIFEST = "env/v1/infrastructure/manifest.yaml";
const CFN = "env/v1/infrastructure/cloudformation.yaml";
const SPEC = "env/spec/spec.yaml";

const svcFiles = (overrides: Record<string, string | null> = {}) => {
  const files: Record<string, string | null> = {
    "svc/v1/schema/schema.yaml": 'schema:\n  format:\n    openapi: "3.0.0"\n  service_input_type: "In"\n  types:\n    In:\n      type: object\n      properties:\n        port:\n          type: number\n          default: 80\n',
    "svc/v1/instance_infrastructure/manifest.yaml": CFN_MANIFEST,
    "svc/v1/instance_infrastructure/cloudformation.yaml": "Resources: {}\n",
    "svc/v1/.template-registration.yaml": "compatible_environments:\n  - env:1\n",
    ...overrides,
  };
  return Object.fromEntries(Object.entries(files).filter((e): e is [string, string] => e[1] !== null));
};

const bomb = (() => {
  const levels = ["a: &a [x, x, x, x, x, x, x, x, x]"];
  for (let i = 1; i < 9; i++) {
    const prev = String.fromCharCode(96 + i);
    const name = String.fromCharCode(97 + i);
    levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(", ")}]`);
  }
  return levels.join("\n") + "\n";
})();

const bytes = (n: number, fill = 0x61) => new Uint8Array(n).fill(fill);

interface Case {
  name: string;
  files: Record<string, string | Uint8Array>;
  symlinks?: Record<string, string>;
  expect: { file: string; code: string; message: RegExp; line?: number };
}

const cases: Case[] = [
  { name: "malformed YAML in the schema", files: envTemplate({ [SCHEMA]: "schema:\n  types: [1, 2\n" }), expect: { file: SCHEMA, code: "yaml-syntax", message: /invalid YAML/ } },
  { name: "malformed YAML in a manifest", files: envTemplate({ [MANIFEST]: "infrastructure:\n  templates:\n    - file: 'a\n" }), expect: { file: MANIFEST, code: "yaml-syntax", message: /invalid YAML/ } },
  { name: "malformed YAML in a spec", files: envTemplate({ [SPEC]: "proton: EnvironmentSpec\nspec: {a: 1\n" }), expect: { file: SPEC, code: "yaml-syntax", message: /invalid YAML/ } },
  { name: "duplicate key in the schema", files: envTemplate({ [SCHEMA]: ENV_SCHEMA + "schema: {}\n" }), expect: { file: SCHEMA, code: "yaml-syntax", message: /unique/i, line: 20 } },
  { name: "alias bomb in the schema", files: envTemplate({ [SCHEMA]: bomb }), expect: { file: SCHEMA, code: "yaml-alias-bomb", message: /aliases expand too far/ } },
  { name: "alias bomb in a spec", files: envTemplate({ [SPEC]: bomb }), expect: { file: SPEC, code: "yaml-alias-bomb", message: /aliases/ } },
  { name: "schema without a `schema:` mapping", files: envTemplate({ [SCHEMA]: "types: {}\n" }), expect: { file: SCHEMA, code: "schema-invalid", message: /top-level `schema:`/ } },
  { name: "wrong OpenAPI version", files: envTemplate({ [SCHEMA]: ENV_SCHEMA.replace('"3.0.0"', '"2.0"') }), expect: { file: SCHEMA, code: "schema-invalid", message: /openapi must be "3\.0\.0"/, line: 3 } },
  { name: "input type name that does not exist", files: envTemplate({ [SCHEMA]: ENV_SCHEMA.replace('environment_input_type: "EnvInput"', 'environment_input_type: "EnvInputs"') }), expect: { file: SCHEMA, code: "schema-type-missing", message: /"EnvInputs", which is not in schema.types/, line: 4 } },
  { name: "misspelt schema keyword", files: envTemplate({ [SCHEMA]: ENV_SCHEMA.replace("minimum: 1", "minimum: 1\n          maxlength: 3") }), expect: { file: SCHEMA, code: "schema-invalid", message: /unknown schema keyword "maxlength" \(did you mean "maxLength"\?\)/, line: 19 } },
  { name: "input type that is not an object", files: envTemplate({ [SCHEMA]: ENV_SCHEMA.replace("      type: object\n", "      type: string\n") }), expect: { file: SCHEMA, code: "schema-invalid", message: /must be `type: object`/, line: 7 } },
  { name: "unknown property type", files: envTemplate({ [SCHEMA]: ENV_SCHEMA.replace("type: number", "type: integr") }), expect: { file: SCHEMA, code: "schema-invalid", message: /type must be one of/, line: 17 } },
  { name: "invalid regular expression", files: envTemplate({ [SCHEMA]: ENV_SCHEMA.replace("default: 10.0.0.0/16", "default: 10.0.0.0/16\n          pattern: '([0-9'") }), expect: { file: SCHEMA, code: "schema-invalid", message: /pattern is not a valid regular expression/, line: 12 } },
  { name: "pattern with a backreference", files: envTemplate({ [SCHEMA]: ENV_SCHEMA.replace("default: 10.0.0.0/16", () => "default: 10.0.0.0/16\n          pattern: '^(\\d+)\\.\\1$'") }), expect: { file: SCHEMA, code: "schema-invalid", message: /pattern uses a backreference, which Baryon does not support: it matches patterns in linear time/, line: 12 } },
  { name: "pattern with a lookahead", files: envTemplate({ [SCHEMA]: ENV_SCHEMA.replace("default: 10.0.0.0/16", () => "default: 10.0.0.0/16\n          pattern: '^(?!0\\.)'") }), expect: { file: SCHEMA, code: "schema-invalid", message: /pattern uses a lookahead/, line: 12 } },
  { name: "catastrophic pattern against a long spec value", files: envTemplate({ [SCHEMA]: ENV_SCHEMA.replace("default: 10.0.0.0/16", () => "default: aaaa\n          pattern: '^(a+)+$'"), [SPEC]: `proton: EnvironmentSpec\nspec:\n  count: 1\n  vpc_cidr: ${"a".repeat(39)}!\n` }), expect: { file: SPEC, code: "spec-invalid", message: /vpc_cidr must match pattern "\^\(a\+\)\+\$"/, line: 4 } },
  { name: "minimum above maximum", files: envTemplate({ [SCHEMA]: ENV_SCHEMA.replace("minimum: 1", "minimum: 10\n          maximum: 5") }), expect: { file: SCHEMA, code: "schema-invalid", message: /minimum \(10\) is greater than maximum \(5\)/, line: 18 } },
  { name: "required names an unknown property", files: envTemplate({ [SCHEMA]: ENV_SCHEMA.replace("required: [count]", "required: [count, cuont]") }), expect: { file: SCHEMA, code: "schema-invalid", message: /required names "cuont"/, line: 19 } },
  { name: "spec using a default that breaks its own schema", files: envTemplate({ [SCHEMA]: ENV_SCHEMA.replace("default: small", "default: medium"), [SPEC]: "proton: EnvironmentSpec\nspec:\n  count: 2\n" }), expect: { file: SPEC, code: "spec-invalid", message: /the default of input size \("medium"\) violates the schema: size must be one of "small", "large"/, line: 2 } },
  { name: "array without items", files: envTemplate({ [SCHEMA]: ENV_SCHEMA.replace("type: number", "type: array") }), expect: { file: SCHEMA, code: "schema-invalid", message: /an array needs `items`/, line: 16 } },
  { name: "manifest without `infrastructure:`", files: envTemplate({ [MANIFEST]: "templates: []\n" }), expect: { file: MANIFEST, code: "manifest-invalid", message: /`infrastructure:` mapping/ } },
  { name: "manifest naming a missing file", files: envTemplate({ [MANIFEST]: CFN_MANIFEST.replace("cloudformation.yaml", "cfn.yaml") }), expect: { file: MANIFEST, code: "template-file-missing", message: /"cfn.yaml" does not exist in infrastructure\//, line: 3 } },
  { name: "manifest path leaving the bundle", files: envTemplate({ [MANIFEST]: CFN_MANIFEST.replace('"cloudformation.yaml"', '"../../../../etc/passwd"') }), expect: { file: MANIFEST, code: "path-unsafe", message: /outside infrastructure\//, line: 3 } },
  { name: "unknown rendering engine", files: envTemplate({ [MANIFEST]: CFN_MANIFEST.replace("rendering_engine: jinja", "rendering_engine: mustache") }), expect: { file: MANIFEST, code: "manifest-invalid", message: /rendering_engine must be one of jinja, hcl, codebuild/, line: 4 } },
  { name: "`file: \"*\"` with the jinja engine", files: envTemplate({ [MANIFEST]: CFN_MANIFEST.replace('"cloudformation.yaml"', '"*"') }), expect: { file: MANIFEST, code: "manifest-invalid", message: /needs `rendering_engine: hcl`/, line: 3 } },
  { name: "part folder without a manifest", files: envTemplate({ [MANIFEST]: null }), expect: { file: MANIFEST, code: "manifest-missing", message: /needs a manifest.yaml/ } },
  { name: "bundle without schema.yaml", files: envTemplate({ [SCHEMA]: null }), expect: { file: SCHEMA, code: "schema-missing", message: /needs schema\/schema.yaml/ } },
  { name: "bundle without any infrastructure folder", files: { [SCHEMA]: ENV_SCHEMA }, expect: { file: "env/v1", code: "bundle-parts-missing", message: /needs infrastructure\/ .* or instance_infrastructure\// } },
  { name: "service template without registration", files: svcFiles({ "svc/v1/.template-registration.yaml": null }), expect: { file: "svc/v1/.template-registration.yaml", code: "registration-missing", message: /compatible environment templates/ } },
  { name: "registration entry without a major", files: svcFiles({ "svc/v1/.template-registration.yaml": "compatible_environments:\n  - env:1\n  - env\n" }), expect: { file: "svc/v1/.template-registration.yaml", code: "registration-invalid", message: /"env" must be "<environment-template>:<major>"/, line: 3 } },
  { name: "legacy .compatible-envs with a bad line", files: svcFiles({ "svc/v1/.template-registration.yaml": null, "svc/v1/.compatible-envs": "env:1\nenv:v2\n" }), expect: { file: "svc/v1/.compatible-envs", code: "registration-invalid", message: /"env:v2"/, line: 2 } },
  { name: "spec value outside an enum", files: envTemplate({ [SPEC]: "proton: EnvironmentSpec\nspec:\n  count: 2\n  size: huge\n" }), expect: { file: SPEC, code: "spec-invalid", message: /size must be one of "small", "large"/, line: 4 } },
  { name: "spec value of the wrong type", files: envTemplate({ [SPEC]: "proton: EnvironmentSpec\nspec:\n  count: two\n" }), expect: { file: SPEC, code: "spec-invalid", message: /count must be a number/, line: 3 } },
  { name: "spec missing a required input without default", files: envTemplate({ [SPEC]: "proton: EnvironmentSpec\nspec:\n  size: large\n" }), expect: { file: SPEC, code: "spec-invalid", message: /required input "count" is missing/, line: 2 } },
  { name: "ServiceSpec for an environment template", files: envTemplate({ [SPEC]: "proton: ServiceSpec\ninstances:\n  - name: a\n    environment: e\n" }), expect: { file: SPEC, code: "spec-kind", message: /environment template, so its spec is `proton: EnvironmentSpec`/, line: 1 } },
  { name: "ServiceSpec without instances", files: svcFiles({ "svc/spec/spec.yaml": "proton: ServiceSpec\n" }), expect: { file: "svc/spec/spec.yaml", code: "spec-invalid", message: /needs `instances:`/ } },
  { name: "ServiceSpec with a duplicate instance", files: svcFiles({ "svc/spec/spec.yaml": "proton: ServiceSpec\ninstances:\n  - name: a\n    environment: e\n  - name: a\n    environment: e\n" }), expect: { file: "svc/spec/spec.yaml", code: "spec-invalid", message: /"a" appears twice/, line: 5 } },
  { name: "binary template file", files: envTemplate({ [CFN]: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 1]) }), expect: { file: CFN, code: "binary-file", message: /binary file/, line: 1 } },
  { name: "file that is not UTF-8", files: envTemplate({ [CFN]: new Uint8Array([0x52, 0x65, 0xff, 0xfe, 0x0a]) }), expect: { file: CFN, code: "binary-file", message: /not valid UTF-8/ } },
  { name: "template file over 200 KB", files: envTemplate({ [CFN]: bytes(200 * 1024 + 1) }), expect: { file: CFN, code: "file-too-large", message: /200 KB/ } },
  { name: "manifest over 50 KB", files: envTemplate({ [MANIFEST]: CFN_MANIFEST + "#".repeat(50 * 1024) }), expect: { file: MANIFEST, code: "file-too-large", message: /50 KB/ } },
  { name: "bundle over 5 MB", files: envTemplate(Object.fromEntries(Array.from({ length: 27 }, (_, i) => [`env/v1/assets/f${i}.txt`, bytes(199 * 1024)]))), expect: { file: "env/v1", code: "bundle-too-large", message: /Proton's limit is 5 MB/ } },
  { name: "more than 10 template files", files: envTemplate({ [MANIFEST]: "infrastructure:\n  templates:\n    - file: '*'\n      rendering_engine: hcl\n      template_language: terraform\n", [CFN]: null, ...Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`env/v1/infrastructure/m${i}.tf`, "# tf\n"])) }), expect: { file: "env/v1", code: "too-many-template-files", message: /11 template files; Proton's limit is 10/ } },
  { name: "template name over 100 characters", files: envTemplate({}, `${"x".repeat(101)}/v1`), expect: { file: `${"x".repeat(101)}/v1`, code: "template-name", message: /101 characters/ } },
  { name: "template name with invalid characters", files: envTemplate({}, "my.env/v1"), expect: { file: "my.env/v1", code: "template-name", message: /letters, digits/ } },
  { name: "symlink named by a manifest", files: envTemplate({ [CFN]: null }), symlinks: { [CFN]: "/etc/shadow" }, expect: { file: CFN, code: "symlink", message: /links are never followed/ } },
  { name: "archive path escaping the repository", files: envTemplate({ "env/v1/../../../etc/cron.d/x": "* * * * * root sh\n" }), expect: { file: "env/v1/../../../etc/cron.d/x", code: "path-unsafe", message: /leaves the repository/ } },
  { name: "absolute archive path", files: envTemplate({ "/etc/passwd": "root:x:0:0\n" }), expect: { file: "/etc/passwd", code: "path-unsafe", message: /absolute/ } },
  { name: "pipeline_input_type without a pipeline", files: svcFiles({ "svc/v1/schema/schema.yaml": 'schema:\n  format:\n    openapi: "3.0.0"\n  service_input_type: "In"\n  pipeline_input_type: "In"\n  types:\n    In:\n      type: object\n      properties: {}\n' }), expect: { file: "svc/v1/schema/schema.yaml", code: "schema-input-type", message: /no pipeline_infrastructure\/ folder/, line: 5 } },
  { name: "environment template with a pipeline", files: envTemplate({ "env/v1/pipeline_infrastructure/manifest.yaml": CFN_MANIFEST, "env/v1/pipeline_infrastructure/cloudformation.yaml": "Resources: {}\n" }), expect: { file: "env/v1/pipeline_infrastructure", code: "bundle-parts-mixed", message: /environment template has no pipeline/ } },
];

function check(files: Case["files"], symlinks?: Record<string, string>): Diagnostic[] {
  return validateRepository(parseRepository(snapshot(files, symlinks)));
}

describe("bad input gets a clear diagnostic at its file and line", () => {
  it("has at least 30 cases", () => expect(cases.length).toBeGreaterThanOrEqual(30));

  it.each(cases)("$name", ({ files, symlinks, expect: want }) => {
    const diagnostics = check(files, symlinks);
    const errors = diagnostics.filter((d) => d.severity === "error");
    const match = errors.find((d) => d.code === want.code && d.file === want.file);
    expect(match, `expected ${want.code} on ${want.file}, got:\n${JSON.stringify(errors, null, 2)}`).toBeDefined();
    expect(match!.message).toMatch(want.message);
    if (want.line !== undefined) expect(match!.line).toBe(want.line);
  });

  it("a valid template with a CURRENT_VAL spec value has no errors", () => {
    const diagnostics = check(envTemplate({ [SPEC]: 'proton: EnvironmentSpec\nspec:\n  count: "${Proton::CURRENT_VAL}"\n' }));
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });
});

describe("spec names that could escape or collide", () => {
  it.each([["../../etc/x"], ["a/b"], ["pipeline"], [""]])("refuses instance name %j", (name) => {
    const files = { ...envTemplate(), "env/spec/spec.yaml": `proton: ServiceSpec\ninstances:\n  - name: ${JSON.stringify(name)}\n    environment: dev\n` };
    const errors = check(files).filter((d) => d.file === "env/spec/spec.yaml" && d.code === "spec-invalid");
    expect(errors[0]?.message).toMatch(name ? /instance name .* must be 1-100 letters/ : /needs a `name`/);
  });
});
