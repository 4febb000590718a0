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
  /**
   * Checks each value against its own property's schema alone, as if the type had no other
   * keyword (no `required`, no `additionalProperties`): how a schema's defaults are checked.
   */
  checkProperties(values: Record<string, unknown>): PropertyProblem[];
}

export interface PropertyProblem extends InputProblem {
  /** The property whose schema the value broke, exactly as the schema spells it. */
  property: string;
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

// Compiling is most of what `validate` costs, so each schema is compiled once: per parsed type
// object (a schema's defaults, then every spec instance), and per schema text, because every
// check of a repository parses its schemas again and fleets copy one schema into many templates.
// A failed compile is remembered too, so it is tried once however many instances use it.
type Compiled = ValidateFunction | SchemaCompileError;
const byType = new WeakMap<object, Compiled>();
const byText = new Map<string, Compiled>();
/** Distinct schema texts kept: a repository of hundreds of templates fits, a long-lived worker stays bounded. */
const MAX_TEXTS = 1000;

/** Compiles an input type; throws a SchemaCompileError when ajv rejects it. */
export function compileInputType(type: InputType): CompiledInputType {
  const validate = compiledFor(type);
  const problems = (inputs: Record<string, unknown>, keep: (e: ErrorObject) => boolean) =>
    validate(inputs) ? [] : (validate.errors ?? []).filter(keep);
  return {
    check(inputs) {
      return problems(inputs, () => true).map(toProblem).filter((p) => !isCurrentValue(inputs, p.path));
    },
    checkProperties(values) {
      // Errors of a property's own schema sit under #/properties/<name>/; the type's other keywords are not asked.
      return problems(values, (e) => e.schemaPath.startsWith("#/properties/"))
        .map((e) => ({ ...toProblem(e), property: unescapePointer(e.instancePath.split("/")[1] ?? "") }))
        .filter((p) => !isCurrentValue(values, p.path));
    },
  };
}

function compiledFor(type: InputType): ValidateFunction {
  let entry = byType.get(type);
  if (!entry) {
    const schema = toJsonSchema(type);
    const key = textOf(schema);
    entry = (key === undefined ? undefined : byText.get(key)) ?? compileSchema(schema);
    if (key !== undefined) remember(key, entry);
    byType.set(type, entry);
  }
  if (entry instanceof SchemaCompileError) throw entry;
  return entry;
}

function compileSchema(schema: Record<string, unknown>): Compiled {
  try {
    return ajv.compile(schema);
  } catch (e) {
    return new SchemaCompileError((e as Error).message, { cause: e });
  } finally {
    // Ajv keeps every schema it compiled, keyed by the object: unbounded in a worker, and a
    // second schema with the same `$id` would be refused. The compiled function keeps working.
    ajv.removeSchema(schema);
  }
}

function remember(key: string, entry: Compiled): void {
  byText.delete(key);
  byText.set(key, entry);
  if (byText.size > MAX_TEXTS) byText.delete(byText.keys().next().value!);
}

/**
 * The schema's JSON text, in its own key order (Ajv reports errors in the order of `properties`,
 * so reordered schemas are not the same schema), or undefined when JSON cannot spell a value
 * exactly (`.inf`, `.nan`), which leaves that schema to the per-object cache.
 */
function textOf(schema: Record<string, unknown>): string | undefined {
  let exact = true;
  const text = JSON.stringify(schema, (_key, value: unknown) => {
    if ((typeof value === "number" && !Number.isFinite(value)) || value === undefined || typeof value === "bigint") exact = false;
    return typeof value === "bigint" ? null : value;
  });
  return exact ? text : undefined;
}

export class SchemaCompileError extends Error {
  override name = "SchemaCompileError";
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, "/").replace(/~0/g, "~");
}

function toProblem(e: ErrorObject): InputProblem {
  const path: (string | number)[] = e.instancePath
    .split("/")
    .slice(1)
    .map(unescapePointer)
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
