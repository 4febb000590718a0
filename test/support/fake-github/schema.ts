// Validators for one operation's parameters, request body and responses,
// compiled on first use and cached for the process. OpenAPI 3.0 schemas are
// turned into JSON Schema on the way: `nullable` becomes a "null" type, and
// component `$ref`s point at components registered with Ajv one by one, so a
// request only pays for the schemas it reaches.
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { loadOpenApi, type JsonObject, type Operation } from "./openapi.js";

const addFormats = addFormatsModule.default;
const BASE = "https://fake-github.invalid/schemas/";
/** OpenAPI annotations that mean nothing to a validator. */
const DROPPED = new Set(["example", "examples", "discriminator", "xml", "externalDocs", "deprecated", "readOnly", "writeOnly", "nullable", "description", "title"]);

export interface Problem {
  where: string;
  message: string;
}

function makeAjv(coerceTypes: boolean): Ajv {
  // strict off: the description uses keywords Ajv does not know (x-*), and we validate data, not the description.
  // Shared components compiled once (inlineRefs off) and no code optimizing: compiling all the
  // fake's operations drops from ~650 ms to ~250 ms, and validating stays well under a millisecond.
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, coerceTypes, inlineRefs: false, code: { optimize: false } });
  addFormats(ajv);
  // Formats GitHub invented; their values are plain strings or numbers.
  ajv.addFormat("repo.nwo", true);
  ajv.addFormat("timestamp", true);
  return ajv;
}

class Compiler {
  private readonly ajv: Ajv;
  private readonly registered = new Set<string>();
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(coerceTypes: boolean) {
    this.ajv = makeAjv(coerceTypes);
  }

  compile(key: string, schema: JsonObject): ValidateFunction {
    let validate = this.cache.get(key);
    if (!validate) {
      const refs = new Set<string>();
      const converted = convert(schema, refs);
      this.register(refs);
      validate = this.ajv.compile(converted as JsonObject);
      this.cache.set(key, validate);
    }
    return validate;
  }

  private register(names: Set<string>): void {
    const components = loadOpenApi().document.components.schemas;
    const pending = [...names];
    while (pending.length > 0) {
      const name = pending.pop() as string;
      if (this.registered.has(name)) continue;
      this.registered.add(name);
      const component = components[name];
      if (!component) throw new Error(`fake GitHub: no schema component ${name}`);
      const refs = new Set<string>();
      this.ajv.addSchema({ ...(convert(component, refs) as JsonObject), $id: BASE + name });
      pending.push(...refs);
    }
  }
}

function convert(node: unknown, refs: Set<string>): unknown {
  if (typeof node !== "object" || node === null || Array.isArray(node)) return node;
  const schema = node as JsonObject;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (DROPPED.has(key) || key.startsWith("x-")) continue;
    if (key === "$ref" && typeof value === "string") {
      const name = value.replace("#/components/schemas/", "");
      refs.add(name);
      out.$ref = BASE + name;
    } else if (key === "properties" || key === "patternProperties") {
      out[key] = Object.fromEntries(Object.entries(value as JsonObject).map(([k, v]) => [k, convert(v, refs)]));
    } else if (key === "items" || key === "additionalProperties" || key === "not") {
      out[key] = convert(value, refs);
    } else if (key === "allOf" || key === "anyOf" || key === "oneOf") {
      // oneOf becomes anyOf: GitHub's alternatives often overlap (a file and a
      // symlink share most fields), and real responses would fail "exactly one".
      out[key === "oneOf" ? "anyOf" : key] = (value as unknown[]).map((v) => convert(v, refs));
    } else {
      out[key] = value;
    }
  }
  if (schema.nullable !== true) return out;
  if (typeof out.type === "string" && !out.$ref && !out.allOf && !out.anyOf) {
    out.type = [out.type, "null"];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  return { anyOf: [out, { type: "null" }] };
}

const strict = new Compiler(false);
const coercing = new Compiler(true);

