// Tracing a rendered line back to the Jinja template line that wrote it, so a
// diagnostic on the render can point at the file a user edits.
//
// Jinja keeps no source map, so we align the two texts. Each template line
// becomes a pattern: its literal text, with `{{ … }}` (and any `{% … %}` inside
// the line) as wildcards; lines holding only statements (`{% for %}`, `{% set %}`)
// print nothing. A Viterbi pass then picks the most plausible template line for
// every rendered line: exact matches score best, following the template in
// order is free, and each jump (a loop going round, a branch not taken) costs a
// little. Loops and conditionals thus map each repetition to the loop body, and
// the lines a block filter prints map to the line of its `{{ … }}`.
import type { Diagnostic } from "../diagnostics.js";

/** Past this many (rendered line × template state) cells, only unambiguous exact matches are traced. */
const MAX_CELLS = 4_000_000;
const JUMP = 1.5;
const CONTINUATION = 0.5;

interface TemplateLine {
  /** 1-based line of the template where this line starts. */
  line: number;
  /** Literal pieces; a wildcard stands between consecutive pieces. */
  pieces: string[];
  /** Literal text only: matched exactly. */
  literal: boolean;
  /** Prints nothing: only statements, comments and whitespace. */
  control: boolean;
  /** Only whitespace and one `{{ … }}`: may print a block of several lines. */
  block: boolean;
  /** Non-blank literal characters, how specific a pattern match is. */
  weight: number;
}

/** The 1-based template line that printed `renderedLine`, or undefined when none can be told. */
export function traceRenderedLine(templateSource: string, rendered: string, renderedLine: number): number | undefined {
  return traceRenderedLines(templateSource, rendered)[renderedLine - 1];
}

/** For every rendered line (index 0 = line 1), the 1-based template line that printed it, if it can be told. */
export function traceRenderedLines(templateSource: string, rendered: string): (number | undefined)[] {
  const lines = templateLines(templateSource);
  const out = rendered.split("\n").map((text) => text.replace(/\r$/, ""));
  // States: 0..T-1 "printed by template line t"; T: untraced.
  const T = lines.length;
  const states = T + 1;
  if (out.length * states > MAX_CELLS) return uniqueMatches(lines, out);
  const back = new Int32Array(out.length * states);
  let previous = new Float64Array(states);
  for (let r = 0; r < out.length; r++) {
    const current = new Float64Array(states).fill(-Infinity);
    let from = T;
    for (let s = 0; s < states; s++) if (previous[s]! > previous[from]!) from = s;
    const best = r === 0 ? 0 : previous[from]!;
    const pick = (s: number, score: number, via: number) => {
      if (score > current[s]!) [current[s], back[r * states + s]] = [score, via];
    };
    for (let t = 0; t < T; t++) {
      const e = emission(lines[t]!, out[r]!);
      // A block expression (`{{ x | proton_cfn_iam_policy_arns }}`) may print many lines.
      if (r > 0 && lines[t]!.block) pick(t, previous[t]! + Math.max(e, CONTINUATION), t);
      if (e === -Infinity) continue;
      pick(t, e + best - (r === 0 ? 0 : JUMP), from);
      // In order: from the line before, or across statement-only lines before it.
      for (let p = t - 1; p >= 0 && r > 0; p--) {
        pick(t, e + previous[p]!, p);
        if (!lines[p]!.control) break;
      }
    }
    pick(T, best, from);
    previous = current;
  }
  const result: (number | undefined)[] = new Array(out.length);
  let state = T;
  for (let s = 0; s < states; s++) if (previous[s]! > previous[state]!) state = s;
  for (let r = out.length - 1; r >= 0; r--) {
    result[r] = state < T ? lines[state]!.line : undefined;
    state = back[r * states + state]!;
  }
  return result;
}

export interface TraceFiles {
  /** The rendered file's path, as the diagnostics name it, and its text. */
  rendered: { file: string; content: string };
  /** The template it came from: repository path and source. */
  template: { file: string; source: string };
}

/**
 * Diagnostics on a rendered file moved to the template line that printed them,
 * with the rendered line kept in the message; the ones that cannot be traced
 * stay where they are.
 */
export function traceDiagnostics(diagnostics: readonly Diagnostic[], files: TraceFiles): Diagnostic[] {
  const { rendered, template } = files;
  let map: (number | undefined)[] | undefined;
  return diagnostics.map((d) => {
    if (d.file !== rendered.file || d.line === undefined) return d;
    map ??= traceRenderedLines(template.source, rendered.content);
    const line = map[d.line - 1];
    if (line === undefined) return d;
    const { column: _column, ...rest } = d;
    return { ...rest, file: template.file, line, message: `${d.message} (rendered line ${d.line} of ${rendered.file})` };
  });
}

function emission(line: TemplateLine, text: string): number {
  const trimmed = text.trimEnd();
  if (trimmed === "") return line.control || line.pieces.join("").trim() === "" ? 1 : -Infinity;
  if (line.control) return -Infinity;
  if (line.literal) {
    const literal = line.pieces[0]!;
    return literal === trimmed ? 3 : literal.trim() === trimmed.trim() ? 1 : -Infinity;
  }
  if (!globMatch(line.pieces, trimmed)) return -Infinity;
  return line.weight >= 3 ? 2 : 1;
}

