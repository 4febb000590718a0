// The review as GitHub Markdown: a summary table, then one folded section per
// template with the reasons, the problems and the rendered diffs. GitHub refuses
// comments over 65,536 characters, so the largest diffs are cut to stay under budget.
import { formatDiagnostic } from "../bundle/diagnostics.js";
import type { DiffGroup } from "../bundle/diff/diff.js";
import type { ReviewReport, TemplateReview } from "./review-report.js";
import { reviewErrors } from "./review-report.js";

export const MARKDOWN_BUDGET = 60_000;
/** Most labels listed for one group of identical diffs. */
const MAX_LABELS = 10;

export interface MarkdownOptions {
  /** Characters the whole comment may take. */
  budget?: number;
  /** Text placed first (e.g. a hidden marker or a fork notice). */
  preamble?: string;
}

interface Block {
  /** Full Markdown of this diff block. */
  text: string;
  /** What replaces it when the budget is short. */
  cut: string;
}

export function renderMarkdown(report: ReviewReport, options: MarkdownOptions = {}): string {
  const budget = options.budget ?? MARKDOWN_BUDGET;
  const blocks: Block[][] = report.templates.map((t) => t.diff.groups.flatMap((g) => diffBlocks(g)));
  const compose = () => [
    options.preamble ?? "",
    summary(report),
    ...report.templates.map((t, i) => section(t, blocks[i]!)),
  ].filter(Boolean).join("\n\n") + "\n";
  let text = compose();
  // Cut the largest diff blocks first until the comment fits.
  const all = blocks.flat().sort((a, b) => b.text.length - a.text.length);
  for (const block of all) {
    if (text.length <= budget) break;
    block.text = block.cut;
    text = compose();
  }
  if (text.length > budget) {
    const note = "\n\n…the review is too long for one comment; run `baryon check` on the branch to see all of it.\n";
    text = text.slice(0, budget - note.length) + note;
  }
  return text;
}

function summary(report: ReviewReport): string {
  const errors = reviewErrors(report);
  const lines = [`### Baryon template review${errors ? ` — ${errors} error${errors === 1 ? "" : "s"}` : ""}`];
  if (report.templates.length === 0) {
    lines.push("", "This change touches no template bundle, so it publishes no version.");
  } else {
    lines.push(
      "",
      "| Template | Kind | Change | Will publish | Specs affected | Errors | Warnings |",
      "| --- | --- | --- | --- | --- | --- | --- |",
      ...report.templates.map((t) => {
        const errs = t.diagnostics.filter((d) => d.severity === "error").length;
        const warns = t.diagnostics.filter((d) => d.severity === "warning").length;
        return `| \`${t.name}\` v${t.major} | ${t.kind} | ${changeCell(t)} | ${t.version ?? "—"} | ${t.diff.changed} of ${t.diff.total} | ${errs ? `❌ ${errs}` : "0"} | ${warns ? `⚠️ ${warns}` : "0"} |`;
      }),
    );
  }
  if (report.unbundledFiles.length) {
    lines.push("", `Files outside every bundle (they make no version): ${list(report.unbundledFiles.map(code), 15)}.`);
  }
  if (report.diagnostics.length) {
    lines.push("", "**Problems outside any template**", "", ...report.diagnostics.map((d) => `- ${icon(d.severity)} ${escape(formatDiagnostic(d))}`));
  }
  return lines.join("\n");
}

function changeCell(t: TemplateReview): string {
  if (t.status === "removed") return "removed";
  if (t.status === "added") return "new major";
  return t.change === "none" ? "none" : t.change;
}

function section(t: TemplateReview, blocks: Block[]): string {
  const title = t.version ? `${t.name} ${t.version}` : `${t.name} v${t.major}`;
  const head = `<details${t.diagnostics.some((d) => d.severity === "error") ? " open" : ""}><summary><b>${escape(title)}</b> — ${changeCell(t)}, ${t.diff.changed} of ${t.diff.total} specs change</summary>`;
  const parts = [head, ""];
  if (t.reasons.length) {
    parts.push(`**Why ${changeCell(t)}**`, "", ...t.reasons.slice(0, 50).map((r) => `- ${r.breaking ? "💥 " : ""}${code(r.path)}: ${escape(r.change)}`));
    if (t.reasons.length > 50) parts.push(`- …and ${t.reasons.length - 50} more`);
    parts.push("");
  }
  if (t.diagnostics.length) {
    parts.push("**Problems**", "", ...t.diagnostics.slice(0, 50).map((d) => `- ${icon(d.severity)} ${escape(formatDiagnostic(d))}`));
    if (t.diagnostics.length > 50) parts.push(`- …and ${t.diagnostics.length - 50} more`);
    parts.push("");
  }
  if (blocks.length) parts.push("**Rendered changes**", "", ...blocks.map((b) => b.text));
  else if (t.diff.total) parts.push("The rendered output of every spec is unchanged.");
  parts.push("</details>");
  return parts.join("\n");
}

function diffBlocks(group: DiffGroup): Block[] {
  const who = group.labels.length === 1 ? code(group.labels[0]!) : `Same change for ${group.labels.length} specs: ${list(group.labels.map(code), MAX_LABELS)}`;
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

const icon = (severity: string) => (severity === "error" ? "❌" : severity === "warning" ? "⚠️" : "ℹ️");
/** A code span that no content can close or break across lines. */
const code = (s: string) => `\`${s.replace(/[`\r\n]/g, (c) => (c === "`" ? "'" : " "))}\``;

function list(items: string[], max: number): string {
  return items.length > max ? `${items.slice(0, max).join(", ")} and ${items.length - max} more` : items.join(", ");
}

/**
 * Text from templates, specs and file names, made inert: one line (so no
 * headings or lists), no HTML, no links or images (brackets escaped), no
 * emphasis or table cells, no @-mentions.
 */
function escape(text: string): string {
  return text
    .replace(/[\r\n]+/g, " ")
    .replace(/[<>&]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;" })[c]!)
    .replace(/[\\`*_[\]|~]/g, "\\$&")
    .replace(/@/g, "@\u200b");
}
