// Jinja2's string filters (jinja2/filters.py), with autoescape off.
import { required, signature, type Direct } from "./args.js";
import type { Kwargs } from "./attrs.js";
import { PyError, TemplateRuntimeError, typeError, valueError } from "./errors.js";
import { slice } from "./attrs.js";
import { formatFixed } from "./float-format.js";
import { percentFormat } from "./format-percent.js";
import { add, escape, escapeText } from "./ops.js";
import {
  Markup,
  Undefined,
  codePointLength,
  hasAstral,
  isNumber,
  isStr,
  iterate,
  len,
  num,
  str,
  strOf,
  truthy,
  tuple,
  typeName,
} from "./python.js";
import { pyCapitalize, pyReplace, pyRsplit, pyStrip, splitlines } from "./str-methods.js";

export type Filter = ((value: unknown, args: unknown[], kwargs: Kwargs) => unknown) & { direct?: Direct };

/** A filter with a fixed Python signature after the filtered value. */
export const sig = (fname: string, params: string[], defaults: unknown[], fn: (v: unknown, ...a: unknown[]) => unknown): Filter =>
  signature(fname, params, defaults, fn);

/** A str method on a soft_str value: Markup in, Markup out. */
const keep = (v: unknown, s: string): string | Markup => (v instanceof Markup ? new Markup(s) : s);

/** markupsafe.soft_str: Markup stays Markup, anything else becomes str. */
const text = (v: unknown): string => (typeof v === "string" ? v : v instanceof Markup ? v.s : str(v));

const chars = (s: string): string[] => (hasAstral(s) ? Array.from(s) : s.split(""));

