// Python semantics over the value model (values.ts): truthiness, equality,
// ordering, hashing, iteration and len(). Re-exports the types and str()/repr()
// so that the rest of the guest imports Python behaviour from one place.
import { typeError } from "./errors.js";
import { repr, typeName } from "./python-repr.js";
import {
  DictView,
  Markup,
  NOT_FOUND,
  PyFloat,
  PyIterator,
  PyRange,
  Undefined,
  isNumber,
  isStr,
  isTuple,
  num,
  strOf,
  LENIENT_KEY,
  Namespace,
} from "./values.js";

export * from "./values.js";
export * from "./python-repr.js";

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
  if (typeof v === "bigint") return true; // never 0: small ints are numbers
  if (v instanceof Markup) return v.s.length > 0;
  if (v instanceof PyRange) return v.length > 0;
  if (v instanceof DictView) return v.map.size > 0;
  return true;
}

/** Python ==. StrictUndefined refuses to be compared. */
export function eq(a: unknown, b: unknown): boolean {
  if (a === b && !(a instanceof Undefined)) return typeof a !== "number" || a === a;
  if (a instanceof Undefined) return a.strict ? a.fail() : b instanceof Undefined && !b.strict;
  if (b instanceof Undefined) return b.strict ? b.fail() : false;
  if (isNumber(a)) return isNumber(b) && exact(a) == exact(b); // == compares bigint and number exactly
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
    const x = exact(a);
    const y = exact(b);
    return x < y ? -1 : x > y ? 1 : x == y ? 0 : NaN;
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

/** A number as JS compares it exactly with another: big ints stay bigints (Python compares int and float exactly). */
function exact(v: unknown): number | bigint {
  return typeof v === "bigint" ? v : num(v);
}

/** Sort comparator with Python semantics (stable sort is JS's default). */
export function compare(a: unknown, b: unknown): number {
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  const c = cmp("lt", a, b);
  return c !== c ? 0 : c;
}

/** A dict key as stored in a Map (Markup is a str; unhashable values fail). */
export function dictKey(k: unknown): unknown {
  if (typeof k === "string" || typeof k === "number") return k;
  if (k instanceof Markup) return k.s;
  if (k instanceof Undefined) return k.strict ? k.fail() : LENIENT_KEY;
  if (Array.isArray(k)) hashKey(k); // lists and tuples holding lists are unhashable
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
  if (typeof key === "string") return NOT_FOUND;
  // numbers, bools and tuples can equal a differently stored key
  for (const stored of m.keys()) {
    if (typeof stored !== "string" && eq(stored, key)) return stored;
  }
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

/** A value usable as a JS Set key with Python's hash equality (1 == 1.0 == True). */
export function hashKey(v: unknown): unknown {
  if (typeof v === "string" || typeof v === "number" || v === null) return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (v instanceof PyFloat) return v.v;
  if (typeof v === "bigint") return BigInt(Number(v)) === v ? Number(v) : v; // 2**60 == 2.0**60
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
