// A port of Jinja2's lexer (jinja2/lexer.py, default delimiters, trim_blocks and
// lstrip_blocks off, keep_trailing_newline off). nunjucks' tokenizer differs in
// ways that change output (string escapes, `}}` inside dict literals, `#}` in
// text, number formats, raw blocks), so the token stream is Jinja2's own.
import { TemplateSyntaxError } from "./errors.js";
import { intOf } from "./ints.js";
import { unescapeString } from "./lexer-strings.js";

export interface Token {
  type: string;
  value: string | number | bigint;
  lineno: number;
}

// Python's str.isspace() set, which its `\s` matches (JS `\s` differs slightly).
const WS = "[\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
const TRAILING_WS = new RegExp(`${WS}+$`, "u");

const OPERATORS: Record<string, string> = {
  "+": "add",
  "-": "sub",
  "/": "div",
  "//": "floordiv",
  "*": "mul",
  "%": "mod",
  "**": "pow",
  "~": "tilde",
  "[": "lbracket",
  "]": "rbracket",
  "(": "lparen",
  ")": "rparen",
  "{": "lbrace",
  "}": "rbrace",
  "==": "eq",
  "!=": "ne",
  ">": "gt",
  ">=": "gteq",
  "<": "lt",
  "<=": "lteq",
  "=": "assign",
  ".": "dot",
  ":": "colon",
  "|": "pipe",
  ",": "comma",
  ";": "semicolon",
};
const OPERATOR_TEXT: Record<string, string> = Object.fromEntries(
  Object.entries(OPERATORS).map(([k, v]) => [v, k]),
);

const re = (src: string, flags = ""): RegExp => new RegExp(src, `suy${flags}`);

