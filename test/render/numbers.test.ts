// Numbers as Python has them (issue 9, causes 8, 15 and 16): a spec's 5.0 stays a
// float from the YAML to the output, integers are exact at any size, and runaway
// arithmetic or output fails with a message that names the limit.
import { afterAll, describe, expect, it } from "vitest";
import { validateRepository } from "../../src/bundle/check/validate.js";
import { parseRepository } from "../../src/bundle/parse/repository.js";
import { parseYaml } from "../../src/bundle/parse/yaml.js";
import { environmentContext } from "../../src/bundle/render/context.js";
import { renderBundle } from "../../src/bundle/render/render-bundle.js";
import { TFVARS_FILE, terraformVariableFiles } from "../../src/bundle/render/terraform-vars.js";
import { createRenderPool } from "../../src/jinja/pool.js";
import { ENV_SCHEMA, envTemplate, snapshot } from "../support/snapshot.js";

const renderer = createRenderPool({ size: 1 });
afterAll(() => renderer.close());

const TEMPLATE = "env/v1/infrastructure/cloudformation.yaml";
const SCHEMA = "env/v1/schema/schema.yaml";

/** Validates and renders one environment whose template prints `body`. */
async function renderEnvironment(spec: string, body: string, schema = ENV_SCHEMA) {
  const repo = parseRepository(snapshot({ ...envTemplate({ [TEMPLATE]: body, [SCHEMA]: schema }), "env/spec/spec.yaml": spec }));
  const diagnostics = validateRepository(repo);
  const template = repo.templates[0]!;
  const result = await renderBundle(template.bundles[0]!, template.specs[0]!, renderer, { name: "dev" });
  return { diagnostics: [...diagnostics, ...result.diagnostics], output: result.files[0]?.content };
}

describe("integral floats from a spec", () => {
  it("print as Python prints them, and the schema still sees numbers", async () => {
    const spec = "proton: EnvironmentSpec\nspec:\n  count: 5.0\n  vpc_cidr: '10.0.0.0/16'\n";
    const { diagnostics, output } = await renderEnvironment(spec, "{{ environment.inputs.count }} {{ environment.inputs.count * 2 }} {{ environment.inputs | tojson }}");
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(output).toBe('5.0 10.0 {"count": 5.0, "size": "small", "vpc_cidr": "10.0.0.0/16"}');
  });

  it("keep other spellings: 1e3, -0.0, 1e16 and floats inside lists and mappings", async () => {
    const spec = "proton: EnvironmentSpec\nspec:\n  count: 1e3\n  extra: {a: [-0.0, 1e16, 2.5], b: 7}\n";
    const { output } = await renderEnvironment(spec, "{{ environment.inputs.count }} {{ environment.inputs.extra }}");
    expect(output).toBe("1000.0 {'a': [-0.0, 1e+16, 2.5], 'b': 7}");
  });

  it("in a schema default print as floats too", async () => {
    const schema = ENV_SCHEMA.replace("          minimum: 1\n", "          minimum: 1\n          default: 2.0\n").replace("      required: [count]\n", "");
    const { output } = await renderEnvironment("proton: EnvironmentSpec\nspec: {}\n", "{{ environment.inputs.count }}", schema);
    expect(output).toBe("2.0");
  });
});

describe("Terraform's values file", () => {
  it("writes a spec's 5.0 and big integers as the spec wrote them", () => {
    const inputs = parseYaml("spec.yaml", "cpu: 5.0\nsizes: [1.0, 2]\nbig: 12345678901234567890123\n").value as Record<string, unknown>;
    const tfvars = terraformVariableFiles("environment", environmentContext({ name: "dev", inputs }))[TFVARS_FILE];
    expect(tfvars).toContain('"big": 12345678901234567890123,\n      "cpu": 5.0,\n      "sizes": [\n        1.0,\n        2\n      ]');
  });
});

describe("integers beyond 2^53", () => {
  it("from a spec print every digit and compute exactly", async () => {
    const spec = "proton: EnvironmentSpec\nspec:\n  count: 12345678901234567890123\n";
    const { diagnostics, output } = await renderEnvironment(spec, "{{ environment.inputs.count }} {{ environment.inputs.count + 1 }} {{ environment.inputs.count is integer }}");
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(output).toBe("12345678901234567890123 12345678901234567890124 True");
  });

  it.each([
    ["{{ 10**100 }}", "1" + "0".repeat(100)],
    ["{{ 2**64 + 1 }}", "18446744073709551617"],
    ["{{ 12345678901234567890123 }}", "12345678901234567890123"],
    ["{{ 2**64 * 2**64 - 1 }}", "340282366920938463463374607431768211455"],
    ["{{ -(2**70) // 3 }} {{ -(2**70) % 7 }} {{ 2**70 / 4 }}", "-393530540239137101142 5 2.9514790517935283e+20"],
    ["{{ 2**53 + 1 == 2.0**53 }} {{ 2**53 + 1 > 2.0**53 }} {{ 2**70 == 2.0**70 }}", "False True True"],
    ["{{ '%d' % 2**70 }} {{ '{:,}'.format(2**70) }} {{ '%x' % 2**70 }}", "1180591620717411303424 1,180,591,620,717,411,303,424 400000000000000000"],
    ["{{ '12345678901234567890123' | int }} {{ 1e20 | int }} {{ -(2**70) | abs }} {{ (2**70) | string }}", "12345678901234567890123 100000000000000000000 1180591620717411303424 1180591620717411303424"],
    ["{{ [2**70, 1] | tojson }} {{ 2**70 + 0.5 }}", "[1180591620717411303424, 1] 1.1805916207174113e+21"],
  ])("%s", async (source, output) => {
    expect(await renderer.render({ name: "t", source, context: {} })).toEqual({ ok: true, output });
  });

  it("fail as Python fails where a float cannot hold them", async () => {
    const result = await renderer.render({ name: "t", source: "{{ 10**400 + 1.0 }}", context: {} });
    expect(result).toEqual({ ok: false, error: { kind: "runtime", message: "int too large to convert to float", line: 1 } });
  });
});

describe("runaway numbers and output", () => {
  it("stop at a size limit at once instead of computing 10**(10**8)", async () => {
    const result = await renderer.render({ name: "t", source: "line one\n{{ 10**(10**8) }}", context: {} });
    // A runtime error naming the limit, not the render deadline's timeout: it never started the computation.
    expect(result).toEqual({ ok: false, error: { kind: "runtime", message: "integer too large for the renderer (more than 65536 bits)", line: 2 } });
  });

  it("refuse to print more than 4300 digits, as Python does", async () => {
    const result = await renderer.render({ name: "t", source: "{{ 10**5000 }}", context: {} });
    expect(result.ok ? result : result.error.message).toMatch(/^Exceeds the limit \(4300 digits\) for integer string conversion/);
  });

  it("name the output limit when a string doubles past it", async () => {
    const source = "{% set ns = namespace(v='ab') %}\n{% for i in range(40) %}{% set ns.v = ns.v ~ ns.v %}{% endfor %}{{ ns.v | length }}";
    const result = await renderer.render({ name: "t", source, context: {} });
    // The engine's longest string: QuickJS 2^30 - 1 characters, V8 2^29 - 24.
    const message = /^render output too long: text longer than (1073741823|536870888) characters, the sandbox's limit for the output and any string in it$/;
    expect(result).toEqual({ ok: false, error: { kind: "runtime", line: 2, message: expect.stringMatching(message) } });
  });
});