function problems(errors: ErrorObject[] | null | undefined, where: string): Problem[] {
  const all = errors ?? [];
  const more: Problem[] = all.length > 10 ? [{ where, message: `and ${all.length - 10} more problems` }] : [];
  return all.slice(0, 10).map((e) => ({
    where: `${where}${e.instancePath}`,
    message: `${e.message ?? "is invalid"}${e.params && "allowedValues" in e.params ? ` (${(e.params.allowedValues as unknown[]).join(", ")})` : ""}${e.params && "additionalProperty" in e.params ? ` (${String(e.params.additionalProperty)})` : ""}`,
  })).concat(more);
}

/** Checks path and query parameters; returns them converted to their schema types. */
export function validateParameters(
  operation: Operation,
  pathParams: Record<string, string>,
  query: URLSearchParams,
): { values: Record<string, unknown>; problems: Problem[] } {
  const found: Problem[] = [];
  const values: Record<string, unknown> = { ...pathParams };
  const declared = new Map(operation.parameters.filter((p) => p.in === "query").map((p) => [p.name, p]));
  for (const key of new Set(query.keys())) {
    if (!declared.has(key)) found.push({ where: `query.${key}`, message: `is not a parameter of ${operation.operationId}` });
    else values[key] = query.get(key);
  }
  const params = operation.parameters.filter((p) => p.in === "path" || p.in === "query");
  const schema: JsonObject = {
    type: "object",
    properties: Object.fromEntries(params.map((p) => [p.name, p.schema])),
    required: params.filter((p) => p.required).map((p) => p.name),
  };
  const validate = coercing.compile(`${operation.operationId} params`, schema);
  if (!validate(values)) found.push(...problems(validate.errors, "params"));
  return { values, problems: found };
}

/** Checks a JSON request body, including top-level fields the operation does not know (typos GitHub would ignore). */
export function validateBody(operation: Operation, body: unknown): Problem[] {
  const schema = operation.requestBody?.content["application/json"]?.schema;
  if (!schema) return body === undefined ? [] : [{ where: "body", message: `${operation.operationId} takes no JSON body` }];
  if (body === undefined) return operation.requestBody?.required ? [{ where: "body", message: "is required" }] : [];
  const validate = strict.compile(`${operation.operationId} body`, schema);
  const found = validate(body) ? [] : problems(validate.errors, "body");
  const known = topLevelProperties(schema);
  if (known && typeof body === "object" && body !== null && !Array.isArray(body)) {
    for (const key of Object.keys(body)) {
      if (!known.has(key)) found.push({ where: `body.${key}`, message: `is not a field of ${operation.operationId}` });
    }
  }
  return found;
}

/** Checks a JSON response the fake is about to send against the description of that status. */
export function validateResponse(operation: Operation, status: number, body: unknown): Problem[] {
  const response = operation.responses[String(status)] ?? operation.responses.default;
  if (!response) return [{ where: "response", message: `status ${status} is not a response of ${operation.operationId}` }];
  const content = response.content ?? {};
  const schema = (content["application/json"] ?? Object.values(content)[0])?.schema;
  if (!schema) return [];
  const validate = strict.compile(`${operation.operationId} ${status}`, schema);
  return validate(body) ? [] : problems(validate.errors, "response");
}

function topLevelProperties(schema: JsonObject): Set<string> | undefined {
  const components = loadOpenApi().document.components.schemas;
  const names = new Set<string>();
  const visit = (node: JsonObject): boolean => {
    if (typeof node.$ref === "string") return visit(components[node.$ref.replace("#/components/schemas/", "")] ?? {});
    if (node.additionalProperties !== undefined && node.additionalProperties !== false) return false;
    for (const key of Object.keys((node.properties as JsonObject | undefined) ?? {})) names.add(key);
    for (const branch of ["allOf", "anyOf", "oneOf"] as const) {
      for (const sub of (node[branch] as JsonObject[] | undefined) ?? []) if (!visit(sub)) return false;
    }
    return true;
  };
  return visit(schema) && names.size > 0 ? names : undefined;
}

/** Compiles every validator of an operation now rather than on its first request. */
export function precompile(operation: Operation): void {
  validateParameters(operation, {}, new URLSearchParams());
  if (operation.requestBody) validateBody(operation, {});
  for (const status of Object.keys(operation.responses)) if (/^\d+$/.test(status)) validateResponse(operation, Number(status), {});
}
