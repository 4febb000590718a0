// `validate` at scale: each input type is compiled once, however many of its
// inputs carry a default and however many instances a spec lists. Counted
// through Ajv's own compile, so a per-input or per-instance compile fails here.
import { Ajv } from "ajv";
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { compileInputType } from "../../src/bundle/check/input-schema.js";
import { validateRepository } from "../../src/bundle/check/validate.js";
import type { Diagnostic } from "../../src/bundle/diagnostics.js";
import type { InputType } from "../../src/bundle/model.js";
import { parseRepository } from "../../src/bundle/parse/repository.js";
import { CFN_MANIFEST, envTemplate, snapshot } from "../support/snapshot.js";

const where = (diagnostics: Diagnostic[]) => diagnostics.map((d) => `${d.file}:${d.line} ${d.severity} ${d.code}: ${d.message}`);
const validate = (files: Record<string, string | Uint8Array>) => validateRepository(parseRepository(snapshot(files)));

// A fresh name per schema, so no earlier test has compiled the same text.
let serial = 0;
const unique = () => `u${process.pid}x${++serial}`;

/** An input type of `count` inputs, each with a default; every third default breaks its own schema. */
function inputType(name: string, count: number, tag: string, extra = ""): string {
  const lines = [`    ${name}:`, "      type: object", "      properties:"];
  for (let i = 0; i < count; i++) {
    lines.push(`        ${tag}_${i}:`, "          type: string", "          minLength: 2");
    lines.push(i % 3 === 0 ? '          default: ""' : `          default: value${i}`);
    if (extra) lines.push(`          ${extra}`);
  }
  return lines.join("\n");
}

function schemaFile(head: string, types: string[]): string {
  return ['schema:\n  format:\n    openapi: "3.0.0"', head, "  types:", ...types].join("\n") + "\n";
}

function serviceFiles(tag: string, instances: number, extra = ""): Record<string, string> {
  const spec = ["proton: ServiceSpec", "pipeline:", `  ${tag}_1: piped`, "instances:"];
  for (let i = 0; i < instances; i++) spec.push(`  - name: i${i}`, "    environment: dev", "    spec:", `      ${tag}_1: v${i}`);
  return {
    "svc/v1/schema/schema.yaml": schemaFile('  service_input_type: "In"\n  pipeline_input_type: "Pipe"', [inputType("In", 20, tag, extra), inputType("Pipe", 10, tag, extra)]),
    "svc/v1/instance_infrastructure/manifest.yaml": CFN_MANIFEST,
    "svc/v1/instance_infrastructure/cloudformation.yaml": "Resources: {}\n",
    "svc/v1/pipeline_infrastructure/manifest.yaml": CFN_MANIFEST,
    "svc/v1/pipeline_infrastructure/cloudformation.yaml": "Resources: {}\n",
    "svc/v1/.template-registration.yaml": "compatible_environments:\n  - env:1\n",
    "svc/spec/spec.yaml": spec.join("\n") + "\n",
  };
}

