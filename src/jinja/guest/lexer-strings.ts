// String literal decoding exactly as Jinja2 does it:
// `value.encode("ascii", "backslashreplace").decode("unicode-escape")`.
import { TemplateSyntaxError } from "./errors.js";

const SIMPLE: Record<string, string> = {
  "\n": "",
  "\\": "\\",
  "'": "'",
  '"': '"',
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
};

const hex = (n: number, w: number): string => n.toString(16).padStart(w, "0");

/** backslashreplace: every non-ASCII character becomes a \x, \u or \U escape. */
function backslashReplace(s: string): string {
  if (!/[^\x00-\x7f]/.test(s)) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) out += s[i];
    else if (c < 0x100) out += "\\x" + hex(c, 2);
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      out += "\\U" + hex(s.codePointAt(i) ?? 0, 8);
      i++;
    } else out += "\\u" + hex(c, 4);
  }
  return out;
}

export function unescapeString(raw: string, lineno: number): string {
  const s = backslashReplace(raw);
  if (!s.includes("\\")) return s;
  let out = "";
  let i = 0;
  const fail = (msg: string): never => {
    throw new TemplateSyntaxError(msg, lineno);
  };
  const fixed = (len: number, what: string): number => {
    const digits = s.slice(i + 2, i + 2 + len);
    if (digits.length < len || !/^[0-9a-fA-F]+$/.test(digits)) fail(`truncated ${what} escape`);
    i += 2 + len;
    return parseInt(digits, 16);
  };
  while (i < s.length) {
    const j = s.indexOf("\\", i);
    if (j === -1) {
      out += s.slice(i);
      break;
    }
    out += s.slice(i, j);
    i = j;
    const c = s[i + 1];
    if (c === undefined) fail("\\ at end of string");
    else if (c in SIMPLE) {
      out += SIMPLE[c];
      i += 2;
    } else if (c >= "0" && c <= "7") {
      const m = /^[0-7]{1,3}/.exec(s.slice(i + 1)) as RegExpExecArray;
      out += String.fromCharCode(parseInt(m[0], 8));
      i += 1 + m[0].length;
    } else if (c === "x") out += String.fromCharCode(fixed(2, "\\xXX"));
    else if (c === "u") out += String.fromCharCode(fixed(4, "\\uXXXX"));
    else if (c === "U") {
      const cp = fixed(8, "\\UXXXXXXXX");
      if (cp > 0x10ffff) fail("illegal Unicode character");
      out += String.fromCodePoint(cp);
    } else if (c === "N") fail("unknown Unicode character name");
    else {
      out += "\\" + c;
      i += 2;
    }
  }
  return out;
}
