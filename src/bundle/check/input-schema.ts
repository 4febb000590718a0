// Input types as JSON Schema: OpenAPI 3.0 schema objects are converted to
// JSON Schema (draft-07) and compiled with ajv, so specs are checked exactly
// against what the schema declares. Patterns are matched by RE2 (parse/schema.ts),
// in time linear in the value: a spec value can never stall the process.
import { Ajv, type CodeOptions, type ErrorObject, type ValidateFunction } from "ajv";
import { CURRENT_VALUE, type InputType, type PropertySchema } from "../model.js";
import { compilePattern } from "../parse/schema.js";
import { isRecord } from "../parse/yaml.js";

/** OpenAPI-only annotations with no JSON Schema meaning; dropped before compiling. */
const ANNOTATIONS = ["nullable", "discriminator", "readOnly", "writeOnly", "xml", "externalDocs", "example", "deprecated", "format"];

/** Converts one OpenAPI 3.0 schema object to JSON Schema draft-07. */
export function toJsonSchema(node: InputType | PropertySchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (ANNOTATIONS.includes(key) || key.startsWith("x-")) continue;
    if (key === "properties" && isRecord(value)) {
      out.properties = Object.fromEntries(
        Object.entries(value).map(([name, prop]) => [name, isRecord(prop) ? toJsonSchema(prop as PropertySchema) : prop]),
      );
    } else if ((key === "items" || key === "not" || key === "additionalProperties") && isRecord(value)) {
      out[key] = toJsonSchema(value as PropertySchema);
    } else if ((key === "allOf" || key === "oneOf" || key === "anyOf") && Array.isArray(value)) {
      out[key] = value.map((v) => (isRecord(v) ? toJsonSchema(v as PropertySchema) : v));
    } else if (key === "exclusiveMinimum" || key === "exclusiveMaximum") {
      // OpenAPI 3.0 makes these booleans that modify minimum/maximum.
      const bound = key === "exclusiveMinimum" ? node.minimum : node.maximum;
      if (value === true && typeof bound === "number") out[key] = bound;
    } else {
      out[key] = value;
    }
  }
  if (node.nullable === true && typeof node.type === "string") out.type = [node.type, "null"];
  if ((out.exclusiveMinimum !== undefined)) delete out.minimum;
  if ((out.exclusiveMaximum !== undefined)) delete out.maximum;
  return out;
}

export interface InputProblem {
  /** Property path inside the inputs, e.g. ["port"] or ["subnets", 2]. */
  path: (string | number)[];
  message: string;
}

export interface CompiledInputType {
  /** Checks inputs (defaults already applied). `${Proton::CURRENT_VAL}` values are not checked. */
  check(inputs: Record<string, unknown>): InputProblem[];
}

/** Ajv's `pattern` engine. A pattern RE2 refuses fails the compile (parseSchema reports it at its line). */
const linearRegExp: NonNullable<CodeOptions["regExp"]> = Object.assign(
  (pattern: string) => {
    const compiled = compilePattern(pattern);
    if (!compiled.ok) throw new SchemaCompileError(compiled.message);
    // Ajv shares compiled patterns between schemas keyed by toString().
    return { test: compiled.test, toString: () => `re2:${pattern}` };
  },
  { code: "linearRegExp" },
);

const ajv = new Ajv({ allErrors: true, strict: false, code: { regExp: linearRegExp } });
const compiled = new WeakMap<object, ValidateFunction>();

/** Compiles an input type; throws a SchemaCompileError when ajv rejects it. */
export function compileInputType(type: InputType): CompiledInputType {
  let validate = compiled.get(type);
  if (!validate) {
    try {
      validate = ajv.compile(toJsonSchema(type));
    } catch (e) {
      throw new SchemaCompileError((e as Error).message, { cause: e });
    }
    compiled.set(type, validate);
  }
  const fn = validate;
  return {
    check(inputs) {
      if (fn(inputs)) return [];
      return (fn.errors ?? [])
        .map((e) => toProblem(e))
        .filter((p) => !isCurrentValue(inputs, p.path));
    },
  };
}

export class SchemaCompileError extends Error {
  override name = "SchemaCompileError";
}

function toProblem(e: ErrorObject): InputProblem {
  const path: (string | number)[] = e.instancePath
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const params = e.params as Record<string, unknown>;
  const name = path.length ? path.join(".") : "inputs";
  switch (e.keyword) {
    case "required":
      return { path, message: `required input "${String(params.missingProperty)}" is missing` };
    case "additionalProperties":
      return { path: [...path, String(params.additionalProperty)], message: `"${String(params.additionalProperty)}" is not an input of this template` };
    case "enum":
      return { path, message: `${name} must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}` };
    case "type":
      return { path, message: `${name} must be ${article(String(params.type))}` };
    default:
      return { path, message: `${name} ${e.message ?? "is invalid"}` };
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function isCurrentValue(inputs: Record<string, unknown>, path: (string | number)[]): boolean {
  let value: unknown = inputs;
  for (const key of path) {
    if (!isRecord(value) && !Array.isArray(value)) return false;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value === CURRENT_VALUE;
}