describe("validate compiles each input type once", () => {
  let compile: MockInstance;
  const compiledTypes = () => compile.mock.calls.filter(([schema]) => (schema as { type?: unknown }).type === "object").length;
  beforeEach(() => {
    compile = vi.spyOn(Ajv.prototype, "compile");
  });
  afterEach(() => compile.mockRestore());

  it("once per type, not once per input with a default nor once per spec instance", () => {
    const tag = unique();
    const diagnostics = validate({ ...envTemplate(), ...serviceFiles(tag, 50) });
    // EnvInput, In and Pipe: three types, 30 defaults, 50 instances.
    expect(compiledTypes()).toBe(3);
    const warnings = diagnostics.filter((d) => d.code === "schema-default-invalid");
    expect(warnings).toHaveLength(7 + 4);
    expect(where(warnings).slice(0, 2)).toEqual([
      `svc/v1/schema/schema.yaml:13 warning schema-default-invalid: the default of In.${tag}_0 does not satisfy its own schema: ${tag}_0 must NOT have fewer than 2 characters; a spec that leaves ${tag}_0 out fails`,
      `svc/v1/schema/schema.yaml:25 warning schema-default-invalid: the default of In.${tag}_3 does not satisfy its own schema: ${tag}_3 must NOT have fewer than 2 characters; a spec that leaves ${tag}_3 out fails`,
    ]);
    // Every instance leaves the broken defaults out, so each one fails on them.
    expect(diagnostics.filter((d) => d.code === "spec-invalid")).toHaveLength(50 * 7 + 4);
  });

  it("a type that does not compile is tried once and reported once", () => {
    const tag = unique();
    const diagnostics = validate(serviceFiles(tag, 20, "pattern: '^(a)\\1$'"));
    expect(compiledTypes()).toBe(2);
    expect(diagnostics.filter((d) => /does not compile/.test(d.message)).map((d) => /^input type \w+/.exec(d.message)?.[0])).toEqual([
      "input type In",
      "input type Pipe",
    ]);
  });

  it("identical schemas in other templates, or in the next check of the same repository, are not compiled again", () => {
    const tag = unique();
    const files = serviceFiles(tag, 5);
    const copies = Object.fromEntries(Object.entries(files).map(([path, text]) => [path.replace(/^svc\//, "svc2/"), text]));
    const first = validate({ ...files, ...copies });
    expect(compiledTypes()).toBe(2);
    const again = validate({ ...files, ...copies });
    expect(compiledTypes()).toBe(2);
    expect(where(again)).toEqual(where(first));
  });
});

describe("the defaults' warnings are the ones a compile per input gave", () => {
  // The former check: each defaulted property compiled alone in an object of its own.
  const perInput = (type: InputType) => Object.entries(type.properties ?? {})
    .filter(([, definition]) => definition.default !== undefined)
    .flatMap(([prop, definition]) => compileInputType({ type: "object", properties: { [prop]: definition } })
      .check({ [prop]: definition.default })
      .map((p) => `${prop}: ${p.message}`));

  it("for odd names, nested values, and keywords of the whole type that must not apply", () => {
    const tag = unique();
    const schema = schemaFile('  environment_input_type: "E"', [[
      "    E:",
      "      type: object",
      "      additionalProperties: false",
      "      minProperties: 40",
      `      required: [${tag}_needed, "a/b"]`,
      "      properties:",
      `        ${tag}_needed: {type: string}`,
      '        "a/b": {type: integer, default: 1.5}',
      '        "t~x": {type: string, enum: [x, y], default: z}',
      '        "007": {type: number, exclusiveMinimum: true, minimum: 7, default: 7}',
      "        nested:",
      "          type: object",
      "          required: [inner]",
      "          properties: {inner: {type: string}, other: {type: number}}",
      "          default: {other: nope}",
      "        list: {type: array, items: {type: string, maxLength: 2}, default: [ok, long, 3]}",
      "        maybe: {type: string, nullable: true, default: null}",
      "        never: {type: string, nullable: false, default: null}",
      "        both: {allOf: [{minLength: 3}, {maxLength: 1}], default: ab}",
      "        current: {type: number, default: '${Proton::CURRENT_VAL}'}",
      "        fine: {type: string, default: ok}",
    ].join("\n")]);
    const diagnostics = validate(envTemplate({ "env/v1/schema/schema.yaml": schema }));
    const warnings = diagnostics.filter((d) => d.code === "schema-default-invalid");
    const type = parseRepository(snapshot(envTemplate({ "env/v1/schema/schema.yaml": schema }))).templates[0]!.bundles[0]!.schema!.types["E"]!;
    const expected = perInput(type);
    expect(expected.length).toBeGreaterThan(8);
    expect(warnings.map((d) => /^the default of E\.(.*) does not satisfy its own schema: (.*); a spec that leaves/s.exec(d.message)!.slice(1).join(": "))).toEqual(expected);
    const lines = schema.split("\n");
    for (const d of warnings) expect(lines[(d.line ?? 0) - 1]).toContain("default:");
  });
});
