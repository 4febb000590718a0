// Jinja2's sequence filters (jinja2/filters.py). Those that are generators in
// Jinja2 (map, select, reject, unique, batch, slice, items, reverse) return a
// PyIterator, so they stay truthy, have no length and are consumed once.
import { required } from "./args.js";
import { getattr, getitem, pyAttribute, type Kwargs } from "./attrs.js";
import { PyError, TemplateRuntimeError, typeError } from "./errors.js";
import { add } from "./ops.js";
import {
  DictView,
  GROUP,
  NOT_FOUND,
  PyIterator,
  PyRange,
  Undefined,
  compare,
  hashKey,
  isStr,
  isTuple,
  iterate,
  len,
  num,
  str,
  strOf,
  truthy,
  tuple,
  typeName,
} from "./python.js";
import { callFilter, callTest } from "./registry.js";
import { sig, type Filter } from "./filters-text.js";

const DIGITS = /^\d+$/;

const ignoreCase = (v: unknown): unknown => (isStr(v) ? strOf(v).toLowerCase() : v);

function attributeParts(attr: unknown): unknown[] {
  if (attr === null) return [];
  if (isStr(attr)) return strOf(attr).split(".").map((p) => (DIGITS.test(p) ? Number(p) : p));
  return [attr];
}

/** jinja2.filters.make_attrgetter. */
function attrgetter(attr: unknown, post: ((v: unknown) => unknown) | null, dflt: unknown = null): (item: unknown) => unknown {
  const parts = attributeParts(attr);
  return (item) => {
    for (const p of parts) {
      item = getitem(item, p);
      if (dflt !== null && item instanceof Undefined) item = dflt;
    }
    return post ? post(item) : item;
  };
}

/** jinja2.filters.make_multi_attrgetter: sort keys for "a,b" attributes. */
function multiAttrgetter(attr: unknown, post: ((v: unknown) => unknown) | null): (item: unknown) => unknown[] {
  const split = isStr(attr) ? strOf(attr).split(",") : [attr];
  const getters = split.map((a) => attrgetter(a, post));
  return (item) => getters.map((g) => g(item));
}

const gen = (fname: string, make: () => Iterator<unknown>): PyIterator => new PyIterator("generator", fname, lazy(make));

/** Defers work until first iteration, like a Python generator body. */
function lazy(make: () => Iterator<unknown>): Iterator<unknown> {
  let it: Iterator<unknown> | null = null;
  return { next: () => (it ??= make()).next() };
}

function sortKeyed<T>(items: T[], key: (x: T) => unknown, reverse: boolean): T[] {
  const keyed = items.map((x) => ({ x, k: key(x) }));
  keyed.sort(reverse ? (a, b) => compare(b.k, a.k) : (a, b) => compare(a.k, b.k));
  return keyed.map((e) => e.x);
}

function first(v: unknown): unknown {
  if (v instanceof PyIterator) {
    const x = v.next();
    return x === NOT_FOUND ? new Undefined("No first item, sequence was empty.") : x;
  }
  const items = iterate(v);
  return items.length ? items[0] : new Undefined("No first item, sequence was empty.");
}

function last(v: unknown): unknown {
  if (v instanceof PyIterator) throw typeError(`'${v.pyType}' object is not reversible`);
  const items = iterate(v);
  return items.length ? items[items.length - 1] : new Undefined("No last item, sequence was empty.");
}

function reverse(v: unknown): unknown {
  if (isStr(v)) return Array.from(strOf(v)).reverse().join("");
  if (v instanceof Undefined) return new PyIterator("reversed", "reversed", iterate(v)[Symbol.iterator]());
  if (v instanceof PyIterator) return v.drain().reverse();
  const kind = Array.isArray(v)
    ? isTuple(v)
      ? "reversed"
      : "list_reverseiterator"
    : v instanceof Map
      ? "dict_reversekeyiterator"
      : v instanceof PyRange
        ? "range_iterator"
        : v instanceof DictView
          ? `dict_reverse${v.kind.replace(/s$/, "")}iterator`
          : null;
  if (kind === null) throw new TemplateRuntimeError("argument must be iterable");
  const items = iterate(v).slice().reverse();
  return new PyIterator(kind, kind, items[Symbol.iterator]());
}

function unique(v: unknown, caseSensitive: unknown, attribute: unknown): PyIterator {
  const key = attrgetter(attribute, truthy(caseSensitive) ? null : ignoreCase);
  return gen("sync_do_unique", function* () {
    const seen = new Set<unknown>();
    for (const item of iterate(v)) {
      const k = hashKey(key(item));
      if (!seen.has(k)) {
        seen.add(k);
        yield item;
      }
    }
  });
}

