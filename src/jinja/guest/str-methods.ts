// Python str methods templates call (`name.upper()`, `s.split(',')`…) and the
// Python string helpers filters share (whitespace set, splitlines, title).
import { strFormat } from "./format-spec.js";
import { typeError, valueError } from "./errors.js";
import { Markup, Undefined, isStr, isTuple, iterate, num, str, strOf, nullProto, truthy, tuple, typeName } from "./python.js";

/** Python's whitespace (str.isspace), which differs slightly from JS `\s`. */
export const PY_WS = "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const WS_RUN = new RegExp(`[${PY_WS}]+`, "u");
const LEADING_WS = new RegExp(`^[${PY_WS}]+`, "u");
const TRAILING_WS = new RegExp(`[${PY_WS}]+$`, "u");
const CASED = /[\p{Lu}\p{Ll}\p{Lt}]/u;

const escapeRe = (s: string): string => s.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");

export function pyStrip(s: string, chars: unknown, left = true, right = true): string {
  if (chars === null || chars === undefined) {
    if (left) s = s.replace(LEADING_WS, "");
    if (right) s = s.replace(TRAILING_WS, "");
    return s;
  }
  if (!isStr(chars)) throw typeError(`strip arg must be None or str`);
  const set = escapeRe(strOf(chars));
  if (!set) return s;
  if (left) s = s.replace(new RegExp(`^[${set}]+`, "u"), "");
  if (right) s = s.replace(new RegExp(`[${set}]+$`, "u"), "");
  return s;
}

export function pySplit(s: string, sep: unknown = null, maxsplit: unknown = -1): string[] {
  let max = Number(num(maxsplit ?? -1));
  if (sep === null) {
    const parts = s.replace(LEADING_WS, "").split(WS_RUN);
    if (parts.length && parts[parts.length - 1] === "") parts.pop();
    if (max < 0 || parts.length <= max + 1) return parts;
    // keep the remainder (with its inner whitespace) as the last item
    const out: string[] = [];
    let rest = s.replace(LEADING_WS, "");
    while (max-- > 0) {
      const m = WS_RUN.exec(rest);
      if (!m) break;
      out.push(rest.slice(0, m.index));
      rest = rest.slice(m.index + m[0].length);
    }
    if (rest) out.push(rest);
    return out;
  }
  if (!isStr(sep)) throw typeError(`must be str or None, not ${typeName(sep)}`);
  const d = strOf(sep);
  if (!d) throw valueError("empty separator");
  const parts = s.split(d);
  if (max < 0 || parts.length <= max + 1) return parts;
  return [...parts.slice(0, max), parts.slice(max).join(d)];
}

export function pyRsplit(s: string, sep: unknown = null, maxsplit: unknown = -1): string[] {
  const max = Number(num(maxsplit ?? -1));
  if (max < 0) return pySplit(s, sep, -1);
  if (sep === null) {
    const out: string[] = [];
    let rest = s.replace(TRAILING_WS, "");
    for (let n = 0; n < max; n++) {
      const m = new RegExp(`[${PY_WS}]+(?=[^${PY_WS}]*$)`, "u").exec(rest);
      if (!m) break;
      out.unshift(rest.slice(m.index + m[0].length));
      rest = rest.slice(0, m.index);
    }
    // the remainder keeps its leading whitespace unless nothing else is left
    if (rest.replace(LEADING_WS, "")) out.unshift(rest);
    return out;
  }
  const d = strOf(sep as string);
  if (!d) throw valueError("empty separator");
  const parts = s.split(d);
  if (parts.length <= max + 1) return parts;
  return [parts.slice(0, parts.length - max).join(d), ...parts.slice(parts.length - max)];
}

/** Python str.splitlines: \n, \r, \r\n, \v, \f, \x1c-\x1e, \x85, \u2028, \u2029 end lines. */
export function splitlines(s: string, keepends = false): string[] {
  const out: string[] = [];
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x0d && c !== 0x1c && c !== 0x1d && c !== 0x1e && c !== 0x85 && c !== 0x2028 && c !== 0x2029) continue;
    if (c < 0x0a) continue;
    const end = c === 0x0d && s.charCodeAt(i + 1) === 0x0a ? i + 2 : i + 1;
    out.push(s.slice(last, keepends ? end : i));
    last = end;
    i = end - 1;
  }
  if (last < s.length) out.push(s.slice(last));
  return out;
}

