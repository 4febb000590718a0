// The Python value model templates compute with, so that printing, truthiness
// and equality match Jinja2 byte for byte:
//   None -> null, bool -> boolean, int -> integral number, float -> non-integral
//   number or PyFloat (an integral float such as 5.0 must still print "5.0"),
//   str -> string (Markup for "safe" strings), list -> Array, tuple -> Array
//   marked with TUPLE, dict -> Map (insertion-ordered, any key type).
import { TemplateRuntimeError, UndefinedError, typeError } from "./errors.js";

/** An integral-valued float: JS numbers cannot tell 5.0 from 5. */
export class PyFloat {
  constructor(readonly v: number) {}
}

/** markupsafe.Markup: a str that is already escaped. */
export class Markup {
  constructor(readonly s: string) {}
  toString(): string {
    return this.s;
  }
}

const MISSING: unique symbol = Symbol("missing");

/**
 * Jinja2's StrictUndefined: using it in almost any way raises. With `strict`
 * false it is Jinja2's base Undefined, which the implicit `else` of an inline
 * if yields even under StrictUndefined: it prints "", iterates empty, is false.
 */
export class Undefined {
  constructor(
    readonly hint: string | null,
    readonly obj: unknown = MISSING,
    readonly name: unknown = null,
    readonly strict = true,
  ) {}
  message(): string {
    if (this.hint !== null) return this.hint;
    if (this.obj === MISSING) return `${repr(this.name)} is undefined`;
    if (typeof this.name !== "string") {
      return `${objectTypeRepr(this.obj)} has no element ${repr(this.name)}`;
    }
    return `${repr(objectTypeRepr(this.obj))} has no attribute ${repr(this.name)}`;
  }
  fail(): never {
    throw new UndefinedError(this.message());
  }
}

/** All lenient Undefineds hash and compare equal: as a dict key they are one key. */
export const LENIENT_KEY = new Undefined(null, MISSING, null, false);

export function undefinedName(name: string): Undefined {
  return new Undefined(null, MISSING, name);
}

/** Something a template can call: globals, bound methods, macros. */
export class Callable {
  constructor(
    readonly name: string,
    readonly fn: (args: unknown[], kwargs: Map<string, unknown> | null) => unknown,
    readonly kind = "builtin_function_or_method",
  ) {}
}

/** jinja2.utils.Namespace: the one object `{% set ns.attr = … %}` may write to. */
export class Namespace {
  readonly attrs = new Map<string, unknown>();
}

/** Python's range object (printing shows `range(0, 3)`). */
export class PyRange {
  readonly length: number;
  constructor(
    readonly start: number,
    readonly stop: number,
    readonly step: number,
  ) {
    const n = step > 0 ? Math.ceil((stop - start) / step) : Math.ceil((start - stop) / -step);
    this.length = Math.max(0, n);
  }
  at(i: number): number {
    return this.start + i * this.step;
  }
  toArray(): number[] {
    const out = new Array<number>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.start + i * this.step;
    return out;
  }
}

/** dict.items()/keys()/values(): printed as dict_items([...]) etc. */
export class DictView {
  constructor(
    readonly kind: "items" | "keys" | "values",
    readonly map: Map<unknown, unknown>,
  ) {}
  toArray(): unknown[] {
    if (this.kind === "keys") return Array.from(this.map.keys());
    if (this.kind === "values") return Array.from(this.map.values());
    const out: unknown[] = [];
    for (const [k, v] of this.map) out.push(tuple([k, v]));
    return out;
  }
}

/**
 * A Python iterator or generator (what `map`, `select`, `unique`, `batch`,
 * `reverse` return): always truthy, no len(), and consumed by iteration.
 */
export class PyIterator {
  constructor(
    readonly pyType: string,
    readonly fname: string,
    private readonly it: Iterator<unknown>,
  ) {}
  next(): unknown {
    const r = this.it.next();
    return r.done ? NOT_FOUND : r.value;
  }
  drain(): unknown[] {
    const out: unknown[] = [];
    for (let r = this.it.next(); !r.done; r = this.it.next()) out.push(r.value);
    return out;
  }
}

export const TUPLE: unique symbol = Symbol("tuple");
type Tuple = unknown[] & { [TUPLE]?: true };

export function tuple<T extends unknown[]>(items: T): T {
  (items as Tuple)[TUPLE] = true;
  return items;
}

export function isTuple(v: unknown): v is unknown[] {
  return Array.isArray(v) && (v as Tuple)[TUPLE] === true;
}