/** Whether `text` is pieces[0] + anything + pieces[1] + … + anything + pieces[n-1]. */
function globMatch(pieces: readonly string[], text: string): boolean {
  const first = pieces[0]!;
  if (pieces.length === 1) return text === first;
  const last = pieces[pieces.length - 1]!;
  if (!text.startsWith(first) || !text.endsWith(last) || first.length + last.length > text.length) return false;
  let at = first.length;
  const end = text.length - last.length;
  for (const piece of pieces.slice(1, -1)) {
    const found = text.indexOf(piece, at);
    if (found < 0 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}

// For huge files: a rendered line whose text appears on exactly one literal template line.
function uniqueMatches(lines: readonly TemplateLine[], out: readonly string[]): (number | undefined)[] {
  const byText = new Map<string, number | null>();
  for (const l of lines) {
    if (!l.literal || l.pieces[0]!.trim() === "") continue;
    byText.set(l.pieces[0]!, byText.has(l.pieces[0]!) ? null : l.line);
  }
  return out.map((text) => byText.get(text.trimEnd()) ?? undefined);
}

/** Template text cut into the lines it prints, with tags spanning lines kept on their first line. */
function templateLines(source: string): TemplateLine[] {
  const lines: TemplateLine[] = [];
  let physical = 1;
  let current = { line: 1, pieces: [""], hasExpression: false, hasStatement: false, statementAt: -1 };
  const finish = () => {
    const { pieces, hasExpression, hasStatement } = current;
    const trimmedEnd = [...pieces.slice(0, -1), pieces[pieces.length - 1]!.trimEnd()];
    const text = trimmedEnd.join("");
    const control = !hasExpression && text.trim() === "" && hasStatement;
    lines.push({
      line: current.line,
      pieces: trimmedEnd,
      literal: pieces.length === 1 && !hasStatement,
      control,
      block: hasExpression && pieces.length === 2 && text.trim() === "",
      weight: text.replace(/\s/g, "").length,
    });
  };
  const wildcard = (statement: boolean) => {
    // Text between statements on one line may or may not print: one wildcard covers it all.
    if (statement && current.statementAt >= 0) current.pieces.length = current.statementAt;
    current.pieces.push("");
    if (statement) current.statementAt = current.pieces.length - 1;
  };
  const text = (value: string) => {
    const parts = value.split("\n");
    current.pieces[current.pieces.length - 1] += parts[0]!.replace(/\r$/, "");
    for (const part of parts.slice(1)) {
      finish();
      physical++;
      current = { line: physical, pieces: [part.replace(/\r$/, "")], hasExpression: false, hasStatement: false, statementAt: -1 };
    }
  };
  for (const token of tokenize(source)) {
    if (token.kind === "text") text(token.value);
    else {
      if (token.kind === "expression") { current.hasExpression = true; wildcard(false); }
      else if (token.kind === "statement") { current.hasStatement = true; wildcard(true); }
      else current.hasStatement = true; // a comment prints nothing, like a statement
      physical += token.newlines;
    }
  }
  finish();
  return lines;
}

type Token = { kind: "text"; value: string } | { kind: "expression" | "statement" | "comment"; newlines: number };

function* tokenize(source: string): Generator<Token> {
  const closers = { "{{": "}}", "{%": "%}", "{#": "#}" } as const;
  const opening = /\{[{%#]/g;
  let at = 0;
  while (at < source.length) {
    opening.lastIndex = at;
    const found = opening.exec(source);
    if (!found) break;
    const start = found.index;
    if (start > at) yield { kind: "text", value: source.slice(at, start) };
    const opener = source.slice(start, start + 2) as keyof typeof closers;
    const close = findClose(source, start + 2, closers[opener], opener !== "{#");
    const end = close < 0 ? source.length : close + 2;
    const body = source.slice(start, end);
    const newlines = body.split("\n").length - 1;
    if (opener === "{{") yield { kind: "expression", newlines };
    else if (opener === "{#") yield { kind: "comment", newlines };
    else if (/^\{%-?\s*raw\s*-?%\}$/.test(body)) {
      // {% raw %} … {% endraw %}: literal text, even where it looks like tags.
      yield { kind: "comment", newlines };
      const endRaw = /\{%-?\s*endraw\s*-?%\}/g;
      endRaw.lastIndex = end;
      const found = endRaw.exec(source);
      const rawEnd = found ? found.index : source.length;
      if (rawEnd > end) yield { kind: "text", value: source.slice(end, rawEnd) };
      if (found) yield { kind: "comment", newlines: found[0].split("\n").length - 1 };
      at = found ? found.index + found[0].length : source.length;
      continue;
    } else yield { kind: "statement", newlines };
    at = end;
  }
  if (at < source.length) yield { kind: "text", value: source.slice(at) };
}

// The closing delimiter, skipping over quoted strings inside expressions and statements.
function findClose(source: string, from: number, closer: string, skipStrings: boolean): number {
  for (let i = from; i < source.length - 1; i++) {
    const c = source[i]!;
    if (skipStrings && (c === "'" || c === '"')) {
      const endQuote = source.indexOf(c, i + 1);
      if (endQuote < 0) return -1;
      i = endQuote;
    } else if (source.startsWith(closer, i)) return i;
  }
  return -1;
}
