// Jinja2's builtin tests (jinja2/tests.py) for `x is name(args)`.
import type { Kwargs } from "./attrs.js";
import { required, signature, type Direct } from "./args.js";
import { contains, mod } from "./ops.js";
import {
  Callable,
  Markup,
  PyFloat,
  PyIterator,
  Undefined,
  eq,
  isFloat,
  isNumber,
  isStr,
  iterate,
  len,
  nullProto,
  order,
  str,
} from "./python.js";
import { STR_METHODS } from "./str-methods.js";

export type Test = ((value: unknown, args: unknown[], kwargs: Kwargs) => boolean) & { direct?: Direct };

/** A test with a fixed Python signature (after the tested value). */
function sig(fname: string, params: string[], defaults: unknown[], fn: (v: unknown, ...a: unknown[]) => unknown): Test {
  const bound = signature(fname, params, defaults, fn);
  const test: Test = (v, args, kwargs) => Boolean(bound(v, args, kwargs));
  return Object.assign(test, { direct: bound.direct });
}
const unary = (fname: string, fn: (v: unknown) => unknown): Test => sig(fname, [], [], fn);
const binary = (fname: string, fn: (a: unknown, b: unknown) => unknown): Test => sig(fname, ["b"], [required], fn);

const pyBool = (v: unknown): boolean => {
  if (typeof v === "boolean") return v;
  return Boolean(v);
};

export const TESTS: Record<string, Test> = nullProto({
  odd: unary("test_odd", (v) => eq(mod(v, 2), 1)),
  even: unary("test_even", (v) => eq(mod(v, 2), 0)),
  divisibleby: sig("test_divisibleby", ["num"], [required], (v, n) => eq(mod(v, n), 0)),
  defined: unary("test_defined", (v) => !(v instanceof Undefined)),
  undefined: unary("test_undefined", (v) => v instanceof Undefined),
  none: unary("test_none", (v) => v === null),
  boolean: unary("test_boolean", (v) => typeof v === "boolean"),
  false: unary("test_false", (v) => v === false),
  true: unary("test_true", (v) => v === true),
  integer: unary("test_integer", (v) => (typeof v === "number" && Number.isInteger(v)) || typeof v === "bigint"),
  float: unary("test_float", (v) => isFloat(v)),
  lower: unary("test_lower", (v) => pyBool((STR_METHODS.islower as (s: string) => unknown)(str(v)))),
  upper: unary("test_upper", (v) => pyBool((STR_METHODS.isupper as (s: string) => unknown)(str(v)))),
  string: unary("test_string", (v) => isStr(v)),
  mapping: unary("test_mapping", (v) => v instanceof Map),
  number: unary("test_number", (v) => isNumber(v)),
  sequence: unary("test_sequence", (v) => {
    if (v instanceof PyIterator) return false;
    try {
      len(v);
    } catch {
      return false;
    }
    return true;
  }),
  iterable: unary("test_iterable", (v) => {
    if (v instanceof Undefined) return v.strict ? v.fail() : true;
    if (v instanceof PyIterator) return true;
    try {
      iterate(v);
    } catch {
      return false;
    }
    return true;
  }),
  callable: unary("callable", (v) => v instanceof Callable || v instanceof Undefined),
  sameas: sig("test_sameas", ["other"], [required], (v, o) => v === o || (v instanceof PyFloat && o instanceof PyFloat && v.v === o.v)),
  escaped: unary("test_escaped", (v) => v instanceof Markup),
  in: sig("test_in", ["seq"], [required], (v, seq) => contains(seq, v)),
  "==": binary("eq", eq),
  eq: binary("eq", eq),
  equalto: binary("eq", eq),
  "!=": binary("ne", (a, b) => !eq(a, b)),
  ne: binary("ne", (a, b) => !eq(a, b)),
  ">": binary("gt", (a, b) => order("gt", a, b)),
  gt: binary("gt", (a, b) => order("gt", a, b)),
  greaterthan: binary("gt", (a, b) => order("gt", a, b)),
  ">=": binary("ge", (a, b) => order("gteq", a, b)),
  ge: binary("ge", (a, b) => order("gteq", a, b)),
  "<": binary("lt", (a, b) => order("lt", a, b)),
  lt: binary("lt", (a, b) => order("lt", a, b)),
  lessthan: binary("lt", (a, b) => order("lt", a, b)),
  "<=": binary("le", (a, b) => order("lteq", a, b)),
  le: binary("le", (a, b) => order("lteq", a, b)),
});
