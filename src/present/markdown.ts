// Markdown pieces the review comment's sections share: problems that link to
// their line, diff blocks that can be cut to fit, and text made inert.
import { formatDiagnostic, type Diagnostic } from "../bundle/diagnostics.js";
import type { DiffGroup } from "../bundle/diff/diff.js";

/** Most labels listed for one group of identical diffs. */
const MAX_LABELS = 10;

/** A link to a file, at a line when given; undefined when the file cannot be shown (a folder, a deleted file). */
export type FileUrl = (path: string, line?: number) => string | undefined;

export interface Block {
  /** Full Markdown of this diff block. */
  text: string;
  /** What replaces it when the budget is short. */
  cut: string;
}

/** One block per file diff of a group of identical diffs (one for a group whose head failed to render). */
export function diffBlocks(group: DiffGroup): Block[] {
  const who = group.labels.length === 1 ? code(group.labels[0]!) : `Same change for ${group.labels.length} resources: ${list(group.labels.map(code), MAX_LABELS)}`;
  if (group.headFailure) {
    const text = `${who}: rendering failed — ${escape(group.headFailure)}\n`;
    return [{ text, cut: text }];
  }
  return group.diffs.map((d) => {
    const header = `${who} — ${code(d.path)} (+${d.additions} −${d.deletions})`;
    const fence = "`".repeat(Math.max(3, longestBacktickRun(d.patch) + 1));
    return {
      text: `${header}\n\n${fence}diff\n${d.patch.trimEnd()}\n${fence}\n`,
      cut: `${header}: diff cut to fit GitHub's comment limit; run \`baryon check\` to see it.\n`,
    };
  });
}

function longestBacktickRun(text: string): number {
  let longest = 0;
  for (const m of text.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  return longest;
}

/** One problem as a list item; its `file:line` links to the file when `fileUrl` can show it. */
export function problem(d: Diagnostic, fileUrl: FileUrl | undefined): string {
  const text = formatDiagnostic(d);
  const url = fileUrl?.(d.file, d.line);
  if (!url) return `- ${icon(d.severity)} ${escape(text)}`;
  const where = [d.file, d.line, d.line !== undefined ? d.column : undefined].filter((part) => part !== undefined).join(":");
  return `- ${icon(d.severity)} [${escape(where)}](${inertUrl(url)})${escape(text.slice(where.length))}`;
}

/** A link destination that no character can end early or turn into something else. */
const inertUrl = (url: string) =>
  url.replace(/[\s()<>[\]`"'\\]/g, (c) => [...new TextEncoder().encode(c)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join(""));

const icon = (severity: string) => (severity === "error" ? "❌" : severity === "warning" ? "⚠️" : "ℹ️");
/** A code span that no content can close or break across lines. */
export const code = (s: string) => `\`${s.replace(/[`\r\n]/g, (c) => (c === "`" ? "'" : " "))}\``;

export function list(items: string[], max: number): string {
  return items.length > max ? `${items.slice(0, max).join(", ")} and ${items.length - max} more` : items.join(", ");
}

/**
 * Text from templates, specs and file names, made inert: one line (so no
 * headings or lists), no HTML, no links or images (brackets escaped), no
 * emphasis or table cells, no @-mentions.
 */
export function escape(text: string): string {
  return text
    .replace(/[\r\n]+/g, " ")
    .replace(/[<>&]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;" })[c]!)
    .replace(/[\\`*_[\]|~]/g, "\\$&")
    .replace(/@/g, "@\u200b");
}
