// Python's operators as Jinja2 evaluates them: int/float arithmetic with
// Python's floor division and modulo, sequence + and *, `%` formatting,
// `~` concatenation through str(), and `in`. Ints are exact (ints.ts): a result
// past 2^53 is recomputed as a bigint, which costs the common case one range check.
import { PyError, typeError, zeroDivision } from "./errors.js";
import { big, bigDivmod, bigPow, bigTrueDiv, intOf } from "./ints.js";
import { percentFormat } from "./format-percent.js";
import {
  DictView,
  Markup,
  NOT_FOUND,
  PyFloat,
  PyRange,
  Undefined,
  eq,
  findKey,
  isFloat,
  isNumber,
  isStr,
  isTuple,
  mkFloat,
  num,
  str,
  strOf,
  tuple,
  typeName,
} from "./python.js";

const unsupported = (op: string, a: unknown, b: unknown): never => {
  throw typeError(`unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`);
};

function failUndefined(a: unknown, b: unknown): void {
  if (a instanceof Undefined) a.fail();
  if (b instanceof Undefined) b.fail();
}

const SAFE = Number.MAX_SAFE_INTEGER;

/** A numeric result: int when both operands are ints (or bools), exact at any size; float otherwise. */
function arith(op: "+" | "-" | "*", a: unknown, b: unknown): number | bigint | PyFloat {
  if (isFloat(a) || isFloat(b)) {
    const x = num(a);
    const y = num(b);
    return mkFloat(op === "+" ? x + y : op === "-" ? x - y : x * y);
  }
  const x = big(a);
  const y = big(b);
  return intOf(op === "+" ? x + y : op === "-" ? x - y : x * y);
}

export function add(a: unknown, b: unknown): unknown {
  if (typeof a === "number" && typeof b === "number") {
    if (!Number.isInteger(a) || !Number.isInteger(b)) return mkFloat(a + b);
    const r = a + b;
    return r <= SAFE && r >= -SAFE ? r : arith("+", a, b);
  }
  if (typeof a === "string" && typeof b === "string") return a + b;
  failUndefined(a, b);
  if (isNumber(a) && isNumber(b)) return arith("+", a, b);
  if (a instanceof Markup && isStr(b)) return new Markup(a.s + escapeText(b));
  if (b instanceof Markup && isStr(a)) return new Markup(escapeText(a) + b.s);
  if (isStr(a)) {
    if (isStr(b)) return strOf(a) + strOf(b);
    throw typeError(`can only concatenate str (not "${typeName(b)}") to str`);
  }
  if (Array.isArray(a)) {
    const kind = isTuple(a) ? "tuple" : "list";
    if (!Array.isArray(b) || isTuple(b) !== isTuple(a)) {
      throw typeError(`can only concatenate ${kind} (not "${typeName(b)}") to ${kind}`);
    }
    const out = a.concat(b);
    return kind === "tuple" ? tuple(out) : out;
  }
  return unsupported("+", a, b);
}

export function sub(a: unknown, b: unknown): unknown {
  if (typeof a === "number" && typeof b === "number") {
    if (!Number.isInteger(a) || !Number.isInteger(b)) return mkFloat(a - b);
    const r = a - b;
    return r <= SAFE && r >= -SAFE ? r : arith("-", a, b);
  }
  failUndefined(a, b);
  if (isNumber(a) && isNumber(b)) return arith("-", a, b);
  return unsupported("-", a, b);
}

function repeat(seq: unknown, times: unknown): unknown {
  if (isFloat(times) || !isNumber(times)) {
    throw typeError(`can't multiply sequence by non-int of type '${typeName(times)}'`);
  }
  const n = Math.max(0, num(times));
  const size = isStr(seq) ? strOf(seq).length : (seq as unknown[]).length;
  // fail fast, in the words the sandbox host reports as its memory cap
  if (size * n > 0x10000000) throw new PyError("MemoryError", "out of memory");
  if (isStr(seq)) return strOf(seq).repeat(n);
  const items = seq as unknown[];
  const out = new Array<unknown>(items.length * n);
  for (let i = 0; i < out.length; i++) out[i] = items[i % items.length];
  return isTuple(items) ? tuple(out) : out;
}

export function mul(a: unknown, b: unknown): unknown {
  if (typeof a === "number" && typeof b === "number") {
    if (!Number.isInteger(a) || !Number.isInteger(b)) return mkFloat(a * b);
    const r = a * b;
    return r <= SAFE && r >= -SAFE ? r || 0 : arith("*", a, b);
  }
  failUndefined(a, b);
  if (isNumber(a) && isNumber(b)) return arith("*", a, b);
  if (isStr(a) || Array.isArray(a)) return repeat(a, b);
  if (isStr(b) || Array.isArray(b)) return repeat(b, a);
  return unsupported("*", a, b);
}

export function div(a: unknown, b: unknown): unknown {
  failUndefined(a, b);
  if (!isNumber(a) || !isNumber(b)) return unsupported("/", a, b);
  if ((typeof a === "bigint" || typeof b === "bigint") && !isFloat(a) && !isFloat(b)) return mkFloat(bigTrueDiv(big(a), big(b)));
  const y = num(b);
  if (y === 0) throw zeroDivision(isFloat(a) || isFloat(b) ? "float division by zero" : "division by zero");
  return mkFloat(num(a) / y);
}

