// Finds the inputs a template reads (`service_instance.inputs.port`,
// `environment.inputs["vpc_cidr"]`, Terraform's `var.environment.inputs.x`),
// so an input the schema does not declare is caught at review time, at its line,
// instead of failing a deployment later.

export type InputScope = "environment" | "service_instance" | "pipeline";

export interface InputReference {
  scope: InputScope;
  input: string;
  line: number;
  column: number;
}

const JINJA_REF = /\b(environment|service_instance|pipeline)\.inputs(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*["']([^"'\]]+)["']\s*\])/g;
const TERRAFORM_REF = /\bvar\.(environment|service_instance|pipeline)\.inputs(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*"([^"\]]+)"\s*\])/g;

export function findInputReferences(source: string, language: "jinja" | "terraform"): InputReference[] {
  const at = positionsIn(source);
  const refs: InputReference[] = [];
  const scan = (text: string, base: number, pattern: RegExp) => {
    for (const m of text.matchAll(pattern)) {
      refs.push({ scope: m[1] as InputScope, input: (m[2] ?? m[3])!, ...at(base + m.index) });
    }
  };
  if (language === "terraform") {
    scan(terraformCode(source), 0, TERRAFORM_REF);
    return refs;
  }
  for (const tag of jinjaCodeTags(source)) scan(jinjaCode(tag.text), tag.index, JINJA_REF);
  return refs;
}

/** The 1-based line and column of an offset in `source`. */
export function positionsIn(source: string): (offset: number) => { line: number; column: number } {
  const lineStarts = [0];
  for (let i = 0; i < source.length; i++) if (source[i] === "\n") lineStarts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - lineStarts[lo]! + 1 };
  };
}

const CLOSERS: Record<string, RegExp> = { "{": /\}\}/g, "%": /%\}/g, "#": /#\}/g };
const RAW_START = /\{%-?\s*raw\s*-?%\}/y;
const RAW_END = /\{%-?\s*endraw\s*-?%\}/g;

/**
 * The `{{ … }}` and `{% … %}` tags of a Jinja template, skipping comments and
 * raw blocks: only text inside them is code. Linear in the file's length even
 * when tags are never closed: a search that found its match at `at` (or none)
 * from `from` is reused for any later start up to `at`.
 */
function* jinjaCodeTags(source: string): Generator<{ text: string; index: number }> {
  const searches = new Map<RegExp, { from: number; at: number; end: number }>();
  const find = (pattern: RegExp, from: number) => {
    const known = searches.get(pattern);
    if (known && known.from <= from && (known.at < 0 || known.at >= from)) return known;
    pattern.lastIndex = from;
    const match = pattern.exec(source);
    const found = { from, at: match ? match.index : -1, end: match ? pattern.lastIndex : -1 };
    searches.set(pattern, found);
    return found;
  };
  let p = 0;
  for (let open = source.indexOf("{", p); open >= 0; open = source.indexOf("{", p)) {
    const kind = source[open + 1] ?? "";
    const closer = CLOSERS[kind];
    if (!closer) {
      p = open + 1;
      continue;
    }
    RAW_START.lastIndex = open;
    // A raw block without its endraw is left to the tag rules, as the lexer would be.
    const raw = kind === "%" && RAW_START.test(source) ? find(RAW_END, RAW_START.lastIndex) : undefined;
    if (raw && raw.at >= 0) {
      p = raw.end;
      continue;
    }
    const close = find(closer, open + 2);
    if (close.at < 0) {
      p = open + 2;
      continue;
    }
    if (kind !== "#") yield { text: source.slice(open, close.end), index: open };
    p = close.end;
  }
}

/** A string literal right after `.inputs[` names an input; any other string is text, not a reference. */
const SUBSCRIPT = /\.inputs\[\s*$/;

/** Jinja expression text with string literals blanked (same length), except input subscripts. */
function jinjaCode(tag: string): string {
  return tag.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, (literal, offset: number) =>
    SUBSCRIPT.test(tag.slice(Math.max(0, offset - 40), offset)) ? literal : blank(literal));
}

