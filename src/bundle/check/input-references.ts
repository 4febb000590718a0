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
/** Jinja tags and raw blocks; only text inside tags is code. */
const JINJA_TAGS = /\{%-?\s*raw\s*-?%\}[\s\S]*?\{%-?\s*endraw\s*-?%\}|\{#[\s\S]*?#\}|\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g;

export function findInputReferences(source: string, language: "jinja" | "terraform"): InputReference[] {
  const lineStarts = [0];
  for (let i = 0; i < source.length; i++) if (source[i] === "\n") lineStarts.push(i + 1);
  const at = (offset: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - lineStarts[lo]! + 1 };
  };
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
  for (const tag of source.matchAll(JINJA_TAGS)) {
    if (tag[0].startsWith("{{") || (tag[0].startsWith("{%") && !/^\{%-?\s*raw/.test(tag[0]))) {
      scan(jinjaCode(tag[0]), tag.index, JINJA_REF);
    }
  }
  return refs;
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
function terraformCode(source: string): string {
  const out = source.split("");
  const hide = (from: number, to: number) => {
    for (let i = from; i < to; i++) if (out[i] !== "\n") out[i] = " ";
  };
  // Each frame is code (with its open-brace depth) or a template: a quoted string or a heredoc ending at `marker`.
  type Frame = { kind: "code"; depth: number } | { kind: "string" } | { kind: "heredoc"; marker: string };
  const stack: Frame[] = [{ kind: "code", depth: 0 }];
  let i = 0;
  while (i < source.length) {
    const frame = stack[stack.length - 1]!;
    const rest = source.slice(i, i + 3);
    if (frame.kind === "code") {
      const c = source[i]!;
      if (c === "#" || rest.startsWith("//")) {
        const end = source.indexOf("\n", i);
        const stop = end < 0 ? source.length : end;
        hide(i, stop);
        i = stop;
      } else if (rest.startsWith("/*")) {
        const end = source.indexOf("*/", i + 2);
        const stop = end < 0 ? source.length : end + 2;
        hide(i, stop);
        i = stop;
      } else if (c === '"') {
        if (SUBSCRIPT.test(source.slice(Math.max(0, i - 40), i))) {
          PLAIN_STRING.lastIndex = i;
          const end = PLAIN_STRING.exec(source);
          if (end) {
            i += end[0].length;
            continue;
          }
        }
        stack.push({ kind: "string" });
        hide(i, i + 1);
        i++;
      } else if (rest.startsWith("<<")) {
        HEREDOC_START.lastIndex = i;
        const heredoc = HEREDOC_START.exec(source);
        if (!heredoc) {
          i++;
          continue;
        }
        stack.push({ kind: "heredoc", marker: heredoc[1]! });
        hide(i, i + heredoc[0].length);
        i += heredoc[0].length;
      } else {
        if (c === "{") frame.depth++;
        else if (c === "}") {
          if (frame.depth === 0 && stack.length > 1) {
            stack.pop();
            hide(i, i + 1);
          } else frame.depth = Math.max(0, frame.depth - 1);
        }
        i++;
      }
      continue;
    }
    // Inside a template: only interpolations are code.
    if (rest === "$${" || rest === "%%{") {
      hide(i, i + 3);
      i += 3;
    } else if (rest.startsWith("${") || rest.startsWith("%{")) {
      hide(i, i + 2);
      stack.push({ kind: "code", depth: 0 });
      i += 2;
    } else if (frame.kind === "string") {
      const c = source[i]!;
      // A quoted string ends at its closing quote, or (unterminated) at the end of the line.
      if (c === "\\") {
        hide(i, i + 2);
        i += 2;
      } else if (c === '"' || c === "\n") {
        hide(i, i + 1);
        stack.pop();
        i++;
      } else {
        hide(i, i + 1);
        i++;
      }
    } else {
      // A heredoc ends at a line holding only its marker (indented or not); each line is looked at once.
      const atLineStart = i === 0 || source[i - 1] === "\n";
      const newline = atLineStart ? source.indexOf("\n", i) : -1;
      const lineEnd = newline < 0 ? source.length : newline;
      if (atLineStart && source.slice(i, lineEnd).trim() === frame.marker) {
        hide(i, lineEnd);
        stack.pop();
        i = lineEnd;
      } else {
        hide(i, i + 1);
        i++;
      }
    }
  }
  return out.join("");
}

const OUTPUT_REF = /\benvironment\.outputs(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*["']([^"'\]]+)["']\s*\])/g;

/** Names of the environment outputs a template reads (Jinja or Terraform), in order of first use. */
export function findOutputReferences(source: string): string[] {
  const names = new Set<string>();
  for (const m of source.matchAll(OUTPUT_REF)) names.add((m[1] ?? m[2])!);
  return [...names];
}