export const isList = (v: unknown): v is unknown[] => Array.isArray(v) && (v as Tuple)[TUPLE] !== true;
export const isStr = (v: unknown): v is string | Markup => typeof v === "string" || v instanceof Markup;
export const strOf = (v: string | Markup): string => (typeof v === "string" ? v : v.s);
export const isDict = (v: unknown): v is Map<unknown, unknown> => v instanceof Map;

/** int, float or bool (Python's numbers.Number includes bool). */
export function isNumber(v: unknown): boolean {
  return typeof v === "number" || typeof v === "boolean" || v instanceof PyFloat;
}
export const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);
export const isFloat = (v: unknown): boolean =>
  v instanceof PyFloat || (typeof v === "number" && !Number.isInteger(v));

/** The JS number behind an int/float/bool. */
export function num(v: unknown): number {
  if (typeof v === "number") return v;
  if (v instanceof PyFloat) return v.v;
  if (typeof v === "boolean") return v ? 1 : 0;
  throw new TemplateRuntimeError(`expected a number, got ${typeName(v)}`);
}

/** Wraps a float result so that 5.0 stays a float. */
export function mkFloat(n: number): number | PyFloat {
  return Number.isInteger(n) ? new PyFloat(n) : n;
}

export function typeName(v: unknown): string {
  if (v === null) return "NoneType";
  switch (typeof v) {
    case "boolean":
      return "bool";
    case "number":
      return Number.isInteger(v) ? "int" : "float";
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

/** Python bool(v). */
export function truthy(v: unknown): boolean {
  if (v === true) return true;
  if (v === false || v === null) return false;
  if (typeof v === "string") return v.length > 0;
  if (typeof v === "number") return v !== 0;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map) return v.size > 0;
  if (v instanceof Undefined) return v.strict ? v.fail() : false;
  if (v instanceof PyFloat) return v.v !== 0;
  if (v instanceof Markup) return v.s.length > 0;
  if (v instanceof PyRange) return v.length > 0;
  if (v instanceof DictView) return v.map.size > 0;
  return true;
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
  return repr(v);
}

export function intStr(n: number): string {
  // Past 2^53 String() rounds (and from 1e21 uses an exponent); Python prints every digit.
  return Math.abs(n) <= Number.MAX_SAFE_INTEGER ? String(n) : BigInt(n).toString();
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
  if (v === null || typeof v === "boolean" || typeof v === "number" || v instanceof PyFloat) return str(v);
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

/** Python ==. StrictUndefined refuses to be compared. */
export function eq(a: unknown, b: unknown): boolean {
  if (a === b && !(a instanceof Undefined)) return typeof a !== "number" || a === a;
  if (a instanceof Undefined) return a.strict ? a.fail() : b instanceof Undefined && !b.strict;
  if (b instanceof Undefined) return b.strict ? b.fail() : false;
  if (isNumber(a)) return isNumber(b) && num(a) === num(b);
  if (isStr(a)) return isStr(b) && strOf(a) === strOf(b);
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || isTuple(a) !== isTuple(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!eq(a[i], b[i])) return false;
    return true;
  }
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    for (const [k, v] of a) {
      if (!b.has(k) || !eq(v, b.get(k))) return false;
    }
    return true;
  }
  if (a instanceof PyRange && b instanceof PyRange) {
    return a.length === b.length && (a.length === 0 || (a.start === b.start && (a.length === 1 || a.step === b.step)));
  }
  return false;
}

const OP_SYMBOL = { lt: "<", gt: ">", lteq: "<=", gteq: ">=" } as const;
export type OrderOp = keyof typeof OP_SYMBOL;

/** Python <, >, <=, >= (TypeError between unrelated types). */
export function order(op: OrderOp, a: unknown, b: unknown): boolean {
  const c = cmp(op, a, b);
  switch (op) {
    case "lt":
      return c < 0;
    case "gt":
      return c > 0;
    case "lteq":
      return c <= 0;
    default:
      return c >= 0;
  }
}

