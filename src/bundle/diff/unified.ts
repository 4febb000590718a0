// A unified diff of two texts, as jsdiff writes it, but computed only over the
// lines between their common head and tail. A fleet's renders are long files
// with a change of a few lines; jsdiff would split and compare every line of
// both (most of a fleet preview's time) to find what these scans find in one pass.
import { formatPatch, structuredPatch } from "diff";

/** Lines of unchanged context around each change. */
const CONTEXT = 3;
/** Characters compared at a time while looking for the first difference. */
const CHUNK = 256;

export interface UnifiedDiff {
  /** `---`/`+++` headers and hunks. */
  patch: string;
  additions: number;
  deletions: number;
}

/** `before` and `after` differ; `undefined` is a file that does not exist on that side (`/dev/null`). */
export function unifiedDiff(path: string, before: string | undefined, after: string | undefined): UnifiedDiff {
  const a = before ?? "";
  const b = after ?? "";
  const head = commonHeadLine(a, b);
  const tail = commonTailLine(a, b, head);
  const start = linesBack(a, head, CONTEXT);
  const endA = linesForward(a, a.length - tail, CONTEXT);
  const endB = b.length - (a.length - endA);
  const skipped = countLines(a, start);
  const names = [before === undefined ? "/dev/null" : `a/${path}`, after === undefined ? "/dev/null" : `b/${path}`] as const;
  let structured = structuredPatch(...names, a.slice(start, endA), b.slice(start, endB), undefined, undefined, { context: CONTEXT });
  // Where the diff chose to place a change at the edge of the cut (a repeated
  // line can go either way), its context would be cut short: diff it all.
  if (!wholeContext(structured.hunks, start > 0, endA < a.length)) {
    structured = structuredPatch(...names, a, b, undefined, undefined, { context: CONTEXT });
  } else {
    for (const hunk of structured.hunks) {
      hunk.oldStart += skipped;
      hunk.newStart += skipped;
    }
  }
  let additions = 0;
  let deletions = 0;
  for (const hunk of structured.hunks) {
    for (const line of hunk.lines) {
      if (line[0] === "+") additions++;
      else if (line[0] === "-") deletions++;
    }
  }
  const patch = formatPatch(structured, { includeIndex: false, includeUnderline: false, includeFileHeaders: true });
  return { patch, additions, deletions };
}

type Hunk = ReturnType<typeof structuredPatch>["hunks"][number];

/** Whether the hunks have their full context where the text was cut before (`cutBefore`) or after them. */
function wholeContext(hunks: readonly Hunk[], cutBefore: boolean, cutAfter: boolean): boolean {
  const context = (lines: readonly string[]) => {
    let n = 0;
    while (n < lines.length && lines[n]![0] === " ") n++;
    return n;
  };
  const first = hunks[0];
  const last = hunks.at(-1);
  if (!first || !last) return true;
  return (!cutBefore || context(first.lines) >= CONTEXT)
    && (!cutAfter || context(last.lines.filter((l) => l[0] !== "\\").reverse()) >= CONTEXT);
}

/** Where the line holding the first difference starts. */
function commonHeadLine(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  // Whole chunks first: comparing strings is native, a character loop is not.
  while (i + CHUNK <= n && a.slice(i, i + CHUNK) === b.slice(i, i + CHUNK)) i += CHUNK;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i === 0 ? 0 : a.lastIndexOf("\n", i - 1) + 1;
}

/** The length of the whole lines both end with, none of them in the common head (before `start`). */
function commonTailLine(a: string, b: string, start: number): number {
  const n = Math.min(a.length, b.length) - start;
  let k = 0;
  while (k + CHUNK <= n && a.slice(a.length - k - CHUNK, a.length - k) === b.slice(b.length - k - CHUNK, b.length - k)) k += CHUNK;
  while (k < n && a.charCodeAt(a.length - 1 - k) === b.charCodeAt(b.length - 1 - k)) k++;
  // Back to a line start in both (the same offset from the end, since the tail is common).
  while (k > 0 && !(a.charCodeAt(a.length - 1 - k) === 10 && b.charCodeAt(b.length - 1 - k) === 10)) k--;
  return k;
}

/** The start of the line `count` lines before the line starting at `at`. */
function linesBack(text: string, at: number, count: number): number {
  let i = at;
  for (let n = 0; n < count && i > 0; n++) i = i < 2 ? 0 : text.lastIndexOf("\n", i - 2) + 1;
  return i;
}

/** The start of the line `count` lines after the line starting at `at` (or the end). */
function linesForward(text: string, at: number, count: number): number {
  let i = at;
  for (let n = 0; n < count && i < text.length; n++) {
    const next = text.indexOf("\n", i);
    i = next < 0 ? text.length : next + 1;
  }
  return i;
}

function countLines(text: string, end: number): number {
  let lines = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < end; i = text.indexOf("\n", i + 1)) lines++;
  return lines;
}