/** CPython's float divmod (Objects/floatobject.c), so -7.5 // 2 is -4.0. */
function floatDivmod(x: number, y: number): [number, number] {
  let mod = x % y;
  let d = (x - mod) / y;
  if (mod) {
    if (y < 0 !== mod < 0) {
      mod += y;
      d -= 1;
    }
  } else mod = y < 0 ? -0 : 0;
  let floordiv: number;
  if (d) {
    floordiv = Math.floor(d);
    if (d - floordiv > 0.5) floordiv += 1;
  } else floordiv = 1 / (x / y) < 0 ? -0 : 0; // copysign(0.0, x / y)
  return [floordiv, mod];
}

export function floordiv(a: unknown, b: unknown): unknown {
  failUndefined(a, b);
  if (!isNumber(a) || !isNumber(b)) return unsupported("//", a, b);
  if ((typeof a === "bigint" || typeof b === "bigint") && !isFloat(a) && !isFloat(b)) return bigDivmod(big(a), big(b), "//");
  const x = num(a);
  const y = num(b);
  if (isFloat(a) || isFloat(b)) {
    if (y === 0) throw zeroDivision("float floor division by zero");
    return mkFloat(floatDivmod(x, y)[0]);
  }
  if (y === 0) throw zeroDivision("integer division or modulo by zero");
  // exact, unlike Math.floor(x / y), whose division may round up to the next integer
  const r = x % y;
  const q = (x - r) / y;
  return (r !== 0 && r < 0 !== y < 0 ? q - 1 : q) || 0;
}

export function mod(a: unknown, b: unknown): unknown {
  if (isStr(a)) return percentFormat(strOf(a), b);
  failUndefined(a, b);
  if (!isNumber(a) || !isNumber(b)) return unsupported("%", a, b);
  if ((typeof a === "bigint" || typeof b === "bigint") && !isFloat(a) && !isFloat(b)) return bigDivmod(big(a), big(b), "%");
  const x = num(a);
  const y = num(b);
  if (isFloat(a) || isFloat(b)) {
    if (y === 0) throw zeroDivision("float modulo");
    return mkFloat(floatDivmod(x, y)[1]);
  }
  if (y === 0) throw zeroDivision("integer modulo by zero");
  const r = x % y;
  return (r !== 0 && r < 0 !== y < 0 ? r + y : r) || 0;
}

export function pow(a: unknown, b: unknown): unknown {
  failUndefined(a, b);
  if (!isNumber(a) || !isNumber(b)) return unsupported("** or pow()", a, b);
  const ints = !isFloat(a) && !isFloat(b);
  if (ints && (typeof a === "bigint" || typeof b === "bigint") && big(b) >= 0n) return bigPow(big(a), big(b));
  const x = num(a);
  const y = num(b);
  if (x === 0 && y < 0) throw zeroDivision("0.0 cannot be raised to a negative power");
  const r = Math.pow(x, y);
  if (isFloat(a) || isFloat(b) || y < 0) {
    if (!Number.isFinite(r) && Number.isFinite(x) && Number.isFinite(y)) {
      throw new PyError("OverflowError", "(34, 'Numerical result out of range')");
    }
    return mkFloat(r);
  }
  return r <= SAFE && r >= -SAFE ? r : bigPow(big(x), big(y));
}

export function neg(a: unknown): unknown {
  if (typeof a === "number") return Number.isInteger(a) ? -a || 0 : -a;
  if (typeof a === "bigint") return intOf(-a);
  if (a instanceof Undefined) a.fail();
  if (a instanceof PyFloat) return new PyFloat(-a.v);
  if (typeof a === "boolean") return a ? -1 : 0;
  throw typeError(`bad operand type for unary -: '${typeName(a)}'`);
}

export function pos(a: unknown): unknown {
  if (typeof a === "number" || typeof a === "bigint" || a instanceof PyFloat) return a;
  if (a instanceof Undefined) a.fail();
  if (typeof a === "boolean") return a ? 1 : 0;
  throw typeError(`bad operand type for unary +: '${typeName(a)}'`);
}

/** `a ~ b ~ …`: Jinja2's str_join. */
export function concat(parts: unknown[]): string {
  let out = "";
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    out += typeof p === "string" ? p : str(p);
  }
  return out;
}

/** Python `item in container`. */
export function contains(container: unknown, item: unknown): boolean {
  if (isStr(container)) {
    if (!isStr(item)) {
      throw typeError(`'in <string>' requires string as left operand, not ${typeName(item)}`);
    }
    return strOf(container).includes(strOf(item));
  }
  if (Array.isArray(container)) {
    for (const x of container) if (x === item || eq(x, item)) return true;
    return false;
  }
  if (container instanceof Map) return findKey(container, item) !== NOT_FOUND;
  if (container instanceof Undefined) return container.strict ? container.fail() : false;
  if (container instanceof DictView) {
    if (container.kind === "keys") return findKey(container.map, item) !== NOT_FOUND;
    return contains(container.toArray(), item);
  }
  if (container instanceof PyRange) {
    if (!isNumber(item) || typeof item === "bigint" || !Number.isInteger(num(item))) return false;
    const i = (num(item) - container.start) / container.step;
    return Number.isInteger(i) && i >= 0 && i < container.length;
  }
  const custom = (container as { pyIter?: () => unknown[] } | null)?.pyIter;
  if (typeof custom === "function") return contains(custom.call(container), item);
  throw typeError(`argument of type '${typeName(container)}' is not iterable`);
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;" };

/** markupsafe.escape for text (Markup passes through unchanged). */
export function escapeText(v: unknown): string {
  if (v instanceof Markup) return v.s;
  return str(v).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] as string);
}

export function escape(v: unknown): Markup {
  return v instanceof Markup ? v : new Markup(escapeText(v));
}
