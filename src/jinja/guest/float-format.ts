// Correctly rounded decimal formatting of doubles, as CPython does it: from the
// exact binary value with round-half-even (JS toFixed rounds ties up, so
// '%.1f' % 0.25 and round(2.5) would otherwise differ).

/** The exact decimal value of |x|: digits and the position of the decimal point. */
function exactDecimal(x: number): { digits: string; point: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (biased === 0) exp = -1074;
  else {
    mant |= 1n << 52n;
    exp = biased - 1075;
  }
  if (mant === 0n) return { digits: "0", point: 1 };
  if (exp >= 0) {
    const digits = (mant << BigInt(exp)).toString();
    return { digits, point: digits.length };
  }
  // m * 2^e = m * 5^-e / 10^-e
  const digits = (mant * 5n ** BigInt(-exp)).toString();
  return { digits, point: digits.length + exp };
}

/**
 * Rounds the exact digits of |x| to `keep` digits (counted from the first
 * digit), half to even. Returns the kept digits and the (possibly shifted) point.
 */
function roundDigits(digits: string, point: number, keep: number): { digits: string; point: number } {
  if (keep < 0) return { digits: "0", point };
  if (digits.length <= keep) return { digits: digits.padEnd(keep, "0"), point };
  let kept = digits.slice(0, keep);
  const rest = digits.slice(keep);
  const first = rest.charCodeAt(0) - 48;
  const tail = /[1-9]/.test(rest.slice(1));
  const lastOdd = keep > 0 && (kept.charCodeAt(keep - 1) - 48) % 2 === 1;
  if (first > 5 || (first === 5 && (tail || lastOdd))) {
    const up = (BigInt(kept || "0") + 1n).toString();
    if (keep === 0) return { digits: up, point: point + 1 };
    if (up.length > keep) return { digits: up.slice(0, keep), point: point + 1 };
    kept = up.padStart(keep, "0");
  }
  return { digits: kept, point };
}

const signOf = (x: number): string => (x < 0 || Object.is(x, -0) ? "-" : "");

/** Fixed-point with `prec` decimals, e.g. '%.2f'. No sign for non-negative values. */
export function formatFixed(x: number, prec: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  const { digits, point } = exactDecimal(x);
  const r = roundDigits(digits, point, point + prec);
  let int: string;
  let frac: string;
  if (r.point <= 0) {
    int = "0";
    frac = ("0".repeat(-r.point) + r.digits).slice(0, prec).padEnd(prec, "0");
  } else {
    int = r.digits.slice(0, r.point).padEnd(r.point, "0").replace(/^0+(?=\d)/, "");
    frac = r.digits.slice(r.point).padEnd(prec, "0");
  }
  return signOf(x) + int + (prec > 0 ? "." + frac : "");
}

/** Exponent notation with `prec` decimals, e.g. '%.3e' gives 1.235e+04. */
export function formatExp(x: number, prec: number, upper = false): string {
  if (!Number.isFinite(x)) return upper ? nonFinite(x).toUpperCase() : nonFinite(x);
  const { digits, point } = exactDecimal(x);
  const lead = digits.search(/[1-9]/);
  let mant: string;
  let exp: number;
  if (lead === -1) {
    mant = "0".repeat(prec + 1);
    exp = 0;
  } else {
    const r = roundDigits(digits.slice(lead), point - lead, prec + 1);
    mant = r.digits;
    exp = r.point - 1;
  }
  const e = `${upper ? "E" : "e"}${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  return signOf(x) + mant[0] + (prec > 0 ? "." + mant.slice(1) : "") + e;
}

/** '%g': the shorter of fixed and exponent notation for `prec` significant digits. */
export function formatGeneral(x: number, prec: number, alternate = false, upper = false): string {
  if (!Number.isFinite(x)) return upper ? nonFinite(x).toUpperCase() : nonFinite(x);
  const p = prec === 0 ? 1 : prec;
  const e = formatExp(x, p - 1);
  const exp = Number(e.slice(e.search(/e/) + 1));
  let out = exp >= -4 && exp < p ? formatFixed(x, p - 1 - exp) : formatExp(x, p - 1, upper);
  if (!alternate) {
    out = out.replace(/(\.\d*?)0+(?=$|[eE])/, "$1").replace(/\.(?=$|[eE])/, "");
  } else if (!out.includes(".")) out = out.replace(/(?=[eE]|$)/, ".");
  return out;
}

/** Python round(x, ndigits) for floats: correctly rounded, half to even. */
export function roundFloat(x: number, ndigits: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  if (ndigits > 308) return x;
  if (ndigits < -308) return 0 * x;
  const { digits, point } = exactDecimal(x);
  const r = roundDigits(digits, point, point + ndigits);
  const value = Number(`${r.digits || "0"}e${r.point - r.digits.length}`);
  return x < 0 ? -value : value;
}

function nonFinite(x: number): string {
  return x !== x ? "nan" : x > 0 ? "inf" : "-inf";
}
