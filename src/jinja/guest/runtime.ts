// The helpers compiled templates call (passed in as `rt`): the Python value
// operations plus the pieces of jinja2.runtime that are not plain values
// (context lookup, macros, unpacking, namespace assignment).
import { call, callMethod, getattr, getitem, slice } from "./attrs.js";
import { PyError, TemplateError, TemplateRuntimeError, outputTooLong, typeError, valueError } from "./errors.js";
import { filters, tests } from "./filters.js";
import { GLOBALS } from "./globals.js";
import { LoopContext } from "./loop.js";
import { add, concat, contains, div, escapeText, floordiv, mod, mul, neg, pos, pow, sub } from "./ops.js";
import {
  Callable,
  Markup,
  NOT_FOUND,
  Namespace,
  PyFloat,
  Undefined,
  dictKey,
  eq,
  findKey,
  isStr,
  iterate,
  order,
  str,
  strOf,
  truthy,
  tuple,
  typeName,
  undefinedName,
} from "./python.js";

/** Marks a macro argument the caller did not pass. */
export const MISSING: unique symbol = Symbol("missing");

// Undefineds are immutable: one per missing name spares an allocation per render.
const missingNames = new Map<string, Undefined>();

function lookup(ctx: Map<unknown, unknown>, name: string): unknown {
  const v = ctx.get(name);
  if (v !== undefined) return v;
  const g = GLOBALS.get(name);
  if (g !== undefined) return g;
  let u = missingNames.get(name);
  if (!u) {
    u = undefinedName(name);
    if (missingNames.size < 10_000) missingNames.set(name, u);
  }
  return u;
}

/** A dict literal: a key equal to an earlier one (True == 1) updates that entry. */
function dict(pairs: [unknown, unknown][]): Map<unknown, unknown> {
  const m = new Map<unknown, unknown>();
  for (let i = 0; i < pairs.length; i++) {
    const [k, v] = pairs[i] as [unknown, unknown];
    const existing = findKey(m, k);
    m.set(existing === NOT_FOUND ? k : existing, v);
  }
  return m;
}

function unpack(v: unknown, n: number): unknown[] {
  if (Array.isArray(v) && v.length === n) return v;
  let items: unknown[];
  try {
    items = iterate(v);
  } catch (e) {
    if (e instanceof PyError && e.pyType === "TypeError") throw typeError(`cannot unpack non-iterable ${typeName(v)} object`);
    throw e;
  }
  if (items.length < n) throw valueError(`not enough values to unpack (expected ${n}, got ${items.length})`);
  if (items.length > n) throw valueError(`too many values to unpack (expected ${n})`);
  return items;
}

function nsCheck(ns: unknown): Namespace {
  if (!(ns instanceof Namespace)) throw new TemplateRuntimeError("cannot assign attribute on non-namespace object");
  return ns;
}

function kwargsMerge(kw: Map<string, unknown> | null, dyn: unknown): Map<string, unknown> {
  const out = new Map(kw ?? []);
  if (dyn instanceof Undefined) dyn.fail();
  if (!(dyn instanceof Map)) throw typeError("argument after ** must be a mapping");
  for (const [k, v] of dyn) {
    if (!isStr(k)) throw typeError("keywords must be strings");
    out.set(strOf(k), v);
  }
  return out;
}

/** jinja2.runtime.Macro.__call__ argument handling. */
function macro(
  name: string,
  argNames: string[],
  flags: { caller: boolean; kwargs: boolean; varargs: boolean },
  fn: (...args: unknown[]) => string,
): Callable {
  const n = argNames.length;
  const explicitCaller = argNames.includes("caller");
  return new Callable(
    name,
    (args, kwargs) => {
      const out = args.slice(0, n);
      const kw = new Map(kwargs ?? []);
      let foundCaller = explicitCaller;
      if (out.length !== n) {
        foundCaller = false;
        for (const an of argNames.slice(out.length)) {
          if (kw.has(an)) {
            out.push(kw.get(an));
            kw.delete(an);
          } else out.push(MISSING);
          if (an === "caller") foundCaller = true;
        }
      }
      if (flags.caller && !foundCaller) {
        const c = kw.get("caller");
        kw.delete("caller");
        out.push(c === undefined || c === null ? new Undefined("No caller defined", undefined, "caller") : c);
      }
      if (flags.kwargs) out.push(kw);
      else if (kw.size) {
        if (kw.has("caller")) {
          throw typeError(`macro '${name}' was invoked with two values for the special caller argument. This is most likely a bug.`);
        }
        throw typeError(`macro '${name}' takes no keyword argument '${String(kw.keys().next().value)}'`);
      }
      if (flags.varargs) out.push(tuple(args.slice(n)));
      else if (args.length > n) throw typeError(`macro '${name}' takes not more than ${n} argument(s)`);
      return fn(...out);
    },
    "Macro",
  );
}

/** Records the template line on an error the first time it passes a frame. */
function locate(e: unknown, line: number): unknown {
  if (e instanceof TemplateError) {
    e.lineno ??= line;
    return e;
  }
  const msg = outputTooLong(e) ?? (e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  return new TemplateRuntimeError(msg, line);
}

export const runtime = {
  MISSING,
  Map,
  NOARGS: Object.freeze([]) as unknown as unknown[],
  PyFloat,
  Undefined,
  Markup,
  LoopContext,
  filters,
  tests,
  lookup,
  unpack,
  dict,
  nsCheck,
  kwargsMerge,
  macro,
  locate,
  str,
  truthy,
  eq,
  lt: (a: unknown, b: unknown) => order("lt", a, b),
  gt: (a: unknown, b: unknown) => order("gt", a, b),
  le: (a: unknown, b: unknown) => order("lteq", a, b),
  ge: (a: unknown, b: unknown) => order("gteq", a, b),
  contains,
  isIn: (item: unknown, container: unknown) => contains(container, item),
  add,
  sub,
  mul,
  div,
  floordiv,
  mod,
  pow,
  neg,
  pos,
  concat,
  escapeText,
  getattr,
  getitem,
  slice,
  call,
  callMethod,
  tuple,
  dictKey,
  iterate,
  undefinedParam: (name: string) => new Undefined(`parameter '${name}' was not provided`, undefined, name),
  condUndefined: (line: number) =>
    new Undefined(
      `the inline if-expression on line ${line} evaluated to false and no else section was defined.`,
      undefined,
      null,
      false,
    ),
  noLoader: (): never => {
    throw typeError("no loader for this environment specified");
  },
  noFilter: (kind: string, name: string): never => {
    throw new TemplateRuntimeError(`No ${kind} named '${name}' found.`);
  },
};

export type Runtime = typeof runtime;