const blank = (text: string) => text.replace(/[^\n]/g, " ");
/** Sticky, so a match is tried at one offset without copying the rest of the file. */
const PLAIN_STRING = /"[^"\\\n$%]*"/y;
const HEREDOC_START = /<<-?([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n/y;

/**
 * Terraform source with everything that is not code blanked (same length, so
 * lines and columns hold): comments, and the text of strings and heredocs
 * outside their `${…}` and `%{…}` interpolations. Terraform evaluates only the
 * code, so `# var.x` and `"var.x"` read nothing.
 */
export function terraformCode(source: string): string {
  // Hidden spans, in order; adjacent ones merge.
  const hidden: [number, number][] = [];
  const hide = (from: number, to: number) => {
    const last = hidden[hidden.length - 1];
    if (last && last[1] === from) last[1] = to;
    else hidden.push([from, Math.min(to, source.length)]);
  };
  // Code frames count open braces; template frames are a quoted string or a heredoc ending at `marker`.
  interface Frame { kind: "code" | "string" | "heredoc"; depth: number; marker: string }
  const stack: Frame[] = [{ kind: "code", depth: 0, marker: "" }];
  const at = (i: number, text: string) => source.startsWith(text, i);
  let i = 0;
  while (i < source.length) {
    const frame = stack[stack.length - 1]!;
    const c = source[i]!;
    if (frame.kind === "code") {
      if (c === "#" || at(i, "//")) {
        const end = source.indexOf("\n", i);
        const stop = end < 0 ? source.length : end;
        hide(i, stop);
        i = stop;
      } else if (at(i, "/*")) {
        const end = source.indexOf("*/", i + 2);
        const stop = end < 0 ? source.length : end + 2;
        hide(i, stop);
        i = stop;
      } else if (c === '"') {
        PLAIN_STRING.lastIndex = i;
        const subscript = SUBSCRIPT.test(source.slice(Math.max(0, i - 40), i)) ? PLAIN_STRING.exec(source) : null;
        if (subscript) i += subscript[0].length;
        else {
          stack.push({ kind: "string", depth: 0, marker: "" });
          hide(i, ++i);
        }
      } else if (at(i, "<<")) {
        HEREDOC_START.lastIndex = i;
        const heredoc = HEREDOC_START.exec(source);
        if (heredoc) {
          stack.push({ kind: "heredoc", depth: 0, marker: heredoc[1]! });
          hide(i, (i += heredoc[0].length));
        } else i += 2;
      } else {
        if (c === "{") frame.depth++;
        else if (c === "}" && frame.depth > 0) frame.depth--;
        else if (c === "}" && stack.length > 1) {
          stack.pop();
          hide(i, i + 1);
        }
        i++;
      }
    } else if (at(i, "$${") || at(i, "%%{")) {
      hide(i, (i += 3));
    } else if (at(i, "${") || at(i, "%{")) {
      // Inside a template only interpolations are code.
      stack.push({ kind: "code", depth: 0, marker: "" });
      hide(i, (i += 2));
    } else if (frame.kind === "string") {
      // A quoted string ends at its closing quote, or (unterminated) at the end of the line.
      if (c === '"' || c === "\n") stack.pop();
      const width = c === "\\" ? 2 : 1;
      hide(i, (i += width));
    } else {
      // A heredoc ends at a line holding only its marker (indented or not); each line is looked at once.
      const atLineStart = i === 0 || source[i - 1] === "\n";
      const newline = atLineStart ? source.indexOf("\n", i) : -1;
      const lineEnd = newline < 0 ? source.length : newline;
      if (atLineStart && source.slice(i, lineEnd).trim() === frame.marker) {
        stack.pop();
        hide(i, (i = lineEnd));
      } else hide(i, ++i);
    }
  }
  let code = "";
  let kept = 0;
  for (const [from, to] of hidden) {
    code += source.slice(kept, from) + blank(source.slice(from, to));
    kept = to;
  }
  return code + source.slice(kept);
}

const OUTPUT_REF = /\benvironment\.outputs(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*["']([^"'\]]+)["']\s*\])/g;

/** Names of the environment outputs a template reads (Jinja or Terraform), in order of first use. */
export function findOutputReferences(source: string): string[] {
  const names = new Set<string>();
  for (const m of source.matchAll(OUTPUT_REF)) names.add((m[1] ?? m[2])!);
  return [...names];
}