function minmax(which: 1 | -1): Filter {
  return sig(which === 1 ? "do_max" : "do_min", ["case_sensitive", "attribute"], [false, null], (v, cs, attr) => {
    const items = iterate(v);
    if (!items.length) return new Undefined("No aggregated item, sequence was empty.");
    const key = attrgetter(attr, truthy(cs) ? null : ignoreCase);
    let best = items[0];
    let bestKey = key(best);
    for (let i = 1; i < items.length; i++) {
      const k = key(items[i]);
      if (compare(k, bestKey) * which > 0) {
        best = items[i];
        bestKey = k;
      }
    }
    return best;
  });
}

function prepareMap(args: unknown[], kwargs: Kwargs): (item: unknown) => unknown {
  if (!args.length && kwargs?.has("attribute")) {
    const kw = new Map(kwargs);
    const attribute = kw.get("attribute");
    const dflt = kw.has("default") ? kw.get("default") : null;
    kw.delete("attribute");
    kw.delete("default");
    const extra = kw.keys().next();
    if (!extra.done) throw new TemplateRuntimeError(`Unexpected keyword argument '${String(extra.value)}'`);
    return attrgetter(attribute, null, dflt);
  }
  if (!args.length) throw new TemplateRuntimeError("map requires a filter argument");
  const [name, ...rest] = args;
  return (item) => callFilter(name, item, rest, kwargs);
}

function map(v: unknown, args: unknown[], kwargs: Kwargs): PyIterator {
  return gen("sync_do_map", function* () {
    if (truthy(v)) {
      const fn = prepareMap(args, kwargs);
      for (const item of iterate(v)) yield fn(item);
    }
  });
}

function selectOrReject(keep: boolean, lookupAttr: boolean): Filter {
  return (v, args, kwargs) =>
    gen("select_or_reject", function* () {
      if (!truthy(v)) return;
      let trans = (x: unknown): unknown => x;
      let off = 0;
      if (lookupAttr) {
        if (!args.length) throw new TemplateRuntimeError("Missing parameter for attribute name");
        trans = attrgetter(args[0], null);
        off = 1;
      }
      const name = args[off];
      const rest = args.slice(off + 1);
      const test =
        args.length > off ? (x: unknown): boolean => truthy(callTest(name, x, rest, kwargs)) : (x: unknown): boolean => truthy(x);
      for (const item of iterate(v)) if (test(trans(item)) === keep) yield item;
    });
}

function batch(v: unknown, linecount: unknown, fill: unknown): PyIterator {
  const n = num(linecount);
  return gen("do_batch", function* () {
    let tmp: unknown[] = [];
    for (const item of iterate(v)) {
      if (tmp.length === n) {
        yield tmp;
        tmp = [];
      }
      tmp.push(item);
    }
    if (tmp.length) {
      if (fill !== null && tmp.length < n) while (tmp.length < n) tmp.push(fill);
      yield tmp;
    }
  });
}

function slices(v: unknown, count: unknown, fill: unknown): PyIterator {
  const n = num(count);
  return gen("sync_do_slice", function* () {
    const seq = iterate(v).slice();
    const per = Math.floor(seq.length / n);
    const extra = seq.length % n;
    let offset = 0;
    for (let i = 0; i < n; i++) {
      const start = offset + i * per;
      if (i < extra) offset++;
      const tmp = seq.slice(start, offset + (i + 1) * per);
      if (fill !== null && i >= extra) tmp.push(fill);
      yield tmp;
    }
  });
}

function sum(v: unknown, attribute: unknown, start: unknown): unknown {
  let items = iterate(v);
  if (attribute !== null) items = items.map(attrgetter(attribute, null));
  if (isStr(start)) throw typeError("sum() can't sum strings [use ''.join(seq) instead]");
  let rv = start;
  for (const x of items) rv = add(rv, x);
  return rv;
}

function items(v: unknown): PyIterator {
  return gen("do_items", function* () {
    if (v instanceof Undefined) return;
    if (!(v instanceof Map)) throw typeError("Can only get item pairs from a mapping.");
    for (const [k, x] of v) yield tuple([k, x]);
  });
}

