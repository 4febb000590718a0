// JSON in and out of the Python value model: the render context arrives as
// JSON (objects become insertion-ordered dicts, numbers read as Python's json
// reads them: see exactNumbers in ../guest-contract.ts), and `tojson` is Jinja2's
// htmlsafe_json_dumps (json.dumps with sort_keys=True, then <>&' escaped).
import { TemplateRuntimeError, typeError } from "./errors.js";
import { intOf } from "./ints.js";
import {
  Markup,
  PyFloat,
  compare,
  floatRepr,
  intStr,
  typeName,
} from "./python.js";

const SAFE = Number.MAX_SAFE_INTEGER;

/**
 * Parses the context JSON into Python values (dicts as Maps, key order kept).
 * With `exactNumbers` (5.0 or a big integer in the text) numbers are read from
 * their text; otherwise JSON.parse's are exact, unless one is past 2^53.
 */
export function parseJson(text: string, exactNumbers = false): unknown {
  if (exactNumbers) return new OrderedJsonParser(text).parse();
  const state = { reordered: false };
  const value = toPython(JSON.parse(text), state);
  // JS objects list array-index keys ("0", "42") first: only then (or for a
  // number JSON.parse rounded) is the slower parser needed
  return state.reordered ? new OrderedJsonParser(text).parse() : value;
}

function toPython(v: unknown, state: { reordered: boolean }): unknown {
  if (v === null || typeof v !== "object") {
    if (typeof v === "number" && (v > SAFE || v < -SAFE)) state.reordered = true;
    return v;
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = toPython(v[i], state);
    return v;
  }
  const m = new Map<unknown, unknown>();
  const keys = Object.keys(v);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    const c = k.charCodeAt(0);
    if (c >= 48 && c <= 57 && /^(?:0|[1-9]\d*)$/.test(k)) state.reordered = true;
    m.set(k, toPython((v as Record<string, unknown>)[k], state));
  }
  return m;
}

const LITERAL = /true|false|null|(-?(?:0|[1-9]\d*))(\.\d+)?([eE][+-]?\d+)?/y;

/** A small JSON parser that builds Maps in source order. */
class OrderedJsonParser {
  private i = 0;
  constructor(private readonly s: string) {}

  parse(): unknown {
    const v = this.value();
    this.ws();
    if (this.i !== this.s.length) this.fail();
    return v;
  }

  private fail(): never {
    throw new TemplateRuntimeError(`invalid context JSON at offset ${this.i}`);
  }

  private ws(): void {
    while (this.i < this.s.length && " \t\n\r".includes(this.s[this.i] as string)) this.i++;
  }

  private value(): unknown {
    this.ws();
    const c = this.s[this.i];
    if (c === "{") {
      this.i++;
      const m = new Map<unknown, unknown>();
      this.ws();
      if (this.s[this.i] === "}") {
        this.i++;
        return m;
      }
      for (;;) {
        this.ws();
        if (this.s[this.i] !== '"') this.fail();
        const k = this.string();
        this.ws();
        if (this.s[this.i++] !== ":") this.fail();
        m.set(k, this.value());
        this.ws();
        const d = this.s[this.i++];
        if (d === "}") return m;
        if (d !== ",") this.fail();
      }
    }
    if (c === "[") {
      this.i++;
      const a: unknown[] = [];
      this.ws();
      if (this.s[this.i] === "]") {
        this.i++;
        return a;
      }
      for (;;) {
        a.push(this.value());
        this.ws();
        const d = this.s[this.i++];
        if (d === "]") return a;
        if (d !== ",") this.fail();
      }
    }
    if (c === '"') return this.string();
    LITERAL.lastIndex = this.i;
    const m = LITERAL.exec(this.s);
    if (!m) this.fail();
    this.i += m[0].length;
    if (m[1] === undefined) return JSON.parse(m[0]);
    const x = Number(m[0]);
    // As Python's json: a fraction or exponent makes a float (5.0 stays one), digits alone an exact int.
    if (m[2] !== undefined || m[3] !== undefined) return Number.isInteger(x) ? new PyFloat(x) : x;
    return x <= SAFE && x >= -SAFE ? x || 0 : intOf(BigInt(m[0]));
  }

