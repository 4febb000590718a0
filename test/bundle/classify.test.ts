import { describe, expect, it } from "vitest";
import { classifyChange, type ChangeReason } from "../../src/bundle/classify/classify.js";
import { parseRepository } from "../../src/bundle/parse/repository.js";
import type { Bundle } from "../../src/bundle/model.js";
import { CFN_MANIFEST, snapshot } from "../support/snapshot.js";

interface Shape {
  properties?: string;
  required?: string[];
  pipeline?: boolean;
  envs?: string[];
  iac?: string;
}

/** A service bundle whose SvcInput has the given YAML properties (indented under `properties:`). */
function service({ properties = "port: {type: number, default: 80}", required, pipeline = false, envs = ["env:1"], iac = "Resources: {}\n" }: Shape = {}): Bundle {
  const props = properties.split("\n").map((l) => `        ${l}`).join("\n");
  const schema = [
    "schema:", "  format:", '    openapi: "3.0.0"', '  service_input_type: "SvcInput"',
    ...(pipeline ? ['  pipeline_input_type: "PipeInput"'] : []),
    "  types:", "    SvcInput:", "      type: object", "      properties:", props,
    ...(required ? [`      required: [${required.join(", ")}]`] : []),
    ...(pipeline ? ["    PipeInput:", "      type: object", "      properties: {}"] : []),
  ].join("\n") + "\n";
  const repo = parseRepository(snapshot({
    "svc/v1/schema/schema.yaml": schema,
    "svc/v1/instance_infrastructure/manifest.yaml": CFN_MANIFEST,
    "svc/v1/instance_infrastructure/cloudformation.yaml": iac,
    "svc/v1/.template-registration.yaml": `compatible_environments:\n${envs.map((e) => `  - ${e}`).join("\n")}\n`,
    ...(pipeline ? { "svc/v1/pipeline_infrastructure/manifest.yaml": CFN_MANIFEST, "svc/v1/pipeline_infrastructure/cloudformation.yaml": "Resources: {}\n" } : {}),
  }));
  expect(repo.diagnostics).toEqual([]);
  return repo.templates[0]!.bundles[0]!;
}

function classify(base: Shape, head: Shape) {
  return classifyChange(service(base), service(head));
}

const reason = (path: string, change: RegExp | string, breaking: boolean) =>
  expect.objectContaining({ path: `service_instance.inputs.${path}`, change: typeof change === "string" ? change : expect.stringMatching(change), breaking });

