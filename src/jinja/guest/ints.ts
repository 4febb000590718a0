// Python's ints are exact at any size. An int is a JS number while it is exact
// (|n| <= 2^53 - 1, the fast and common case) and a bigint beyond; every result
// is put back in that form (intOf), so a bigint always means "outside the safe range".
import { PyError, valueError, zeroDivision } from "./errors.js";

const MAX = Number.MAX_SAFE_INTEGER;
const BIG_MAX = BigInt(MAX);
/**
 * Ints stop here: QuickJS's bigint arithmetic is quadratic and cannot be
 * interrupted mid-operation, so a bound per value keeps every step well inside
 * the render deadline. Python itself prints at most 4300 digits (~14,300 bits).
 */
export const MAX_INT_BITS = 65_536;
const BIT_LIMIT = 1n << BigInt(MAX_INT_BITS);
/** CPython's sys.int_info.default_max_str_digits. */
const MAX_STR_DIGITS = 4300;
const STR_LIMIT = 10n ** BigInt(MAX_STR_DIGITS);

const tooLarge = (): never => {
  throw new PyError("OverflowError", `integer too large for the renderer (more than ${MAX_INT_BITS} bits)`);
};

/** A bigint result in the int form: a number when exact. */
export function intOf(n: bigint): number | bigint {
  if (n <= BIG_MAX && n >= -BIG_MAX) return Number(n);
  if (n >= BIT_LIMIT || n <= -BIT_LIMIT) tooLarge();
  return n;
}

/** An integral double as an int (its exact value; -0 is 0). */
export function intFromNumber(x: number): number | bigint {
  return x <= MAX && x >= -MAX ? x || 0 : intOf(BigInt(x));
}

/** Python int(float): toward zero, exact. */
export function truncToInt(x: number): number | bigint {
  if (x !== x) throw valueError("cannot convert float NaN to integer");
  if (!Number.isFinite(x)) throw new PyError("OverflowError", "cannot convert float infinity to integer");
  return intFromNumber(Math.trunc(x));
}

/** An int or bool as a bigint. */
export const big = (v: unknown): bigint => (typeof v === "bigint" ? v : BigInt(v === true ? 1 : v === false ? 0 : (v as number)));

/** Python float(int): OverflowError past the largest double. */
export function bigToFloat(n: bigint): number {
  const x = Number(n);
  if (!Number.isFinite(x)) throw new PyError("OverflowError", "int too large to convert to float");
  return x;
}

/** str(int): Python refuses to print more than 4300 digits. */
export function bigStr(n: bigint): string {
  if (n >= STR_LIMIT || n <= -STR_LIMIT) {
    throw valueError(`Exceeds the limit (${MAX_STR_DIGITS} digits) for integer string conversion; use sys.set_int_max_str_digits() to increase the limit`);
  }
  return n.toString();
}

/** Floor division and modulo on ints (bigint division truncates; Python floors). */
export function bigDivmod(a: bigint, b: bigint, what: "//" | "%"): number | bigint {
  if (b === 0n) throw zeroDivision(what === "//" ? "integer division or modulo by zero" : "integer modulo by zero");
  let q = a / b;
  let r = a % b;
  if (r !== 0n && r < 0n !== b < 0n) {
    q -= 1n;
    r += b;
  }
  return intOf(what === "//" ? q : r);
}

/** int ** int with a non-negative exponent, refused before it is computed when the result cannot fit. */
export function bigPow(a: bigint, b: bigint): number | bigint {
  if (a === 0n || a === 1n || b === 0n) return intOf(b === 0n ? 1n : a);
  if (a === -1n) return b % 2n === 0n ? 1 : -1;
  const bits = BigInt((a < 0n ? -a : a).toString(2).length - 1);
  if (bits * b >= BigInt(MAX_INT_BITS)) tooLarge();
  return intOf(a ** b);
}

/** Python's int / int: correctly rounded, without going through two floats first. */
export function bigTrueDiv(a: bigint, b: bigint): number {
  if (b === 0n) throw zeroDivision("division by zero");
  const negative = a < 0n !== b < 0n;
  let n = a < 0n ? -a : a;
  let d = b < 0n ? -b : b;
  // Scale so the quotient has 64+ bits, keep a sticky bit for the remainder: Number() then rounds once.
  const shift = d.toString(2).length - n.toString(2).length + 66;
  if (shift > 0) n <<= BigInt(shift);
  else d <<= BigInt(-shift);
  let q = n / d;
  if (q * d !== n) q |= 1n;
  let x = Number(q);
  x = shift > 1000 ? x * 2 ** -1000 * 2 ** -(shift - 1000) : x * 2 ** -shift;
  if (!Number.isFinite(x)) throw new PyError("OverflowError", "integer division result too large for a float");
  return negative ? -x : x;
}
