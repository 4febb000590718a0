// The Python methods of dicts, lists and tuples that templates may call
// (`d.items()`, `l.append(x)`), and a count of the calls that mutate in place.
import { PyError, valueError } from "./errors.js";
import {
  DictView,
  NOT_FOUND,
  compare,
  dictKey,
  eq,
  findKey,
  isTuple,
  iterate,
  num,
  nullProto,
  repr,
  tuple,
} from "./python.js";

export type Kwargs = Map<string, unknown> | null;
export type Method<T> = (self: T, args: unknown[], kwargs: Kwargs) => unknown;

export const DICT_METHODS: Record<string, Method<Map<unknown, unknown>>> = nullProto({
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

export const SEQ_METHODS: Record<string, Method<unknown[]>> = nullProto({
  count: (l, a) => l.filter((x) => eq(x, a[0])).length,
  index: (l, a) => {
    const i = indexOf(l, a[0]);
    if (i === -1) throw valueError(isTuple(l) ? "tuple.index(x): x not in tuple" : `${repr(a[0])} is not in list`);
    return i;
  },
});

export const LIST_METHODS: Record<string, Method<unknown[]>> = nullProto({
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
