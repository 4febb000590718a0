// GitHub's REST description (@octokit/openapi), loaded once per process, and a
// router from (method, path) to its operation. The non-dereferenced file is
// used: 13 MB that parses in ~0.1 s, where the dereferenced one is 73 MB and
// ~0.6 s; schemas are resolved lazily, per operation, by schema.ts.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

export type JsonObject = Record<string, unknown>;

export interface Parameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required: boolean;
  schema: JsonObject;
}

export interface Operation {
  operationId: string;
  method: string;
  /** The path template, e.g. `/repos/{owner}/{repo}/pulls/{pull_number}`. */
  template: string;
  parameters: Parameter[];
  requestBody?: { required: boolean; content: Record<string, { schema?: JsonObject }> };
  responses: Record<string, { content?: Record<string, { schema?: JsonObject }> }>;
}

interface Route {
  operation: Operation;
  regex: RegExp;
  names: string[];
  /** Literal characters in the template: the most specific template wins. */
  weight: number;
}

export interface OpenApi {
  document: JsonObject & { components: { schemas: Record<string, JsonObject> } };
  operations: Map<string, Operation>;
  match(method: string, pathname: string): { operation: Operation; params: Record<string, string> } | undefined;
  /** How long reading and indexing the description took, in ms. */
  loadMs: number;
}

let cached: OpenApi | undefined;

export function loadOpenApi(): OpenApi {
  cached ??= build();
  return cached;
}

function build(): OpenApi {
  const started = performance.now();
  const file = createRequire(import.meta.url).resolve("@octokit/openapi/generated/api.github.com.json");
  const document = JSON.parse(readFileSync(file, "utf8")) as OpenApi["document"] & {
    paths: Record<string, Record<string, JsonObject>>;
    components: { parameters: Record<string, JsonObject>; responses: Record<string, JsonObject> };
  };
  const operations = new Map<string, Operation>();
  const routes = new Map<string, Route[]>();
  for (const [template, item] of Object.entries(document.paths)) {
    const shared = (item.parameters as unknown as JsonObject[] | undefined) ?? [];
    for (const [method, raw] of Object.entries(item)) {
      if (method === "parameters" || typeof raw !== "object") continue;
      const parameters = [...shared, ...((raw.parameters as JsonObject[] | undefined) ?? [])].map((p) =>
        resolve(document, p),
      ) as unknown as (Parameter & { "x-multi-segment"?: boolean })[];
      const responses: Operation["responses"] = {};
      for (const [status, response] of Object.entries((raw.responses as Record<string, JsonObject>) ?? {})) {
        responses[status] = resolve(document, response) as Operation["responses"][string];
      }
      const body = raw.requestBody ? (resolve(document, raw.requestBody as JsonObject) as Operation["requestBody"]) : undefined;
      const operation: Operation = {
        operationId: String(raw.operationId),
        method: method.toUpperCase(),
        template,
        parameters: parameters.map((p) => ({ name: p.name, in: p.in, required: Boolean(p.required), schema: p.schema ?? {} })),
        ...(body ? { requestBody: { required: Boolean(body.required), content: body.content } } : {}),
        responses,
      };
      operations.set(operation.operationId, operation);
      const multi = new Set(parameters.filter((p) => p["x-multi-segment"]).map((p) => p.name));
      const list = routes.get(operation.method) ?? [];
      list.push(compileRoute(operation, multi));
      routes.set(operation.method, list);
    }
  }
  for (const list of routes.values()) list.sort((a, b) => b.weight - a.weight);
  return {
    document,
    operations,
    loadMs: performance.now() - started,
    match(method, pathname) {
      for (const route of routes.get(method.toUpperCase()) ?? []) {
        const found = route.regex.exec(pathname);
        if (!found) continue;
        const params: Record<string, string> = {};
        route.names.forEach((name, i) => (params[name] = decodeURIComponent(found[i + 1] ?? "")));
        return { operation: route.operation, params };
      }
      return undefined;
    },
  };
}

function compileRoute(operation: Operation, multiSegment: Set<string>): Route {
  const names: string[] = [];
  let weight = 0;
  const source = operation.template.replace(/\{([^}]+)\}|[^{]+/g, (part, name: string | undefined) => {
    if (name === undefined) {
      weight += part.length;
      return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    }
    names.push(name);
    // Octokit sends `a%2Fb` for a path with slashes; other clients send `a/b`.
    return multiSegment.has(name) ? "(.+)" : "([^/]+)";
  });
  return { operation, regex: new RegExp(`^${source}$`), names, weight };
}

/** Follows one local `$ref` (parameters, responses, request bodies). */
function resolve(document: JsonObject, node: JsonObject): JsonObject {
  let current = node;
  while (typeof current.$ref === "string") {
    let target: unknown = document;
    for (const key of current.$ref.slice(2).split("/")) target = (target as JsonObject)[key];
    current = target as JsonObject;
  }
  return current;
}
