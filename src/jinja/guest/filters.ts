// The builtin filter and test tables of a default jinja2.Environment, plus
// the numeric filters. There is deliberately no `bool` filter: Jinja2 has none.
import { PyError, TemplateRuntimeError, typeError } from "./errors.js";
import { intFromNumber, intOf } from "./ints.js";
import { roundFloat } from "./float-format.js";
import { SEQ_FILTERS } from "./filters-seq.js";
import { TEXT_FILTERS, sig, toFloat, type Filter } from "./filters-text.js";
import { urlize } from "./filters-urlize.js";
import { tojson } from "./json.js";
import {
  PyFloat,
  Undefined,
  isFloat,
  isNumber,
  isStr,
  mkFloat,
  num,
  repr,
  strOf,
  truthy,
  typeName,
} from "./python.js";
import { filters, tests } from "./registry.js";
import { pyStrip } from "./str-methods.js";
import { TESTS } from "./tests.js";

const DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz";

/** Python int(str, base), or null where Python raises ValueError. */
function parseInt(s: string, base: number): number | bigint | null {
  let t = pyStrip(s, null);
  let sign = 1;
  if (t[0] === "+" || t[0] === "-") {
    if (t[0] === "-") sign = -1;
    t = t.slice(1);
  }
  let b = base;
  const prefix = /^0([xob])/i.exec(t);
  if (prefix) {
    const pb = { x: 16, o: 8, b: 2 }[(prefix[1] as string).toLowerCase() as "x" | "o" | "b"];
    if (b === 0 || b === pb) {
      b = pb;
      t = t.slice(2).replace(/^_/, "");
    }
  }
  if (b === 0) {
    if (/^0+(_?0)*$/.test(t)) return 0;
    if (/^0/.test(t)) return null;
    b = 10;
  }
  if (!t || !/^[0-9a-z]+(_[0-9a-z]+)*$/i.test(t)) return null;
  let n = 0;
  for (const ch of t.replace(/_/g, "").toLowerCase()) {
    const d = DIGITS.indexOf(ch);
    if (d === -1 || d >= b) return null;
    n = n * b + d;
  }
  if (n <= Number.MAX_SAFE_INTEGER) return sign * n || 0;
  // past 2^53 the sum above rounded: again, exactly
  let exact = 0n;
  for (const ch of t.replace(/_/g, "").toLowerCase()) exact = exact * BigInt(b) + BigInt(DIGITS.indexOf(ch));
  return intOf(BigInt(sign) * exact);
}

function toInt(v: unknown, dflt: unknown, base: unknown): unknown {
  if (v instanceof Undefined) v.fail();
  if (isStr(v)) {
    const n = parseInt(strOf(v), num(base));
    if (n !== null) return n;
  } else if (typeof v === "bigint") {
    return v;
  } else if (isNumber(v)) {
    const x = num(v);
    if (x !== x) return dflt;
    if (!Number.isFinite(x)) throw new PyError("OverflowError", "cannot convert float infinity to integer");
    return intFromNumber(Math.trunc(x));
  }
  try {
    const f = toFloat(v);
    return Number.isFinite(f) ? intFromNumber(Math.trunc(f)) : dflt;
  } catch {
    return dflt;
  }
}

function toFloatFilter(v: unknown, dflt: unknown): unknown {
  if (v instanceof Undefined) v.fail();
  try {
    return mkFloat(toFloat(v));
  } catch {
    return dflt;
  }
}

function abs(v: unknown): unknown {
  if (v instanceof Undefined || !isNumber(v)) throw typeError(`bad operand type for abs(): '${typeName(v)}'`);
  if (isFloat(v)) return mkFloat(Math.abs(num(v)));
  if (typeof v === "bigint") return v < 0n ? intOf(-v) : v;
  return Math.abs(num(v));
}

function round(v: unknown, precision: unknown, method: unknown): unknown {
  if (method !== "common" && method !== "ceil" && method !== "floor") {
    throw new TemplateRuntimeError("method must be common, ceil or floor");
  }
  if (!isNumber(v)) throw typeError(`type ${typeName(v)} doesn't define __round__ method`);
  const p = num(precision);
  if (method === "common" && !isFloat(v) && (p >= 0 || typeof v === "bigint")) return p >= 0 ? (typeof v === "boolean" ? +v : v) : roundBig(v as bigint, p);
  const x = num(v);
  if (method === "common") {
    if (!isFloat(v)) {
      const unit = 10 ** -p;
      return roundFloat(x / unit, 0) * unit;
    }
    return mkFloat(roundFloat(x, p));
  }
  const scale = 10 ** p;
  return mkFloat((method === "ceil" ? Math.ceil(x * scale) : Math.floor(x * scale)) / scale);
}

/** round(int, -k) for a big int: exact, half to even. */
function roundBig(v: bigint, p: number): number | bigint {
  const unit = 10n ** BigInt(-p);
  let q = v / unit;
  let r = v % unit;
  if (r < 0n) {
    q -= 1n;
    r += unit;
  }
  if (2n * r > unit || (2n * r === unit && q % 2n !== 0n)) q += 1n;
  return intOf(q * unit);
}

/** pprint.pformat for values that fit one line (dict keys sorted, as pprint does). */
function pformat(v: unknown): string {
  if (v instanceof Map) {
    const keys = Array.from(v.keys()).sort((a, b) => (repr(a) < repr(b) ? -1 : 1));
    return `{${keys.map((k) => `${pformat(k)}: ${pformat(v.get(k))}`).join(", ")}}`;
  }
  if (Array.isArray(v)) {
    const inner = v.map(pformat).join(", ");
    return repr(v).startsWith("(") ? (v.length === 1 ? `(${inner},)` : `(${inner})`) : `[${inner}]`;
  }
  return repr(v);
}

const NUM_FILTERS: Record<string, Filter> = {
  int: sig("do_int", ["default", "base"], [0, 10], toInt),
  float: sig("do_float", ["default"], [new PyFloat(0)], toFloatFilter),
  abs: sig("abs", [], [], abs),
  round: sig("do_round", ["precision", "method"], [0, "common"], round),
  default: sig("do_default", ["default_value", "boolean"], ["", false], (v, d, boolean) =>
    v instanceof Undefined || (truthy(boolean) && !truthy(v)) ? d : v,
  ),
  tojson: sig("do_tojson", ["indent"], [null], (v, indent) => tojson(v, indent)),
  pprint: sig("do_pprint", [], [], pformat),
  urlize: sig(
    "do_urlize",
    ["trim_url_limit", "nofollow", "target", "rel", "extra_schemes"],
    [null, false, null, null, null],
    urlize,
  ),
};
NUM_FILTERS.d = NUM_FILTERS.default as Filter;

for (const table of [TEXT_FILTERS, SEQ_FILTERS, NUM_FILTERS]) {
  for (const [name, fn] of Object.entries(table)) filters.set(name, fn);
}
for (const [name, fn] of Object.entries(TESTS)) tests.set(name, fn);
tests.set("filter", (v, a, k) => sig("test_filter", [], [], (x) => isStr(x) && filters.has(strOf(x)))(v, a, k) as boolean);
tests.set("test", (v, a, k) => sig("test_test", [], [], (x) => isStr(x) && tests.has(strOf(x)))(v, a, k) as boolean);

export { filters, tests };