const WORD_BEGINNING = /([-\s({[<]+)/u;

function truncate(v: unknown, length: unknown, killwords: unknown, end: unknown, leeway: unknown): unknown {
  if (v instanceof Undefined) return v.strict ? v.fail() : v;
  const n = Number(num(length));
  const e = text(end);
  const lw = leeway === null ? 5 : Number(num(leeway));
  if (n < codePointLength(e)) throw new PyError("AssertionError", `expected length >= ${codePointLength(e)}, got ${n}`);
  if (lw < 0) throw new PyError("AssertionError", `expected leeway >= 0, got ${lw}`);
  if (!isStr(v)) {
    // Jinja2 takes len() of the value itself: numbers fail, short lists pass through
    if (len(v) <= n + lw) return v;
    if (truthy(killwords)) return add(slice(v, null, n - codePointLength(e), null), e);
    throw new PyError("AttributeError", `'${typeName(v)}' object has no attribute 'rsplit'`);
  }
  const s = text(v);
  const cs = chars(s);
  if (cs.length <= n + lw) return v;
  const cut = Math.max(0, n - codePointLength(e));
  const head = cs.slice(0, cut).join("");
  const result = truthy(killwords) ? head : (pyRsplit(head, " ", 1)[0] ?? "");
  // Markup + str escapes the str
  return v instanceof Markup ? new Markup(result + escapeText(e)) : result + e;
}

function indent(v: unknown, width: unknown, first: unknown, blank: unknown): unknown {
  if (v instanceof Undefined) v.fail();
  if (!isStr(v)) throw typeError(`unsupported operand type(s) for +=: '${typeName(v)}' and 'str'`);
  const ind = isStr(width) ? strOf(width) : " ".repeat(Math.max(0, num(width)));
  const s = strOf(v) + "\n";
  let rv: string;
  if (truthy(blank)) rv = splitlines(s).join("\n" + ind);
  else {
    const lines = splitlines(s);
    rv = lines.shift() ?? "";
    if (lines.length) rv += "\n" + lines.map((l) => (l ? ind + l : l)).join("\n");
  }
  if (truthy(first)) rv = ind + rv;
  return v instanceof Markup ? new Markup(rv) : rv;
}

function center(v: unknown, width: unknown): string {
  const s = text(v);
  const w = Number(num(width));
  const n = w - codePointLength(s);
  if (n <= 0) return s;
  const left = Math.floor(n / 2) + (n & w & 1);
  return " ".repeat(left) + s + " ".repeat(n - left);
}

function title(v: unknown): string {
  return text(v)
    .split(WORD_BEGINNING)
    .filter((item) => item)
    .map((item) => {
      const first = Array.from(item)[0] as string;
      return first.toUpperCase() + item.slice(first.length).toLowerCase();
    })
    .join("");
}

function format(v: unknown, args: unknown[], kwargs: Kwargs): unknown {
  if (args.length && kwargs) {
    throw new TemplateRuntimeError("can't handle positional and keyword arguments at the same time");
  }
  return percentFormat(text(v), kwargs ? new Map<unknown, unknown>(kwargs) : tuple(args.slice()));
}

/** UTF-8 bytes of a string (QuickJS has no TextEncoder). */
function utf8(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return out;
}

const URL_SAFE = /[A-Za-z0-9_.\-~]/;

function urlQuote(v: unknown, forQs: boolean): string {
  const s = text(v);
  let out = "";
  for (const byte of utf8(s)) {
    const c = String.fromCharCode(byte);
    if (byte < 0x80 && (URL_SAFE.test(c) || (!forQs && c === "/"))) out += c;
    else out += "%" + byte.toString(16).toUpperCase().padStart(2, "0");
  }
  return forQs ? out.replace(/%20/g, "+") : out;
}

function unpackPair(p: unknown): unknown[] {
  const kv = iterate(p);
  if (kv.length !== 2) {
    throw valueError(kv.length < 2 ? `not enough values to unpack (expected 2, got ${kv.length})` : "too many values to unpack (expected 2)");
  }
  return kv;
}

function urlencode(v: unknown): string {
  // Jinja2 iterates an Undefined as pairs: StrictUndefined fails, the lenient one is empty
  if (v instanceof Undefined) return iterate(v).length === 0 ? "" : "";
  if (isStr(v) || !(Array.isArray(v) || v instanceof Map)) return urlQuote(v, false);
  const items = v instanceof Map ? Array.from(v) : iterate(v).map((p) => unpackPair(p));
  return items.map(([k, x]) => `${urlQuote(k, true)}=${urlQuote(x, true)}`).join("&");
}

function filesizeformat(v: unknown, binary: unknown): string {
  const bytes = toFloat(v);
  const bin = truthy(binary);
  const base = bin ? 1024 : 1000;
  const prefixes = bin
    ? ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"]
    : ["kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
  if (bytes === 1) return "1 Byte";
  if (bytes < base) return `${Math.trunc(bytes)} Bytes`;
  let unit = base;
  let prefix = "";
  for (let i = 0; i < prefixes.length; i++) {
    unit = base ** (i + 2);
    prefix = prefixes[i] as string;
    if (bytes < unit) break;
  }
  return `${formatFixed((base * bytes) / unit, 1)} ${prefix}`;
}

/** Python float() of a str or number (used by `float`, `filesizeformat`). */
export function toFloat(v: unknown): number {
  if (v instanceof Undefined) v.fail();
  if (isNumber(v)) return num(v);
  if (isStr(v)) {
    const s = pyStrip(strOf(v), null).replace(/(\d)_(?=\d)/g, "$1");
    if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return Number(s);
    const special = /^([+-]?)(inf|infinity|nan)$/i.exec(s);
    if (special) return special[2]?.toLowerCase() === "nan" ? NaN : special[1] === "-" ? -Infinity : Infinity;
    throw typeError(`could not convert string to float: ${JSON.stringify(strOf(v))}`);
  }
  throw typeError(`float() argument must be a string or a real number, not '${typeName(v)}'`);
}

// Each `--` written `-[-]`: SES refuses source text containing an HTML comment token, even in a regular expression.
const STRIP_COMMENTS = /<!-[-][\s\S]*?-[-]>/g;
const STRIP_TAGS = /<[\s\S]*?>/g;
const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

function striptags(v: unknown): string {
  const s = text(v).replace(STRIP_COMMENTS, "").replace(STRIP_TAGS, "");
  const collapsed = pyStrip(s, null).split(/[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/u).join(" ");
  return collapsed.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === "#") return String.fromCodePoint(e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
    return ENTITIES[e] ?? m;
  });
}

function xmlattr(v: unknown, autospace: unknown): string {
  if (v instanceof Undefined) v.fail();
  if (!(v instanceof Map)) throw new PyError("AttributeError", `'${typeName(v)}' object has no attribute 'items'`);
  const items: string[] = [];
  for (const [k, x] of v) {
    if (x === null || x instanceof Undefined) continue;
    const key = text(k);
    if (/[\s/>=]/.test(key)) throw new TemplateRuntimeError(`Invalid character in attribute name: ${JSON.stringify(key)}`);
    items.push(`${escapeText(key)}="${escapeText(x)}"`);
  }
  const rv = items.join(" ");
  return truthy(autospace) && rv ? " " + rv : rv;
}

function wordwrap(v: unknown, width: unknown, breakLong: unknown, wrapstring: unknown): string {
  const w = Number(num(width));
  const sep = wrapstring === null ? "\n" : text(wrapstring);
  return splitlines(text(v))
    .map((line) => wrapLine(line, w, truthy(breakLong)).join(sep))
    .join(sep);
}

/** textwrap.wrap with expand_tabs/replace_whitespace off (hyphens are not break points). */
function wrapLine(line: string, width: number, breakLong: boolean): string[] {
  const chunks = line.split(/(\s+)/).filter((c) => c);
  const lines: string[] = [];
  while (chunks.length) {
    let cur: string[] = [];
    let len = 0;
    if (lines.length && /^\s+$/.test(chunks[0] as string)) chunks.shift();
    while (chunks.length) {
      const c = chunks[0] as string;
      if (len + c.length <= width) {
        cur.push(c);
        len += c.length;
        chunks.shift();
      } else break;
    }
    if (chunks.length && (chunks[0] as string).length > width) {
      const space = Math.max(1, width - len);
      if (breakLong) {
        const c = chunks[0] as string;
        cur.push(c.slice(0, space));
        chunks[0] = c.slice(space);
      } else if (!cur.length) cur.push(chunks.shift() as string);
    }
    while (cur.length && /^\s+$/.test(cur[cur.length - 1] as string)) cur = cur.slice(0, -1);
    if (cur.length) lines.push(cur.join(""));
  }
  return lines;
}

export const TEXT_FILTERS: Record<string, Filter> = {
  upper: sig("do_upper", [], [], (v) => keep(v, text(v).toUpperCase())),
  lower: sig("do_lower", [], [], (v) => keep(v, text(v).toLowerCase())),
  capitalize: sig("do_capitalize", [], [], (v) => keep(v, pyCapitalize(text(v)))),
  title: sig("do_title", [], [], title),
  trim: sig("do_trim", ["chars"], [null], (v, c) => keep(v, pyStrip(text(v), c))),
  replace: sig("do_replace", ["old", "new", "count"], [required, required, null], (v, o, n, c) =>
    pyReplace(text(v), text(o), text(n), c === null ? -1 : Number(num(c))),
  ),
  truncate: sig("do_truncate", ["length", "killwords", "end", "leeway"], [255, false, "...", null], truncate),
  wordcount: sig("do_wordcount", [], [], (v) => (text(v).match(/[\p{L}\p{N}_]+/gu) ?? []).length),
  center: sig("do_center", ["width"], [80], (v, w) => keep(v, center(v, w))),
  indent: sig("do_indent", ["width", "first", "blank"], [4, false, false], indent),
  format,
  string: sig("soft_str", [], [], (v) => (v instanceof Markup ? v : text(v))),
  e: sig("escape", [], [], (v) => escape(v)),
  escape: sig("escape", [], [], (v) => escape(v)),
  forceescape: sig("do_forceescape", [], [], (v) => escape(text(v))),
  safe: sig("do_mark_safe", [], [], (v) => (v instanceof Markup ? v : new Markup(text(v)))),
  striptags: sig("do_striptags", [], [], striptags),
  urlencode: sig("do_urlencode", [], [], urlencode),
  filesizeformat: sig("do_filesizeformat", ["binary"], [false], filesizeformat),
  xmlattr: sig("do_xmlattr", ["autospace"], [true], xmlattr),
  wordwrap: sig("do_wordwrap", ["width", "break_long_words", "wrapstring", "break_on_hyphens"], [79, true, null, true], wordwrap),
};
