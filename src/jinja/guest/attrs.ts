// Attribute and item lookup as Jinja2's Environment.getattr/getitem do it
// (Python attribute first for `a.b`, item first for `a['b']`, an Undefined
// when both fail), slicing, and calling. Only Python-level attributes are
// reachable: never a JS property such as `constructor`.
import { typeError, valueError } from "./errors.js";
import { DICT_METHODS, LIST_METHODS, SEQ_METHODS, type Kwargs } from "./methods.js";
import {
  Callable,
  GROUP,
  Markup,
  NOT_FOUND,
  Namespace,
  PyFloat,
  PyRange,
  Undefined,
  findKey,
  hasAttrs,
  isNumber,
  isStr,
  isTuple,
  num,
  strOf,
  tuple,
  typeName,
} from "./python.js";
import { STR_METHODS, callStrMethod } from "./str-methods.js";

export type { Kwargs } from "./methods.js";
export { DICT_METHOD_NAMES, mutationCount } from "./methods.js";

/** Python getattr(obj, name), or NOT_FOUND for AttributeError (the `attr` filter). */
export function pyAttribute(obj: unknown, name: string): unknown {
  if (obj instanceof Map) {
    const m = DICT_METHODS[name];
    return m ? bound(name, (a, k) => m(obj, a, k)) : NOT_FOUND;
  }
  return pyAttr(obj, name);
}

function pyAttr(obj: unknown, name: string): unknown {
  if (isStr(obj)) {
    return name in STR_METHODS ? bound(name, (a, k) => callStrMethod(obj, name, a, k)) : NOT_FOUND;
  }
  if (Array.isArray(obj)) {
    if ((obj as unknown as Record<symbol, unknown>)[GROUP] === true) {
      if (name === "grouper") return obj[0];
      if (name === "list") return obj[1];
    }
    const table = isTuple(obj) ? SEQ_METHODS : LIST_METHODS;
    const m = table[name];
    return m ? bound(name, (a, k) => m(obj, a, k)) : NOT_FOUND;
  }
  if (obj instanceof Namespace) return obj.attrs.has(name) ? obj.attrs.get(name) : NOT_FOUND;
  if (hasAttrs(obj)) return obj.pyAttr(name);
  if (obj instanceof PyRange) {
    if (name === "start" || name === "stop" || name === "step") return obj[name];
    return NOT_FOUND;
  }
  return NOT_FOUND;
}

const bound = (name: string, fn: (a: unknown[], k: Kwargs) => unknown): Callable => new Callable(name, fn);

/** `obj.name` in a template (Jinja2 Environment.getattr). */
export function getattr(obj: unknown, name: string): unknown {
  if (obj instanceof Map) {
    const m = DICT_METHODS[name];
    if (m) return bound(name, (a, k) => m(obj, a, k));
    const v = obj.get(name);
    return v === undefined ? new Undefined(null, obj, name) : v;
  }
  if (obj instanceof Undefined) obj.fail();
  const a = pyAttr(obj, name);
  if (a !== NOT_FOUND) return a;
  const it = pyItem(obj, name);
  return it === NOT_FOUND ? new Undefined(null, obj, name) : it;
}

/** `obj[key]` in a template (Jinja2 Environment.getitem). */
export function getitem(obj: unknown, key: unknown): unknown {
  if (obj instanceof Map && (typeof key === "string" || typeof key === "number")) {
    const v = obj.get(key);
    if (v !== undefined) return v;
  }
  if (obj instanceof Undefined) obj.fail();
  const it = pyItem(obj, key);
  if (it !== NOT_FOUND) return it;
  if (isStr(key)) {
    const a = pyAttr(obj, strOf(key));
    if (a !== NOT_FOUND) return a;
  }
  return new Undefined(null, obj, key instanceof Markup ? key.s : key);
}