const ROOT = re(
  `(.*?)(?:(?<raw_begin>\\{%(-|\\+|)${WS}*raw${WS}*(?:-%\\}${WS}*|%\\}))` +
    `|(?<variable_begin>\\{\\{(-|\\+|))|(?<comment_begin>\\{#(-|\\+|))|(?<block_begin>\\{%(-|\\+|)))`,
);
const COMMENT_END = re(`(.*?)((?:\\+#\\}|-#\\}${WS}*|#\\}))`);
const RAW_END = re(`(.*?)((?:\\{%(-|\\+|))${WS}*endraw${WS}*(?:\\+%\\}|-%\\}${WS}*|%\\}))`);
const BLOCK_END = re(`(?:\\+%\\}|-%\\}${WS}*|%\\})`);
const VARIABLE_END = re(`-\\}\\}${WS}*|\\}\\}`);
const WHITESPACE = re(`${WS}+`);
const FLOAT = re(`(?<!\\.)(?:\\d+_)*\\d+(?:(?:\\.(?:\\d+_)*\\d+)?e[+\\-]?(?:\\d+_)*\\d+|\\.(?:\\d+_)*\\d+)`, "i");
const INTEGER = re(`0b(?:_?[01])+|0o(?:_?[0-7])+|0x(?:_?[\\da-f])+|[1-9](?:_?\\d)*|0(?:_?0)*`, "i");
const NAME = re(`[\\p{L}\\p{Nl}\\p{Nd}\\p{Mn}\\p{Mc}\\p{Pc}\\u00b7]+`);
const IDENTIFIER = /^[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Nd}\p{Mn}\p{Mc}\p{Pc}\u00b7]*$/u;
const STRING = re(`'([^'\\\\]*(?:\\\\.[^'\\\\]*)*)'|"([^"\\\\]*(?:\\\\.[^"\\\\]*)*)"`);
const OPERATOR = re(
  Object.keys(OPERATORS)
    .sort((a, b) => b.length - a.length)
    .map((op) => op.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"))
    .join("|"),
);

const count = (s: string, ch: string): number => {
  let n = 0;
  for (let i = s.indexOf(ch); i !== -1; i = s.indexOf(ch, i + 1)) n++;
  return n;
};

/** Jinja2 normalises \r\n and \r to \n and drops one trailing newline. */
export function normalizeSource(source: string): string {
  const s = source.replace(/\r\n?/g, "\n");
  return s.endsWith("\n") ? s.slice(0, -1) : s;
}

/**
 * Tokenises the whole template. A lexing failure becomes a final `error` token
 * so that, as in Jinja2, an earlier parse error is still reported first.
 */
export function tokenize(source: string): Token[] {
  const out: Token[] = [];
  try {
    lexInto(normalizeSource(source), out);
  } catch (e) {
    out.push({ type: "error", value: 0, lineno: (e as TemplateSyntaxError).lineno ?? 1, error: e } as Token);
    return out;
  }
  out.push({ type: "eof", value: "", lineno: out.length ? (out[out.length - 1] as Token).lineno : 1 });
  return out;
}

function lexInto(src: string, out: Token[]): void {
  let pos = 0;
  let lineno = 1;
  const push = (type: string, value: string | number | bigint): void => {
    out.push({ type, value, lineno });
  };
  while (pos < src.length) {
    // root state: text up to the next tag
    ROOT.lastIndex = pos;
    const m = ROOT.exec(src);
    if (!m) {
      push("data", src.slice(pos));
      return;
    }
    const groups = m.groups ?? {};
    const sign = m[3] ?? m[5] ?? m[7] ?? m[9] ?? "";
    let text = m[1] ?? "";
    let stripped = 0;
    if (sign === "-") {
      const t = text.replace(TRAILING_WS, "");
      stripped = count(text.slice(t.length), "\n");
      text = t;
    }
    if (text) push("data", text);
    lineno += count(text, "\n") + stripped;
    const state = Object.keys(groups).find((k) => groups[k] !== undefined) ?? "block_begin";
    const tag = groups[state] ?? "";
    pos = m.index + m[0].length;
    if (state === "raw_begin") {
      lineno += count(tag, "\n");
      pos = lexRaw(src, pos, () => lineno, (n) => (lineno = n), push);
    } else if (state === "comment_begin") {
      COMMENT_END.lastIndex = pos;
      const c = COMMENT_END.exec(src);
      if (!c) throw new TemplateSyntaxError("Missing end of comment tag", lineno);
      lineno += count(c[0], "\n");
      pos = c.index + c[0].length;
    } else {
      push(state, tag);
      pos = lexTag(src, pos, state === "block_begin", () => lineno, (n) => (lineno = n), push);
    }
  }
}

function lexRaw(
  src: string,
  pos: number,
  line: () => number,
  setLine: (n: number) => void,
  push: (type: string, value: string) => void,
): number {
  RAW_END.lastIndex = pos;
  const m = RAW_END.exec(src);
  if (!m) throw new TemplateSyntaxError("Missing end of raw directive", line());
  let text = m[1] ?? "";
  let stripped = 0;
  if (m[3] === "-") {
    const t = text.replace(TRAILING_WS, "");
    stripped = count(text.slice(t.length), "\n");
    text = t;
  }
  if (text) push("data", text);
  setLine(line() + count(text, "\n") + stripped + count(m[2] ?? "", "\n"));
  return m.index + m[0].length;
}

/** Inside `{% … %}` or `{{ … }}`: expression tokens until the balanced end tag. */
function lexTag(
  src: string,
  start: number,
  block: boolean,
  line: () => number,
  setLine: (n: number) => void,
  push: (type: string, value: string | number | bigint) => void,
): number {
  const end = block ? BLOCK_END : VARIABLE_END;
  const balancing: string[] = [];
  let pos = start;
  const at = (r: RegExp): string | null => {
    r.lastIndex = pos;
    const m = r.exec(src);
    return m ? m[0] : null;
  };
  for (;;) {
    let t: string | null;
    if (balancing.length === 0 && (t = at(end)) !== null) {
      push(block ? "block_end" : "variable_end", t);
      setLine(line() + count(t, "\n"));
      return pos + t.length;
    }
    if ((t = at(WHITESPACE)) !== null) {
      setLine(line() + count(t, "\n"));
    } else if ((t = at(FLOAT)) !== null) {
      push("float", Number(t.replace(/_/g, "")));
    } else if ((t = at(INTEGER)) !== null) {
      const digits = t.replace(/_/g, "");
      const n = Number(digits);
      push("integer", n <= Number.MAX_SAFE_INTEGER ? n : intOf(BigInt(digits)));
    } else if ((t = at(NAME)) !== null) {
      if (!IDENTIFIER.test(t)) throw new TemplateSyntaxError("Invalid character in identifier", line());
      push("name", t);
    } else if ((t = at(STRING)) !== null) {
      push("string", unescapeString(t.slice(1, -1), line()));
      setLine(line() + count(t, "\n"));
    } else if ((t = at(OPERATOR)) !== null) {
      balance(balancing, t, line());
      push(OPERATORS[t] ?? t, t);
    } else {
      if (pos >= src.length) return pos;
      const ch = String.fromCodePoint(src.codePointAt(pos) ?? 0);
      throw new TemplateSyntaxError(`unexpected char ${pyQuote(ch)} at ${pos}`, line());
    }
    pos += t.length;
  }
}

function balance(stack: string[], op: string, lineno: number): void {
  if (op === "{") stack.push("}");
  else if (op === "(") stack.push(")");
  else if (op === "[") stack.push("]");
  else if (op === "}" || op === ")" || op === "]") {
    const expected = stack.pop();
    if (expected === undefined) throw new TemplateSyntaxError(`unexpected '${op}'`, lineno);
    if (expected !== op) throw new TemplateSyntaxError(`unexpected '${op}', expected '${expected}'`, lineno);
  }
}

const pyQuote = (s: string): string => (s === "'" ? `"'"` : `'${s}'`);

const DESCRIPTIONS: Record<string, string> = {
  block_begin: "begin of statement block",
  block_end: "end of statement block",
  variable_begin: "begin of print statement",
  variable_end: "end of print statement",
  data: "template data / text",
  eof: "end of template",
};

export function describeType(type: string): string {
  return OPERATOR_TEXT[type] ?? DESCRIPTIONS[type] ?? type;
}

/** jinja2.lexer.describe_token. */
export function describeToken(tok: Token): string {
  return tok.type === "name" ? String(tok.value) : describeType(tok.type);
}

/** jinja2.lexer.describe_token_expr for "type" or "type:value" expressions. */
export function describeExpr(expr: string): string {
  const i = expr.indexOf(":");
  if (i !== -1 && expr.slice(0, i) === "name") return expr.slice(i + 1);
  return describeType(i === -1 ? expr : expr.slice(0, i));
}