describe("classifyChange", () => {
  it("identical bundles are no change", () => {
    expect(classify({}, {})).toEqual({ change: "none", reasons: [] });
  });

  it("a new major folder is a major", () => {
    expect(classifyChange(undefined, service()).change).toBe("major");
  });

  const rules: { name: string; base: Shape; head: Shape; reasons: ChangeReason[] | ReturnType<typeof reason>[]; change: "major" | "minor" }[] = [
    { name: "removed input", base: { properties: "port: {type: number}\nsize: {type: string}" }, head: { properties: "port: {type: number}" }, change: "major", reasons: [reason("size", "input removed", true)] },
    { name: "added optional input", base: {}, head: { properties: "port: {type: number, default: 80}\nsize: {type: string}" }, change: "minor", reasons: [reason("size", "optional input added", false)] },
    { name: "added required input without default", base: {}, head: { properties: "port: {type: number, default: 80}\nsize: {type: string}", required: ["size"] }, change: "major", reasons: [reason("size", "required input added without a default", true)] },
    { name: "added required input with a default", base: {}, head: { properties: "port: {type: number, default: 80}\nsize: {type: string, default: s}", required: ["size"] }, change: "minor", reasons: [reason("size", /optional input added \(default "s"\)/, false)] },
    { name: "type changed", base: {}, head: { properties: "port: {type: string, default: '80'}" }, change: "major", reasons: [reason("port", "type changed from number to string", true)] },
    { name: "enum narrowed", base: { properties: "size: {type: string, enum: [s, m, l]}" }, head: { properties: "size: {type: string, enum: [s, m]}" }, change: "major", reasons: [reason("size", 'enum narrowed: removed "l"', true)] },
    { name: "enum widened", base: { properties: "size: {type: string, enum: [s, m]}" }, head: { properties: "size: {type: string, enum: [s, m, l]}" }, change: "minor", reasons: [reason("size", 'enum widened: added "l"', false)] },
    { name: "enum added", base: { properties: "size: {type: string}" }, head: { properties: "size: {type: string, enum: [s]}" }, change: "major", reasons: [reason("size", 'enum added: "s"', true)] },
    { name: "minimum raised", base: { properties: "port: {type: number, minimum: 0}" }, head: { properties: "port: {type: number, minimum: 1}" }, change: "major", reasons: [reason("port", "minimum raised from 0 to 1", true)] },
    { name: "minimum lowered", base: { properties: "port: {type: number, minimum: 1}" }, head: { properties: "port: {type: number, minimum: 0}" }, change: "minor", reasons: [reason("port", "minimum lowered from 1 to 0", false)] },
    { name: "maximum lowered", base: { properties: "port: {type: number, maximum: 100}" }, head: { properties: "port: {type: number, maximum: 10}" }, change: "major", reasons: [reason("port", "maximum lowered from 100 to 10", true)] },
    { name: "maximum raised", base: { properties: "port: {type: number, maximum: 10}" }, head: { properties: "port: {type: number, maximum: 100}" }, change: "minor", reasons: [reason("port", "maximum raised from 10 to 100", false)] },
    { name: "maximum added", base: { properties: "port: {type: number}" }, head: { properties: "port: {type: number, maximum: 100}" }, change: "major", reasons: [reason("port", "maximum added: 100", true)] },
    { name: "maximum removed", base: { properties: "port: {type: number, maximum: 100}" }, head: { properties: "port: {type: number}" }, change: "minor", reasons: [reason("port", "maximum removed", false)] },
    { name: "minLength raised", base: { properties: "name: {type: string, minLength: 1}" }, head: { properties: "name: {type: string, minLength: 3}" }, change: "major", reasons: [reason("name", "minLength raised from 1 to 3", true)] },
    { name: "maxLength lowered", base: { properties: "name: {type: string, maxLength: 30}" }, head: { properties: "name: {type: string, maxLength: 20}" }, change: "major", reasons: [reason("name", "maxLength lowered from 30 to 20", true)] },
    { name: "maxLength raised", base: { properties: "name: {type: string, maxLength: 20}" }, head: { properties: "name: {type: string, maxLength: 30}" }, change: "minor", reasons: [reason("name", "maxLength raised from 20 to 30", false)] },
    { name: "pattern added", base: { properties: "name: {type: string}" }, head: { properties: "name: {type: string, pattern: '^[a-z]+$'}" }, change: "major", reasons: [reason("name", "pattern added: ^[a-z]+$", true)] },
    { name: "pattern removed", base: { properties: "name: {type: string, pattern: '^[a-z]+$'}" }, head: { properties: "name: {type: string}" }, change: "minor", reasons: [reason("name", "pattern removed", false)] },
    { name: "default removed from a required input", base: { properties: "port: {type: number, default: 80}", required: ["port"] }, head: { properties: "port: {type: number}", required: ["port"] }, change: "major", reasons: [reason("port", "default removed from a required input", true)] },
    { name: "default changed", base: {}, head: { properties: "port: {type: number, default: 8080}" }, change: "minor", reasons: [reason("port", "default changed from 80 to 8080", false)] },
    { name: "optional input became required without default", base: { properties: "name: {type: string}" }, head: { properties: "name: {type: string}", required: ["name"] }, change: "major", reasons: [reason("name", "input became required without a default", true)] },
    { name: "description only", base: { properties: "port: {type: number, description: a}" }, head: { properties: "port: {type: number, description: b, title: Port}" }, change: "minor", reasons: [reason("port", "description changed", false), reason("port", "title changed", false)] },
    { name: "array item type changed", base: { properties: "ids: {type: array, items: {type: string}}" }, head: { properties: "ids: {type: array, items: {type: number}}" }, change: "major", reasons: [reason("ids[]", "type changed from string to number", true)] },
    { name: "pipeline removed", base: { pipeline: true }, head: {}, change: "major", reasons: [
      { path: "pipeline", change: "pipeline removed", breaking: true },
      { path: "pipeline_infrastructure/cloudformation.yaml", change: "file removed", breaking: false },
      { path: "pipeline_infrastructure/manifest.yaml", change: "file removed", breaking: false },
    ] },
    { name: "compatible environment removed", base: { envs: ["env:1", "other:2"] }, head: { envs: ["env:1"] }, change: "major", reasons: [{ path: "compatible_environments.other:2", change: "compatible environment removed", breaking: true }] },
    { name: "compatible environment added", base: {}, head: { envs: ["env:1", "other:2"] }, change: "minor", reasons: [{ path: "compatible_environments.other:2", change: "compatible environment added", breaking: false }] },
    { name: "multipleOf added", base: { properties: "port: {type: number}" }, head: { properties: "port: {type: number, multipleOf: 10}" }, change: "major", reasons: [reason("port", "multipleOf added: 10", true)] },
    { name: "uniqueItems removed", base: { properties: "ids: {type: array, items: {type: string}, uniqueItems: true}" }, head: { properties: "ids: {type: array, items: {type: string}}" }, change: "minor", reasons: [reason("ids", "uniqueItems removed", false)] },
    { name: "nullable dropped", base: { properties: "name: {type: string, nullable: true}" }, head: { properties: "name: {type: string}" }, change: "major", reasons: [reason("name", "no longer accepts null", true)] },
    { name: "nullable added", base: { properties: "name: {type: string}" }, head: { properties: "name: {type: string, nullable: true}" }, change: "minor", reasons: [reason("name", "now accepts null", false)] },
    { name: "IaC-only change", base: {}, head: { iac: "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n" }, change: "minor", reasons: [{ path: "instance_infrastructure/cloudformation.yaml", change: "file changed", breaking: false }] },
  ];

  it.each(rules)("$name is $change", ({ base, head, change, reasons }) => {
    const result = classify(base, head);
    expect(result.change).toBe(change);
    expect(result.reasons).toEqual(reasons);
  });

  it("additionalProperties: false on an input type is breaking (specs with other keys stop validating)", () => {
    const base = service();
    const head = service();
    const type = head.schema!.types.SvcInput!;
    const edited = { ...head, schema: { ...head.schema!, types: { SvcInput: { ...type, additionalProperties: false } } } };
    expect(classifyChange(base, edited).reasons).toContainEqual({ path: "service_instance.inputs", change: "additionalProperties added: false", breaking: true });
    expect(classifyChange(base, edited).change).toBe("major");
  });

  it("a schema edit that changes no input (comments, order) is still a minor, reported as a file change", () => {
    const base = service();
    const head = service();
    const schemaPath = "svc/v1/schema/schema.yaml";
    const edited = new Map(head.files);
    edited.set(schemaPath, new TextEncoder().encode(new TextDecoder().decode(head.files.get(schemaPath)) + "# reviewed\n"));
    expect(classifyChange(base, { ...head, files: edited })).toEqual({
      change: "minor",
      reasons: [{ path: "schema/schema.yaml", change: "file changed", breaking: false }],
    });
  });
});