/** Python str.title(): a letter after a cased letter is lowered, others title-cased. */
export function pyTitle(s: string): string {
  let out = "";
  let prevCased = false;
  for (const ch of s) {
    out += prevCased ? ch.toLowerCase() : ch.toUpperCase();
    prevCased = CASED.test(ch);
  }
  return out;
}

export function pyCapitalize(s: string): string {
  const first = s.codePointAt(0);
  if (first === undefined) return s;
  const n = first > 0xffff ? 2 : 1;
  return s.slice(0, n).toUpperCase() + s.slice(n).toLowerCase();
}

export function pyReplace(s: string, old: string, repl: string, count = -1): string {
  if (count < 0) {
    if (old === "") return repl + Array.from(s).join(repl) + (s ? repl : "");
    return s.split(old).join(repl);
  }
  let out = "";
  let rest = s;
  for (let n = 0; n < count; n++) {
    if (old === "") {
      const ch = Array.from(rest)[0];
      out += repl;
      if (ch === undefined) return out;
      out += ch;
      rest = rest.slice(ch.length);
      continue;
    }
    const i = rest.indexOf(old);
    if (i === -1) break;
    out += rest.slice(0, i) + repl;
    rest = rest.slice(i + old.length);
  }
  return out + rest;
}

type Method = (s: string, args: unknown[], kwargs: Map<string, unknown> | null) => unknown;

const arg = (args: unknown[], kwargs: Map<string, unknown> | null, i: number, name: string, dflt: unknown): unknown =>
  i < args.length ? args[i] : kwargs?.has(name) ? kwargs.get(name) : dflt;

const strArg = (v: unknown, what: string): string => {
  if (v instanceof Undefined) v.fail();
  if (!isStr(v)) throw typeError(`${what} must be str, not ${typeName(v)}`);
  return strOf(v);
};

function affix(s: string, args: unknown[], test: (s: string, p: string) => boolean): boolean {
  const p = args[0];
  let sub = s;
  if (args.length > 1) sub = s.slice(Number(num(args[1])), args.length > 2 ? Number(num(args[2])) : undefined);
  if (isTuple(p)) return p.some((x) => test(sub, strArg(x, "tuple item")));
  return test(sub, strArg(p, "argument"));
}

function find(s: string, args: unknown[], fromRight: boolean): number {
  const sub = strArg(args[0], "argument");
  const start = args.length > 1 && args[1] !== null ? Number(num(args[1])) : 0;
  const end = args.length > 2 && args[2] !== null ? Number(num(args[2])) : s.length;
  const hay = s.slice(start < 0 ? Math.max(0, s.length + start) : start, end < 0 ? s.length + end : end);
  const i = fromRight ? hay.lastIndexOf(sub) : hay.indexOf(sub);
  return i === -1 ? -1 : i + (start < 0 ? Math.max(0, s.length + start) : start);
}

const pad = (s: string, args: unknown[], where: "l" | "r" | "c"): string => {
  const width = Number(num(args[0]));
  const fill = args.length > 1 ? strArg(args[1], "fill character") : " ";
  const n = width - Array.from(s).length;
  if (n <= 0) return s;
  if (where === "l") return s + fill.repeat(n);
  if (where === "r") return fill.repeat(n) + s;
  const left = Math.floor(n / 2) + (n & width & 1);
  return fill.repeat(left) + s + fill.repeat(n - left);
};

const is = (re: RegExp): Method => (s) => s.length > 0 && re.test(s);