/** Python obj[key], or NOT_FOUND where Python raises LookupError/TypeError. */
function pyItem(obj: unknown, key: unknown): unknown {
  if (key instanceof Undefined && key.strict) key.fail();
  if (obj instanceof Map) {
    if ((Array.isArray(key) && !isTuple(key)) || key instanceof Map) return NOT_FOUND;
    const k = findKey(obj, key);
    return k === NOT_FOUND ? NOT_FOUND : obj.get(k);
  }
  if (Array.isArray(obj) || isStr(obj) || obj instanceof PyRange) {
    // a big int is past every index (Python: "cannot fit 'int' into an index-sized integer", then undefined)
    if (!isNumber(key) || key instanceof PyFloat || typeof key === "bigint" || !Number.isInteger(num(key))) return NOT_FOUND;
    const seq = obj instanceof PyRange ? obj : Array.isArray(obj) ? obj : Array.from(strOf(obj));
    const n = seq instanceof PyRange ? seq.length : seq.length;
    let i = num(key);
    if (i < 0) i += n;
    if (i < 0 || i >= n) return NOT_FOUND;
    return seq instanceof PyRange ? seq.at(i) : seq[i];
  }
  return NOT_FOUND;
}

/** obj[start:stop:step] (slices bypass getitem in Jinja2, so errors propagate). */
export function slice(obj: unknown, start: unknown, stop: unknown, step: unknown): unknown {
  if (obj instanceof Undefined) obj.fail();
  const st = step === null ? 1 : sliceIndex(step);
  if (st === 0) throw valueError("slice step cannot be zero");
  let seq: unknown[];
  if (Array.isArray(obj)) seq = obj;
  else if (isStr(obj)) seq = Array.from(strOf(obj));
  else if (obj instanceof PyRange) seq = obj.toArray();
  else if (obj instanceof Map) throw typeError("unhashable type: 'slice'");
  else throw typeError(`'${typeName(obj)}' object is not subscriptable`);
  const n = seq.length;
  const clamp = (v: unknown, dflt: number, lo: number, hi: number): number => {
    if (v === null) return dflt;
    let i = sliceIndex(v);
    if (i < 0) i += n;
    return Math.min(Math.max(i, lo), hi);
  };
  const out: unknown[] = [];
  if (st > 0) {
    const a = clamp(start, 0, 0, n);
    const b = clamp(stop, n, 0, n);
    for (let i = a; i < b; i += st) out.push(seq[i]);
  } else {
    const a = clamp(start, n - 1, -1, n - 1);
    const b = clamp(stop, -1, -1, n - 1);
    for (let i = a; i > b; i += st) out.push(seq[i]);
  }
  if (isStr(obj)) return (out as string[]).join("");
  return isTuple(obj) ? tuple(out) : out;
}

function sliceIndex(v: unknown): number {
  if (v instanceof Undefined) v.fail();
  if (!isNumber(v) || v instanceof PyFloat || !Number.isInteger(num(v))) {
    throw typeError("slice indices must be integers or None or have an __index__ method");
  }
  // a big int slice index clamps, as in Python
  return typeof v === "bigint" ? (v < 0n ? -Number.MAX_VALUE : Number.MAX_VALUE) : num(v);
}

/** fn(*args, **kwargs). */
export function call(fn: unknown, args: unknown[], kwargs: Kwargs): unknown {
  if (fn instanceof Callable) return fn.fn(args, kwargs);
  if (fn instanceof Undefined) fn.fail();
  const pyCall = (fn as { pyCall?: (a: unknown[], k: Kwargs) => unknown } | null)?.pyCall;
  if (typeof pyCall === "function") return pyCall.call(fn, args, kwargs);
  throw typeError(`'${typeName(fn)}' object is not callable`);
}

/** obj.name(*args, **kwargs) without allocating a bound method for builtins. */
export function callMethod(obj: unknown, name: string, args: unknown[], kwargs: Kwargs): unknown {
  if (obj instanceof Map) {
    const m = DICT_METHODS[name];
    if (m) return m(obj, args, kwargs);
  } else if (typeof obj === "string") {
    const m = STR_METHODS[name];
    if (m) return m(obj, args, kwargs);
  }
  return call(getattr(obj, name), args, kwargs);
}
