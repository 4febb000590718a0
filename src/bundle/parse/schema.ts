// schema/schema.yaml: the bundle's input types, in OpenAPI 3.0 schema syntax.
// Structural mistakes are reported at their line; the compiled form lives in input-schema.ts.
import { RE2JS, RE2JSException } from "re2js";
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
    const compiled = compilePattern(String(node.pattern));
    if (!compiled.ok) fail(`${where}: ${compiled.message}`, [...path, "pattern"]);
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
  checkNestedPatterns(node, path, fail);
  if (type === "array" && node.items === undefined) fail(`${where}: an array needs \`items\``, path);
}

/** Patterns inside allOf/anyOf/oneOf/not/additionalProperties, which Ajv evaluates too. */
function checkNestedPatterns(node: Record<string, unknown>, path: YamlPath, fail: (message: string, path: YamlPath) => void): void {
  const visit = (sub: unknown, at: YamlPath): void => {
    if (!isRecord(sub)) return;
    if (sub.pattern !== undefined) {
      const compiled = compilePattern(String(sub.pattern));
      if (!compiled.ok) fail(`${at.slice(2).join(".")}: ${compiled.message}`, [...at, "pattern"]);
    }
    checkNestedPatterns(sub, at, fail);
    if (isRecord(sub.properties)) for (const [name, prop] of Object.entries(sub.properties)) visit(prop, [...at, "properties", name]);
    if (sub.items !== undefined) visit(sub.items, [...at, "items"]);
  };
  for (const key of ["allOf", "anyOf", "oneOf"]) {
    const list = node[key];
    if (Array.isArray(list)) list.forEach((sub, i) => visit(sub, [...path, key, i]));
  }
  for (const key of ["not", "additionalProperties"]) visit(node[key], [...path, key]);
}

/** A schema `pattern`, compiled for linear-time matching. */
export type CompiledPattern = { ok: true; test(value: string): boolean } | { ok: false; message: string };

// Patterns come from pull requests, possibly from forks, and spec values are matched
// against them in the host process: a backtracking engine lets `^(a+)+$` run for hours
// on 40 characters. RE2 matches in time linear in the value, and refuses the features
// that need backtracking (backreferences, lookahead).
export function compilePattern(source: string): CompiledPattern {
  try {
    // Only parsed, never run: tells a typo from a feature RE2 lacks.
    new RegExp(source, "u");
  } catch (e) {
    return { ok: false, message: `pattern is not a valid regular expression: ${(e as Error).message}` };
  }
  try {
    const re = RE2JS.compile(toRe2Syntax(source), RE2JS.LOOKBEHINDS);
    return { ok: true, test: (value) => re.test(value) };
  } catch (e) {
    if (!(e instanceof RE2JSException)) throw e;
    return { ok: false, message: unsupported(e) };
  }
}

function unsupported(e: RE2JSException): string {
  const text = e.message.replace(/^error parsing regexp: /, "");
  const escape = /escape sequence: (`[^`]*`)/.exec(text)?.[1];
  const rewrite = "Spell out the repeated part, or list the allowed values with `enum`.";
  const [feature, hint] =
    /escape sequence: `\\[1-9]/.test(text) ? ["a backreference", rewrite]
      : /escape sequence: `\\k/.test(text) ? ["a named backreference (`\\k<name>`)", rewrite]
        : /`\(\?[=!]/.test(text) ? ["a lookahead", "Use `allOf` with one `pattern` per condition, and `not: {pattern: ...}` for a negative lookahead."]
          : /capture in lookbehind/.test(text) ? ["a capture group inside a lookbehind", "Write the group as `(?:...)`."]
            : /repeat count/.test(text) ? ["a repeat count above 1000", "Bound the length with `minLength`/`maxLength` instead."]
              : escape ? [`the escape ${escape}`, "Write the character as `\\u{hex}`."]
                : [`syntax RE2 refuses (${text})`, "See \"Schema patterns\" in docs/rendering.md for what Baryon accepts."];
  return `pattern uses ${feature}, which Baryon does not support: it matches patterns in linear time (RE2 syntax), ` +
    `so that no spec value can stall a review; Proton's backtracking check may accept it. ${hint}`;
}

/** JavaScript's `\uXXXX` and `\u{X}` escapes, written the way RE2 spells them (`\x{X}`). */
function toRe2Syntax(source: string): string {
  let out = "";
  for (let i = 0; i < source.length; i++) {
    if (source[i] !== "\\") {
      out += source[i];
      continue;
    }
    const braced = /^u\{([0-9a-fA-F]{1,6})\}/.exec(source.slice(i + 1, i + 11));
    const unit = /^u([0-9a-fA-F]{4})/.exec(source.slice(i + 1, i + 6));
    if (braced) {
      out += `\\x{${braced[1]}}`;
      i += braced[0].length;
    } else if (unit) {
      let code = parseInt(unit[1]!, 16);
      i += 5;
      const low = /^\\u(d[c-f][0-9a-f]{2})/i.exec(source.slice(i + 1, i + 7));
      if (code >= 0xd800 && code <= 0xdbff && low) {
        code = 0x10000 + ((code - 0xd800) << 10) + (parseInt(low[1]!, 16) - 0xdc00);
        i += 6;
      }
      out += `\\x{${code.toString(16)}}`;
    } else {
      out += source.slice(i, i + 2);
      i++;
    }
  }
  return out;
}
