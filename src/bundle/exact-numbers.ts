// What a JS number cannot say about a YAML number, recorded beside the value.
//
// Python (and so Proton's Jinja2) tells `5.0` (a float, printed "5.0") from `5`
// (an int), and its ints are exact at any size. Spec and schema values stay
// plain JS numbers in Baryon's domain, so that Ajv, Terraform's files and every
// check see numbers as they always did; what the number alone loses is kept in a
// side record keyed by the object or array holding it and the key:
//   "float"  the number was written as a float and is integral (5.0, 1e3, -0.0);
//   a bigint the integer as written, when it is beyond 2^53 (the number is its nearest double).
// Non-integral floats need no record: JS and Python agree on them.
//
// The record follows a value only as far as the same holder goes; code that
// copies inputs (context.ts) carries it with copyExactNumbers/cloneExact. A
// value that lost its record renders as it did before (5 for 5.0), never wrong
// in another way. toPythonJson writes the values as Python's json module does,
// which is how the render context reaches the sandbox (src/jinja/context-json.ts).

export type ExactNumber = "float" | bigint;

const records = new WeakMap<object, Map<string, ExactNumber>>();
let recorded = 0;

/** Records that `holder[key]` is an integral float or an exact big integer. */
export function recordExactNumber(holder: object, key: string | number, exact: ExactNumber): void {
  let record = records.get(holder);
  if (!record) records.set(holder, (record = new Map()));
  record.set(String(key), exact);
  recorded++;
}

export function exactNumberAt(holder: object, key: string | number): ExactNumber | undefined {
  return records.get(holder)?.get(String(key));
}

/** False until some value was recorded in this process: then plain JSON.stringify is exact. */
export function anyExactNumbers(): boolean {
  return recorded > 0;
}

/** Carries the record of `from[key]` to `to[toKey]` (a copied input). */
export function copyExactNumber(from: object, key: string | number, to: object, toKey: string | number = key): void {
  if (recorded === 0) return;
  const exact = exactNumberAt(from, key);
  if (exact !== undefined) recordExactNumber(to, toKey, exact);
}

/** A deep copy of plain JSON-like data that keeps the records (structuredClone drops them). */
export function cloneExact<T>(value: T): T {
  if (value === null || typeof value !== "object") return value;
  const source = value as unknown as Record<string, unknown>;
  const copy: Record<string, unknown> = Array.isArray(value) ? ([] as unknown as Record<string, unknown>) : {};
  for (const key of Object.keys(source)) {
    copy[key] = cloneExact(source[key]);
    copyExactNumber(source, key, copy);
  }
  return copy as T;
}

/**
 * JSON as Python's json.dumps writes it (ensure_ascii aside): an integral float
 * keeps its ".0" (or exponent), a big integer all its digits. Plain
 * JSON.stringify otherwise; `indent` as JSON.stringify's. Returns whether any
 * recorded number was written, i.e. whether a reader must read numbers as Python does.
 */
export function toPythonJson(value: unknown, indent = ""): { json: string; exact: boolean } {
  // The common case (no such number read in this process) stays on V8's native serializer.
  if (!anyExactNumbers()) return { json: (indent ? JSON.stringify(value, null, indent) : JSON.stringify(value)) ?? "null", exact: false };
  const state = { exact: false };
  return { json: write(value, undefined, indent, "", state) ?? "null", exact: state.exact };
}

function write(value: unknown, exact: ExactNumber | undefined, indent: string, at: string, state: { exact: boolean }): string | undefined {
  if (typeof value === "number") {
    if (exact === undefined || !Number.isFinite(value)) return JSON.stringify(value);
    state.exact = true;
    return exact === "float" ? floatLiteral(value) : exact.toString();
  }
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === "function") return JSON.stringify(value);
  const inner = indent ? at + indent : "";
  const open = indent ? "\n" + inner : "";
  const close = indent ? "\n" + at : "";
  const sep = indent ? ",\n" + inner : ",";
  const holder = value as Record<string, unknown>;
  const parts: string[] = [];
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) parts.push(write(value[i], exactNumberAt(holder, i), indent, inner, state) ?? "null");
    return parts.length ? "[" + open + parts.join(sep) + close + "]" : "[]";
  }
  for (const key of Object.keys(holder)) {
    const item = write(holder[key], exactNumberAt(holder, key), indent, inner, state);
    if (item !== undefined) parts.push(JSON.stringify(key) + (indent ? ": " : ":") + item);
  }
  return parts.length ? "{" + open + parts.join(sep) + close + "}" : "{}";
}

/** Python's repr of an integral float: 5.0, -0.0, 1e+16. */
function floatLiteral(x: number): string {
  if (Object.is(x, -0)) return "-0.0";
  // JS writes the same shortest digits; only the ".0" below 1e16 differs
  return Math.abs(x) < 1e16 ? x.toFixed(1) : x.toExponential();
}