/** -1/0/1, or NaN when unordered (NaN compares false every way). */
function cmp(op: OrderOp, a: unknown, b: unknown): number {
  if (a instanceof Undefined) a.fail();
  if (b instanceof Undefined) b.fail();
  if (isNumber(a) && isNumber(b)) {
    const x = num(a);
    const y = num(b);
    return x < y ? -1 : x > y ? 1 : x === y ? 0 : NaN;
  }
  if (isStr(a) && isStr(b)) {
    const x = strOf(a);
    const y = strOf(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (Array.isArray(a) && Array.isArray(b) && isTuple(a) === isTuple(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      if (!eq(a[i], b[i])) return cmp(op, a[i], b[i]);
    }
    return a.length - b.length;
  }
  throw typeError(
    `'${OP_SYMBOL[op]}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`,
  );
}

/** Sort comparator with Python semantics (stable sort is JS's default). */
export function compare(a: unknown, b: unknown): number {
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  const c = cmp("lt", a, b);
  return c !== c ? 0 : c;
}

/** A dict key as stored in a Map: 5.0 and 5 are the same key, Markup is a str. */
export function dictKey(k: unknown): unknown {
  if (typeof k === "string" || typeof k === "number") return k;
  if (k instanceof PyFloat) return k.v;
  if (k instanceof Markup) return k.s;
  if (k instanceof Undefined) return k.strict ? k.fail() : LENIENT_KEY;
  if (Array.isArray(k) && !isTuple(k)) throw typeError("unhashable type: 'list'");
  if (k instanceof Map) throw typeError("unhashable type: 'dict'");
  return k;
}

/**
 * The key stored in `m` that Python would consider equal to `k` (True == 1,
 * False == 0, 1.0 == 1), or NOT_FOUND.
 */
export function findKey(m: Map<unknown, unknown>, k: unknown): unknown {
  const key = dictKey(k);
  if (m.has(key)) return key;
  if (key === true || key === 1) return m.has(true) ? true : m.has(1) ? 1 : NOT_FOUND;
  if (key === false || key === 0) return m.has(false) ? false : m.has(0) ? 0 : NOT_FOUND;
  return NOT_FOUND;
}

/** The items a for loop, `list` or `join` walks: dicts yield their keys. */
export function iterate(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (v instanceof Map) return Array.from(v.keys());
  if (typeof v === "string") return Array.from(v);
  if (v instanceof Undefined) return v.strict ? v.fail() : [];
  if (v instanceof PyRange || v instanceof DictView) return v.toArray();
  if (v instanceof PyIterator) return v.drain();
  if (v instanceof Markup) return Array.from(v.s);
  const custom = (v as { pyIter?: () => unknown[] } | null)?.pyIter;
  if (typeof custom === "function") return custom.call(v);
  throw typeError(`'${typeName(v)}' object is not iterable`);
}

/** Python len(v). */
export function len(v: unknown): number {
  if (typeof v === "string") return codePointLength(v);
  if (Array.isArray(v)) return v.length;
  if (v instanceof Map) return v.size;
  if (v instanceof Undefined) return v.strict ? v.fail() : 0;
  if (v instanceof Markup) return codePointLength(v.s);
  if (v instanceof PyRange) return v.length;
  if (v instanceof DictView) return v.map.size;
  if (v instanceof Namespace) throw typeError("object of type 'Namespace' has no len()");
  throw typeError(`object of type '${typeName(v)}' has no len()`);
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** Python counts code points; JS strings count UTF-16 units. */
export function codePointLength(s: string): number {
  return SURROGATE.test(s) ? Array.from(s).length : s.length;
}

/** A string as an array of code points only when it needs one (astral characters). */
export function hasAstral(s: string): boolean {
  return SURROGATE.test(s);
}

/** Marks "no such attribute/item" in lookups, where null means Python None. */
export const NOT_FOUND: unique symbol = Symbol("not found");

/** A lookup table that never answers through Object.prototype ("constructor", "__proto__"). */
export function nullProto<T extends object>(entries: T): T {
  return Object.assign(Object.create(null) as T, entries);
}

/** Objects (loop, cycler, joiner) that expose Python attributes to templates. */
export interface HasAttrs {
  pyAttr(name: string): unknown;
}
export const hasAttrs = (v: unknown): v is HasAttrs =>
  typeof v === "object" && v !== null && typeof (v as Partial<HasAttrs>).pyAttr === "function";

/** Marks the (grouper, list) tuples `groupby` returns, which also have those attributes. */
export const GROUP: unique symbol = Symbol("group");

/** A value usable as a JS Set key with Python's hash equality (1 == 1.0 == True). */
export function hashKey(v: unknown): unknown {
  if (typeof v === "string" || typeof v === "number" || v === null) return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (v instanceof PyFloat) return v.v;
  if (v instanceof Markup) return v.s;
  if (v instanceof Undefined) return v.strict ? v.fail() : LENIENT_KEY;
  if (isTuple(v)) {
    for (let i = 0; i < v.length; i++) hashKey(v[i]); // a tuple is hashable only if its items are
    return "\u0000" + repr(v);
  }
  if (Array.isArray(v)) throw typeError("unhashable type: 'list'");
  if (v instanceof Map) throw typeError("unhashable type: 'dict'");
  return v;
}