function groupby(v: unknown, attribute: unknown, dflt: unknown, cs: unknown): unknown[] {
  const caseSensitive = truthy(cs);
  const key = attrgetter(attribute, caseSensitive ? null : ignoreCase, dflt);
  const sorted = sortKeyed(iterate(v), key, false);
  const out: unknown[][] = [];
  let cur: { k: unknown; items: unknown[] } | null = null;
  for (const item of sorted) {
    const k = key(item);
    if (cur && compare(cur.k, k) === 0 && hashKey(cur.k) === hashKey(k)) cur.items.push(item);
    else {
      cur = { k, items: [item] };
      out.push([k, cur.items]);
    }
  }
  const real = attrgetter(attribute, null, dflt);
  return out.map(([k, list]) => {
    const t = tuple([caseSensitive ? k : real((list as unknown[])[0]), list]);
    (t as unknown as Record<symbol, boolean>)[GROUP] = true;
    return t;
  });
}

function join(v: unknown, d: unknown, attribute: unknown): string {
  let parts = iterate(v);
  if (attribute !== null) parts = parts.map(attrgetter(attribute, null));
  const sep = typeof d === "string" ? d : str(d);
  let out = "";
  for (let i = 0; i < parts.length; i++) {
    const x = parts[i];
    out += (i > 0 ? sep : "") + (typeof x === "string" ? x : str(x));
  }
  return out;
}

function dictsort(v: unknown, cs: unknown, by: unknown, rev: unknown): unknown[] {
  if (by !== "key" && by !== "value") throw new TemplateRuntimeError('You can only sort by either "key" or "value"');
  if (v instanceof Undefined) v.fail();
  if (!(v instanceof Map)) throw new PyError("AttributeError", `'${typeName(v)}' object has no attribute 'items'`);
  const pos = by === "key" ? 0 : 1;
  const caseSensitive = truthy(cs);
  const pairs: unknown[][] = [];
  v.forEach((x, k) => pairs.push(tuple([k, x])));
  return sortKeyed(pairs, (p) => (caseSensitive ? p[pos] : ignoreCase(p[pos])), truthy(rev));
}

function attr(v: unknown, name: unknown): unknown {
  if (v instanceof Undefined) v.fail();
  const a = pyAttribute(v, str(name));
  return a === NOT_FOUND ? new Undefined(null, v, str(name)) : getattr(v, str(name));
}

export const SEQ_FILTERS: Record<string, Filter> = {
  length: sig("len", [], [], len),
  count: sig("len", [], [], len),
  first: sig("do_first", [], [], first),
  last: sig("do_last", [], [], last),
  list: sig("do_list", [], [], (v) => iterate(v).slice()),
  sort: sig("do_sort", ["reverse", "case_sensitive", "attribute"], [false, false, null], (v, rev, cs, attribute) =>
    sortKeyed(iterate(v).slice(), multiAttrgetter(attribute, truthy(cs) ? null : ignoreCase), truthy(rev)),
  ),
  dictsort: sig("do_dictsort", ["case_sensitive", "by", "reverse"], [false, "key", false], dictsort),
  unique: sig("do_unique", ["case_sensitive", "attribute"], [false, null], unique),
  join: sig("do_join", ["d", "attribute"], ["", null], join),
  map,
  select: selectOrReject(true, false),
  reject: selectOrReject(false, false),
  selectattr: selectOrReject(true, true),
  rejectattr: selectOrReject(false, true),
  batch: sig("do_batch", ["linecount", "fill_with"], [required, null], batch),
  slice: sig("do_slice", ["slices", "fill_with"], [required, null], slices),
  sum: sig("do_sum", ["attribute", "start"], [null, 0], sum),
  min: minmax(-1),
  max: minmax(1),
  reverse: sig("do_reverse", [], [], reverse),
  items: sig("do_items", [], [], items),
  groupby: sig("do_groupby", ["attribute", "default", "case_sensitive"], [required, null, false], groupby),
  attr: sig("do_attr", ["name"], [required], attr),
  random: sig("do_random", [], [], (v) => {
    const seq = iterate(v);
    return seq.length ? seq[Math.floor(nextRandom() * seq.length)] : new Undefined("No random item, sequence was empty.");
  }),
};

// Math.random throws in a SES compartment (the V8 engine), so `random` draws
// from a generator of its own (xorshift32) in either engine: Jinja2's `random`
// promises no particular sequence.
let randomState = 0x2545f491;
function nextRandom(): number {
  randomState ^= randomState << 13;
  randomState ^= randomState >>> 17;
  randomState ^= randomState << 5;
  return (randomState >>> 0) / 4294967296;
}
