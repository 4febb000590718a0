// Python's str() and repr() of template values: what `{{ value }}` prints.
import { bigStr } from "./ints.js";
import {
  Callable,
  DictView,
  Markup,
  Namespace,
  PyFloat,
  PyIterator,
  PyRange,
  Undefined,
  isTuple,
} from "./values.js";

export function typeName(v: unknown): string {
  if (v === null) return "NoneType";
  switch (typeof v) {
    case "boolean":
      return "bool";
    case "number":
      return Number.isInteger(v) ? "int" : "float";
    case "bigint":
      return "int";
    case "string":
      return "str";
    case "function":
      return "function";
  }
  if (Array.isArray(v)) return isTuple(v) ? "tuple" : "list";
  if (v instanceof Map) return "dict";
  if (v instanceof PyFloat) return "float";
  if (v instanceof Markup) return "Markup";
  if (v instanceof Undefined) return v.strict ? "StrictUndefined" : "Undefined";
  if (v instanceof Namespace) return "Namespace";
  if (v instanceof PyRange) return "range";
  if (v instanceof DictView) return `dict_${v.kind}`;
  if (v instanceof Callable) return v.kind;
  if (v instanceof PyIterator) return v.pyType;
  const ctor = (v as { constructor?: { pyName?: string } }).constructor;
  return ctor?.pyName ?? "object";
}

/** jinja2.utils.object_type_repr, used in undefined-attribute messages. */
export function objectTypeRepr(v: unknown): string {
  if (v === null) return "None";
  const name = typeName(v);
  if (name === "Markup") return "markupsafe.Markup object";
  if (name === "Namespace") return "jinja2.utils.Namespace object";
  if (name === "LoopContext") return "jinja2.runtime.LoopContext object";
  return `${name} object`;
}

/** Python str(v): what `{{ v }}` prints. */
export function str(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" && v % 1 === 0 && v <= Number.MAX_SAFE_INTEGER && v >= -Number.MAX_SAFE_INTEGER) return "" + v;
  if (v === null) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (typeof v === "number") return Number.isInteger(v) ? intStr(v) : floatRepr(v);
  if (v instanceof Markup) return v.s;
  if (v instanceof Undefined) return v.strict ? v.fail() : "";
  if (v instanceof PyFloat) return floatRepr(v.v);
  if (typeof v === "bigint") return bigStr(v);
  return repr(v);
}

export function intStr(n: number | bigint): string {
  // Past 2^53 String() rounds (and from 1e21 uses an exponent); Python prints every digit.
  if (typeof n === "bigint") return bigStr(n);
  return Math.abs(n) <= Number.MAX_SAFE_INTEGER ? String(n) : bigStr(BigInt(n));
}

const EXPONENTIAL = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/;

/** Python repr(float): shortest round-trip digits, exponent outside 1e-4..1e16. */
export function floatRepr(x: number): string {
  if (x !== x) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const abs = x < 0 ? -x : x;
  // In this range JS and Python both print the shortest digits in fixed notation.
  if (abs >= 1e-4 && abs < 1e16) return x % 1 === 0 ? x + ".0" : "" + x;
  const m = EXPONENTIAL.exec(x.toExponential());
  if (!m) return String(x);
  const sign = m[1] ?? "";
  const digits = (m[2] ?? "") + (m[3] ?? "");
  const exp = Number(m[4]);
  if (exp >= -4 && exp < 16) {
    if (exp >= 0) {
      const int = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
      return `${sign}${int}.${digits.slice(exp + 1) || "0"}`;
    }
    return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  }
  const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const e = String(Math.abs(exp)).padStart(2, "0");
  return `${sign}${mant}e${exp < 0 ? "-" : "+"}${e}`;
}

// Characters Python's str.isprintable() rejects (repr escapes them).
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

/** Python repr(str): quote choice and escapes exactly as CPython. */
export function strRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    if (ch === quote || ch === "\\") out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch < " " || ch === "\x7f") out += "\\x" + hex(ch.codePointAt(0) ?? 0, 2);
    else if (ch < "\x80" || ch === " " || !NON_PRINTABLE.test(ch)) out += ch;
    else {
      const cp = ch.codePointAt(0) ?? 0;
      out += cp < 0x100 ? "\\x" + hex(cp, 2) : cp < 0x10000 ? "\\u" + hex(cp, 4) : "\\U" + hex(cp, 8);
    }
  }
  return out + quote;
}

const hex = (n: number, width: number): string => n.toString(16).padStart(width, "0");

/** Python repr(v). */
export function repr(v: unknown): string {
  if (typeof v === "string") return strRepr(v);
  if (v === null || typeof v === "boolean" || typeof v === "number" || typeof v === "bigint" || v instanceof PyFloat) return str(v);
  if (Array.isArray(v)) {
    const items = v.map(repr);
    if (!isTuple(v)) return `[${items.join(", ")}]`;
    return items.length === 1 ? `(${items[0]},)` : `(${items.join(", ")})`;
  }
  if (v instanceof Map) {
    const parts: string[] = [];
    for (const [k, val] of v) parts.push(`${repr(k)}: ${repr(val)}`);
    return `{${parts.join(", ")}}`;
  }
  if (v instanceof Markup) return `Markup(${strRepr(v.s)})`;
  // StrictUndefined does not override __repr__: inside a list it prints "Undefined"
  if (v instanceof Undefined) return "Undefined";
  if (v instanceof PyRange) {
    return v.step === 1 ? `range(${v.start}, ${v.stop})` : `range(${v.start}, ${v.stop}, ${v.step})`;
  }
  if (v instanceof DictView) return `dict_${v.kind}(${repr(v.toArray())})`;
  if (v instanceof Namespace) return `<Namespace ${repr(v.attrs)}>`;
  if (v instanceof Callable) return `<${v.kind} ${v.name}>`;
  if (v instanceof PyIterator) return `<${v.pyType} object ${v.fname} at 0x7f0000000000>`;
  const custom = (v as { pyRepr?: () => string }).pyRepr;
  return typeof custom === "function" ? custom.call(v) : `<${typeName(v)} object>`;
}
