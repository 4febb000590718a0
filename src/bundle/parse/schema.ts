// schema/schema.yaml: the bundle's input types, in OpenAPI 3.0 schema syntax.
// Structural mistakes are reported at their line; the compiled form lives in input-schema.ts.
import { errorAt, type Diagnostic } from "../diagnostics.js";
import type { InputSchema, InputType, TemplateKind } from "../model.js";
import { isRecord, lineIndex, parseYaml, type YamlPath } from "./yaml.js";

/** Keywords an OpenAPI 3.0 Schema Object may carry (x-* extensions are allowed too). */
const OPENAPI_KEYWORDS = new Set([
  "title", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
  "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems",
  "maxProperties", "minProperties", "required", "enum", "type", "allOf", "oneOf", "anyOf",
  "not", "items", "properties", "additionalProperties", "description", "format", "default",
  "nullable", "discriminator", "readOnly", "writeOnly", "xml", "externalDocs", "example", "deprecated",
]);
const TYPES = new Set(["string", "number", "integer", "boolean", "array", "object"]);
const NUMERIC = ["minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems", "multipleOf", "minProperties", "maxProperties"];

export interface ParsedSchema {
  schema?: InputSchema;
  diagnostics: Diagnostic[];
}

export function parseSchema(file: string, text: string): ParsedSchema {
  const yaml = parseYaml(file, text);
  const diagnostics = [...yaml.diagnostics];
  if (yaml.value === undefined) return { diagnostics };
  const fail = (message: string, path: YamlPath, code = "schema-invalid") =>
    diagnostics.push(errorAt(file, code, message, yaml.positionOf(path)));

  const root = yaml.value;
  if (!isRecord(root) || !isRecord(root.schema)) {
    fail("schema.yaml must have a top-level `schema:` mapping", []);
    return { diagnostics };
  }
  const s = root.schema;
  const format = isRecord(s.format) ? s.format.openapi : undefined;
  if (typeof format !== "string" || !/^3\.0(\.\d+)?$/.test(format)) {
    fail(`schema.format.openapi must be "3.0.0" (got ${JSON.stringify(format ?? null)})`, ["schema", "format", "openapi"]);
  }
  if (!isRecord(s.types)) {
    fail("schema.types must be a mapping of input type names to object schemas", ["schema"]);
    return { diagnostics };
  }
  const types = s.types as Record<string, InputType>;
  for (const [name, type] of Object.entries(types)) {
    checkSchemaObject(type, ["schema", "types", name], fail, true);
  }
  const names: Partial<Record<"environmentInputType" | "serviceInputType" | "pipelineInputType", string>> = {};
  for (const [key, field] of [
    ["environment_input_type", "environmentInputType"],
    ["service_input_type", "serviceInputType"],
    ["pipeline_input_type", "pipelineInputType"],
  ] as const) {
    const value = s[key];
    if (value === undefined) continue;
    if (typeof value !== "string") fail(`schema.${key} must be the name of a type in schema.types`, ["schema", key]);
    else if (!(value in types)) {
      const known = Object.keys(types).join(", ") || "none";
      fail(`schema.${key} names "${value}", which is not in schema.types (types: ${known})`, ["schema", key], "schema-type-missing");
    }
    if (typeof value === "string") names[field] = value;
  }
  return {
    schema: { file, openapi: typeof format === "string" ? format : "", ...names, types, lines: lineIndex(yaml) },
    diagnostics,
  };
}

/** Which input types a bundle of this kind must declare, given its parts. */
export function checkInputTypes(
  schema: InputSchema,
  kind: TemplateKind,
  hasPipeline: boolean,
): { message: string; key: string }[] {
  const problems: { message: string; key: string }[] = [];
  if (kind === "environment" && !schema.environmentInputType) {
    problems.push({ key: "schema", message: "an environment template's schema needs `environment_input_type`" });
  }
  if (kind === "service" && !schema.serviceInputType) {
    problems.push({ key: "schema", message: "a service template's schema needs `service_input_type`" });
  }
  if (kind === "service" && hasPipeline && !schema.pipelineInputType) {
    problems.push({ key: "schema", message: "the bundle has pipeline_infrastructure/, so the schema needs `pipeline_input_type`" });
  }
  if (kind === "service" && !hasPipeline && schema.pipelineInputType) {
    problems.push({ key: "pipeline_input_type", message: "`pipeline_input_type` is set but the bundle has no pipeline_infrastructure/ folder" });
  }
  return problems;
}

function checkSchemaObject(
  node: unknown,
  path: YamlPath,
  fail: (message: string, path: YamlPath) => void,
  topLevel = false,
): void {
  const where = path.slice(2).join(".");
  if (!isRecord(node)) return void fail(`${where} must be a schema mapping`, path);
  for (const key of Object.keys(node)) {
    if (!OPENAPI_KEYWORDS.has(key) && !key.startsWith("x-")) {
      const hint = [...OPENAPI_KEYWORDS].find((k) => k.toLowerCase() === key.toLowerCase());
      fail(`${where}: unknown schema keyword "${key}"${hint ? ` (did you mean "${hint}"?)` : ""}`, [...path, key]);
    }
  }
  const type = node.type;
  if (topLevel && type !== "object") fail(`${where} must be \`type: object\``, [...path, "type"]);
  if (type !== undefined && (typeof type !== "string" || !TYPES.has(type))) {
    fail(`${where}: type must be one of ${[...TYPES].join(", ")} (got ${JSON.stringify(type)})`, [...path, "type"]);
  }
  for (const key of NUMERIC) {
    if (node[key] !== undefined && typeof node[key] !== "number") fail(`${where}: ${key} must be a number`, [...path, key]);
  }
  if (typeof node.minimum === "number" && typeof node.maximum === "number" && node.minimum > node.maximum) {
    fail(`${where}: minimum (${node.minimum}) is greater than maximum (${node.maximum})`, [...path, "minimum"]);
  }
  if (node.pattern !== undefined) {
    try {
      new RegExp(String(node.pattern), "u");
    } catch (e) {
      fail(`${where}: pattern is not a valid regular expression: ${(e as Error).message}`, [...path, "pattern"]);
    }
  }
  if (node.enum !== undefined && (!Array.isArray(node.enum) || node.enum.length === 0)) {
    fail(`${where}: enum must be a non-empty list`, [...path, "enum"]);
  }
  if (node.required !== undefined) {
    if (!Array.isArray(node.required) || node.required.some((r) => typeof r !== "string")) {
      fail(`${where}: required must be a list of property names`, [...path, "required"]);
    } else if (isRecord(node.properties)) {
      node.required.forEach((name: string, i) => {
        if (!(name in (node.properties as object))) fail(`${where}: required names "${name}", which is not in properties`, [...path, "required", i]);
      });
    }
  }
  if (node.properties !== undefined) {
    if (!isRecord(node.properties)) fail(`${where}: properties must be a mapping`, [...path, "properties"]);
    else for (const [name, prop] of Object.entries(node.properties)) checkSchemaObject(prop, [...path, "properties", name], fail);
  }
  if (node.items !== undefined) checkSchemaObject(node.items, [...path, "items"], fail);
  if (type === "array" && node.items === undefined) fail(`${where}: an array needs \`items\``, path);
}