export const STR_METHODS: Record<string, Method> = nullProto({
  upper: (s) => s.toUpperCase(),
  lower: (s) => s.toLowerCase(),
  casefold: (s) => s.toLowerCase(),
  swapcase: (s) => Array.from(s, (c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join(""),
  title: (s) => pyTitle(s),
  capitalize: (s) => pyCapitalize(s),
  strip: (s, a) => pyStrip(s, a[0] ?? null),
  lstrip: (s, a) => pyStrip(s, a[0] ?? null, true, false),
  rstrip: (s, a) => pyStrip(s, a[0] ?? null, false, true),
  split: (s, a, k) => pySplit(s, arg(a, k, 0, "sep", null), arg(a, k, 1, "maxsplit", -1)),
  rsplit: (s, a, k) => pyRsplit(s, arg(a, k, 0, "sep", null), arg(a, k, 1, "maxsplit", -1)),
  splitlines: (s, a, k) => splitlines(s, truthy(arg(a, k, 0, "keepends", false))),
  replace: (s, a) =>
    pyReplace(s, strArg(a[0], "replace() argument 1"), strArg(a[1], "replace() argument 2"), a.length > 2 ? Number(num(a[2])) : -1),
  startswith: (s, a) => affix(s, a, (x, p) => x.startsWith(p)),
  endswith: (s, a) => affix(s, a, (x, p) => x.endsWith(p)),
  find: (s, a) => find(s, a, false),
  rfind: (s, a) => find(s, a, true),
  index: (s, a) => {
    const i = find(s, a, false);
    if (i === -1) throw valueError("substring not found");
    return i;
  },
  rindex: (s, a) => {
    const i = find(s, a, true);
    if (i === -1) throw valueError("substring not found");
    return i;
  },
  count: (s, a) => {
    const sub = strArg(a[0], "argument");
    return sub === "" ? Array.from(s).length + 1 : s.split(sub).length - 1;
  },
  join: (s, a) =>
    iterate(a[0])
      .map((x) => {
        if (!isStr(x)) throw typeError(`sequence item 0: expected str instance, ${typeName(x)} found`);
        return strOf(x);
      })
      .join(s),
  format: (s, a, k) => strFormat(s, a, k),
  format_map: (s, a) => strFormat(s, [], a[0] as Map<string, unknown>),
  center: (s, a) => pad(s, a, "c"),
  ljust: (s, a) => pad(s, a, "l"),
  rjust: (s, a) => pad(s, a, "r"),
  zfill: (s, a) => {
    const width = Number(num(a[0]));
    const sign = s[0] === "+" || s[0] === "-" ? (s[0] as string) : "";
    return sign + s.slice(sign.length).padStart(width - sign.length, "0");
  },
  partition: (s, a) => {
    const sep = strArg(a[0], "argument");
    const i = s.indexOf(sep);
    return tuple(i === -1 ? [s, "", ""] : [s.slice(0, i), sep, s.slice(i + sep.length)]);
  },
  rpartition: (s, a) => {
    const sep = strArg(a[0], "argument");
    const i = s.lastIndexOf(sep);
    return tuple(i === -1 ? ["", "", s] : [s.slice(0, i), sep, s.slice(i + sep.length)]);
  },
  removeprefix: (s, a) => {
    const p = strArg(a[0], "argument");
    return p && s.startsWith(p) ? s.slice(p.length) : s;
  },
  removesuffix: (s, a) => {
    const p = strArg(a[0], "argument");
    return p && s.endsWith(p) ? s.slice(0, -p.length) : s;
  },
  isdigit: is(/^\p{Nd}+$/u),
  isdecimal: is(/^\p{Nd}+$/u),
  isnumeric: is(/^[\p{Nd}\p{Nl}\p{No}]+$/u),
  isalpha: is(/^\p{L}+$/u),
  isalnum: is(/^[\p{L}\p{Nd}\p{Nl}\p{No}]+$/u),
  isspace: is(new RegExp(`^[${PY_WS}]+$`, "u")),
  islower: (s) => /\p{Ll}/u.test(s) && !/[\p{Lu}\p{Lt}]/u.test(s),
  isupper: (s) => /\p{Lu}/u.test(s) && !/[\p{Ll}\p{Lt}]/u.test(s),
  isidentifier: is(/^[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Nd}\p{Mn}\p{Mc}\p{Pc}]*$/u),
  expandtabs: (s, a) => {
    const size = a.length ? Number(num(a[0])) : 8;
    let col = 0;
    let out = "";
    for (const ch of s) {
      if (ch === "\t") {
        const n = size > 0 ? size - (col % size) : 0;
        out += " ".repeat(n);
        col += n;
      } else {
        out += ch;
        col = ch === "\n" || ch === "\r" ? 0 : col + 1;
      }
    }
    return out;
  },
});

/** Calls a str method; Markup in, Markup out for the methods that keep text. */
export function callStrMethod(self: string | Markup, name: string, args: unknown[], kwargs: Map<string, unknown> | null): unknown {
  const m = STR_METHODS[name] as Method;
  const r = m(strOf(self), args, kwargs);
  return self instanceof Markup && typeof r === "string" && !name.startsWith("is") ? new Markup(r) : r;
}

export const strOfAny = (v: unknown): string => (isStr(v) ? strOf(v) : str(v));