  private string(): string {
    const start = this.i;
    this.i++;
    while (this.i < this.s.length) {
      const c = this.s[this.i];
      if (c === "\\") this.i += 2;
      else if (c === '"') {
        this.i++;
        return JSON.parse(this.s.slice(start, this.i)) as string;
      } else this.i++;
    }
    return this.fail();
  }
}

const JSON_ESCAPES: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
};

// A regex test beats a charCodeAt loop in QuickJS.
const NEEDS_ESCAPE = /["\\]|[^\x20-\x7e]/;
const needsEscape = (s: string): boolean => NEEDS_ESCAPE.test(s);

/** json.dumps string encoding with ensure_ascii=True: everything outside ' '..'~' is escaped. */
function jsonString(s: string): string {
  if (!needsEscape(s)) return '"' + s + '"';
  return (
    '"' +
    s.replace(/["\\]|[^\x20-\x7e]/g, (c) => JSON_ESCAPES[c] ?? "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0")) +
    '"'
  );
}

function jsonFloat(x: number): string {
  if (x !== x) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  return floatRepr(x);
}

function jsonKey(k: unknown): string {
  if (typeof k === "string") return k;
  if (k instanceof Markup) return k.s;
  if (k === true) return "true";
  if (k === false) return "false";
  if (k === null) return "null";
  if (typeof k === "number") return Number.isInteger(k) ? intStr(k) : jsonFloat(k);
  if (typeof k === "bigint") return intStr(k);
  if (k instanceof PyFloat) return jsonFloat(k.v);
  throw typeError(`keys must be str, int, float, bool or None, not ${typeName(k)}`);
}

/** Python json.dumps(v, sort_keys=True, indent=indent). */
export function dumps(v: unknown, indent: string | null, level = 0): string {
  if (v === null) return "null";
  if (v === true) return "true";
  if (v === false) return "false";
  if (typeof v === "string") return jsonString(v);
  if (typeof v === "number") return Number.isInteger(v) ? intStr(v) : jsonFloat(v);
  if (typeof v === "bigint") return intStr(v);
  if (v instanceof PyFloat) return jsonFloat(v.v);
  if (v instanceof Markup) return jsonString(v.s);
  const inner = indent === null ? "" : "\n" + indent.repeat(level + 1);
  const outer = indent === null ? "" : "\n" + indent.repeat(level);
  const sep = indent === null ? ", " : ",";
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    return "[" + inner + v.map((x) => dumps(x, indent, level + 1)).join(sep + inner) + outer + "]";
  }
  if (v instanceof Map) {
    if (v.size === 0) return "{}";
    const keys = sortedKeys(v);
    let out = "{" + inner;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      if (i > 0) out += sep + inner;
      out += jsonString(jsonKey(k)) + ": " + dumps(v.get(k), indent, level + 1);
    }
    return out + outer + "}";
  }
  throw typeError(`Object of type ${typeName(v)} is not JSON serializable`);
}

/** sort_keys=True: Python ordering, with a plain comparison when every key is a str. */
function sortedKeys(m: Map<unknown, unknown>): unknown[] {
  const keys: unknown[] = [];
  let strings = true;
  m.forEach((_v, k) => {
    keys.push(k);
    if (typeof k !== "string") strings = false;
  });
  return keys.sort(strings ? compareStrings : compare);
}

const compareStrings = (a: unknown, b: unknown): number => ((a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0);

const HTML_UNSAFE: Record<string, string> = { "<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "'": "\\u0027" };

/** Jinja2's htmlsafe_json_dumps. */
export function tojson(v: unknown, indent: unknown): Markup {
  const ind = indent === null ? null : typeof indent === "string" ? indent : " ".repeat(Number(indent));
  const json = dumps(v, ind);
  const unsafe = json.indexOf("<") !== -1 || json.indexOf(">") !== -1 || json.indexOf("&") !== -1 || json.indexOf("'") !== -1;
  return new Markup(unsafe ? json.replace(/[<>&']/g, (c) => HTML_UNSAFE[c] as string) : json);
}

