// The Python value model's types, so that printing, truthiness and equality
// (python.ts) can match Jinja2 byte for byte:
//   None -> null, bool -> boolean, int -> integral number, or bigint beyond
//   2^53 (ints.ts), float -> non-integral number or PyFloat (an integral float
//   such as 5.0 must still print "5.0"),
//   str -> string (Markup for "safe" strings), list -> Array, tuple -> Array
//   marked with TUPLE, dict -> Map (insertion-ordered, any key type).
import { TemplateRuntimeError, UndefinedError } from "./errors.js";
import { bigToFloat } from "./ints.js";
import { objectTypeRepr, repr, typeName } from "./python-repr.js";

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
  return typeof v === "number" || typeof v === "boolean" || v instanceof PyFloat || typeof v === "bigint";
}
export const isInt = (v: unknown): v is number | bigint => (typeof v === "number" && Number.isInteger(v)) || typeof v === "bigint";
export const isFloat = (v: unknown): boolean =>
  v instanceof PyFloat || (typeof v === "number" && !Number.isInteger(v));

/** The JS number behind an int/float/bool (a big int as Python's float() converts it). */
export function num(v: unknown): number {
  if (typeof v === "number") return v;
  if (v instanceof PyFloat) return v.v;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "bigint") return bigToFloat(v);
  throw new TemplateRuntimeError(`expected a number, got ${typeName(v)}`);
}

/** Wraps a float result so that 5.0 stays a float. */
export function mkFloat(n: number): number | PyFloat {
  return Number.isInteger(n) ? new PyFloat(n) : n;
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
