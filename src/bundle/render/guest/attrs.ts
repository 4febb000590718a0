// Attribute and item lookup as Jinja2's Environment.getattr/getitem do it
// (Python attribute first for `a.b`, item first for `a['b']`, an Undefined
// when both fail), slicing, and calling. Only Python-level attributes are
// reachable: never a JS property such as `constructor`.
import { PyError, typeError, valueError } from "./errors.js";
import { STR_METHODS, callStrMethod } from "./str-methods.js";
import {
  Callable,
  DictView,
  GROUP,
  Markup,
  NOT_FOUND,
  Namespace,
  PyFloat,
  PyRange,
  Undefined,
  dictKey,
  eq,
  findKey,
  hasAttrs,
  isNumber,
  isStr,
  isTuple,
  iterate,
  num,
  nullProto,
  repr,
  strOf,
  tuple,
  typeName,
  compare,
} from "./python.js";

export type Kwargs = Map<string, unknown> | null;
type Method<T> = (self: T, args: unknown[], kwargs: Kwargs) => unknown;

const DICT_METHODS: Record<string, Method<Map<unknown, unknown>>> = nullProto({
  keys: (d) => new DictView("keys", d),
  values: (d) => new DictView("values", d),
  items: (d) => new DictView("items", d),
  get: (d, a) => {
    const k = findKey(d, a[0]);
    return k === NOT_FOUND ? (a.length > 1 ? a[1] : null) : d.get(k);
  },
  pop: (d, a) => {
    const k = findKey(d, a[0]);
    if (k === NOT_FOUND) {
      if (a.length > 1) return a[1];
      throw new PyError("KeyError", repr(a[0]));
    }
    const v = d.get(k);
    d.delete(k);
    return v;
  },
  setdefault: (d, a) => {
    const k = findKey(d, a[0]);
    if (k !== NOT_FOUND) return d.get(k);
    d.set(dictKey(a[0]), a.length > 1 ? a[1] : null);
    return d.get(dictKey(a[0]));
  },
  update: (d, a, kw) => {
    const other = a[0];
    if (other instanceof Map) for (const [k, v] of other) d.set(k, v);
    else if (other !== undefined) {
      for (const pair of iterate(other)) {
        const [k, v] = iterate(pair);
        d.set(dictKey(k), v);
      }
    }
    if (kw) for (const [k, v] of kw) d.set(k, v);
    return null;
  },
  copy: (d) => new Map(d),
  clear: (d) => {
    d.clear();
    return null;
  },
  popitem: (d) => {
    const last = Array.from(d.keys()).pop();
    if (last === undefined && d.size === 0) throw new PyError("KeyError", "'popitem(): dictionary is empty'");
    const v = d.get(last);
    d.delete(last);
    return tuple([last, v]);
  },
});

function indexOf(l: unknown[], x: unknown): number {
  for (let i = 0; i < l.length; i++) if (l[i] === x || eq(l[i], x)) return i;
  return -1;
}

const SEQ_METHODS: Record<string, Method<unknown[]>> = nullProto({
  count: (l, a) => l.filter((x) => eq(x, a[0])).length,
  index: (l, a) => {
    const i = indexOf(l, a[0]);
    if (i === -1) throw valueError(isTuple(l) ? "tuple.index(x): x not in tuple" : `${repr(a[0])} is not in list`);
    return i;
  },
});

const LIST_METHODS: Record<string, Method<unknown[]>> = nullProto({
  ...SEQ_METHODS,
  append: (l, a) => {
    l.push(a[0]);
    return null;
  },
  extend: (l, a) => {
    l.push(...iterate(a[0]));
    return null;
  },
  insert: (l, a) => {
    let i = num(a[0]);
    if (i < 0) i = Math.max(0, l.length + i);
    l.splice(i, 0, a[1]);
    return null;
  },
  pop: (l, a) => {
    if (l.length === 0) throw new PyError("IndexError", "pop from empty list");
    let i = a.length ? num(a[0]) : -1;
    if (i < 0) i += l.length;
    if (i < 0 || i >= l.length) throw new PyError("IndexError", "pop index out of range");
    return l.splice(i, 1)[0];
  },
  remove: (l, a) => {
    const i = indexOf(l, a[0]);
    if (i === -1) throw valueError("list.remove(x): x not in list");
    l.splice(i, 1);
    return null;
  },
  copy: (l) => l.slice(),
  reverse: (l) => {
    l.reverse();
    return null;
  },
  sort: (l, _a, kw) => {
    l.sort(compare);
    if (kw?.get("reverse") === true) l.reverse();
    return null;
  },
  clear: (l) => {
    l.length = 0;
    return null;
  },
});

/** Attribute names that are dict methods: for any other name `d.name` is `d['name']`. */
export const DICT_METHOD_NAMES: ReadonlySet<string> = new Set(Object.keys(DICT_METHODS));

let mutations = 0;

/** How many in-place list/dict method calls have run: lets the guest reuse a context no render changed. */
export function mutationCount(): number {
  return mutations;
}

function countMutations<T>(table: Record<string, Method<T>>, names: string[]): void {
  for (const name of names) {
    const fn = table[name] as Method<T>;
    table[name] = (self, a, k) => {
      mutations++;
      return fn(self, a, k);
    };
  }
}
countMutations(DICT_METHODS, ["pop", "setdefault", "update", "clear", "popitem"]);
countMutations(LIST_METHODS, ["append", "extend", "insert", "pop", "remove", "reverse", "sort", "clear"]);

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
    if (!isNumber(key) || key instanceof PyFloat || !Number.isInteger(num(key))) return NOT_FOUND;
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
  return num(v);
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
