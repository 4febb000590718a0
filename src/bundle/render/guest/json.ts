// JSON in and out of the Python value model: the render context arrives as
// JSON (objects become insertion-ordered dicts), and `tojson` is Jinja2's
// htmlsafe_json_dumps (json.dumps with sort_keys=True, then <>&' escaped).
import { TemplateRuntimeError, typeError } from "./errors.js";
import {
  Markup,
  PyFloat,
  compare,
  floatRepr,
  intStr,

  typeName,
} from "./python.js";

// JS objects list integer-like keys first; only then is the slow ordered parser needed.
const INTEGER_KEY = /"(?:0|[1-9]\d{0,9})"\s*:/;

/** Parses the context JSON into Python values (dicts as Maps, key order kept). */
export function parseJson(text: string): unknown {
  if (INTEGER_KEY.test(text)) return new OrderedJsonParser(text).parse();
  return toPython(JSON.parse(text));
}

function toPython(v: unknown): unknown {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = toPython(v[i]);
    return v;
  }
  const m = new Map<unknown, unknown>();
  for (const k of Object.keys(v)) m.set(k, toPython((v as Record<string, unknown>)[k]));
  return m;
}

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
    const m = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(this.s.slice(this.i, this.i + 400));
    if (!m) this.fail();
    this.i += m[0].length;
    return JSON.parse(m[0]);
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

/** json.dumps string encoding with ensure_ascii=True: everything outside ' '..'~' is escaped. */
function jsonString(s: string): string {
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
    const items = Array.from(v).sort((a, b) => compare(a[0], b[0]));
    const parts = items.map(([k, x]) => jsonString(jsonKey(k)) + ": " + dumps(x, indent, level + 1));
    return "{" + inner + parts.join(sep + inner) + outer + "}";
  }
  throw typeError(`Object of type ${typeName(v)} is not JSON serializable`);
}

const HTML_UNSAFE: Record<string, string> = { "<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "'": "\\u0027" };

/** Jinja2's htmlsafe_json_dumps. */
export function tojson(v: unknown, indent: unknown): Markup {
  const ind = indent === null ? null : typeof indent === "string" ? indent : " ".repeat(Number(indent));
  return new Markup(dumps(v, ind).replace(/[<>&']/g, (c) => HTML_UNSAFE[c] as string));
}

