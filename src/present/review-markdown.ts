// The review as GitHub Markdown: a summary table, then one folded section per
// template with the reasons, the problems and the rendered diffs. GitHub refuses
// comments over 65,536 characters, so the largest diffs are cut to stay under
// budget, and when that is not enough the groups for the fewest resources are left out.
import { inventorySection, inventorySummary } from "./inventory-review.js";
import { code, diffBlock, escape, fitBlocks, list, problem, type Block, type FileUrl } from "./markdown.js";
import type { ReviewReport, TemplateReview } from "./review-report.js";
import { resourceNoun, resourcesChanged, reviewErrors } from "./review-report.js";

export type { FileUrl } from "./markdown.js";

export const MARKDOWN_BUDGET = 60_000;
export interface MarkdownOptions {
  /** Characters the whole comment may take. */
  budget?: number;
  /** Text placed first (e.g. a hidden marker or a fork notice). */
  preamble?: string;
  /** Where a problem's file and line can be seen (the head commit on GitHub); without it, problems are plain text. */
  fileUrl?: FileUrl;
}

/** Links into a repository's web page at one commit: `<repositoryUrl>/blob/<sha>/<path>#L<line>`. */
export function commitFileUrl(repositoryUrl: string, sha: string): (path: string, line?: number) => string {
  return (path, line) => `${repositoryUrl.replace(/\/+$/, "")}/blob/${sha}/${path.split("/").map(encodeURIComponent).join("/")}${line !== undefined ? `#L${line}` : ""}`;
}

export function renderMarkdown(report: ReviewReport, options: MarkdownOptions = {}): string {
  const budget = options.budget ?? MARKDOWN_BUDGET;
  // One list of blocks per place diffs are shown: each template's specs, each template's deployed fleet, the inventory.
  const n = report.templates.length;
  const lists: Block[][] = [
    ...report.templates.map((t) => t.diff.groups.map(diffBlock)),
    ...report.templates.map((t) => t.fleet?.groups.map(diffBlock) ?? []),
    report.inventory?.diff.groups.map(diffBlock) ?? [],
  ];
  const compose = (shown: Block[][]) => [
    options.preamble ?? "",
    summary(report, options.fileUrl),
    ...report.templates.map((t, i) => section(t, shown[i]!, shown[n + i]!, report, options.fileUrl)),
    report.inventory ? inventorySection(report.inventory, shown[2 * n]!, options.fileUrl) : "",
  ].filter(Boolean).join("\n\n") + "\n";
  let text = compose(lists);
  // Too long: cut the largest diffs, then leave out the smallest groups, and compose once more.
  if (text.length > budget) text = compose(fitBlocks(lists, text.length - budget));
  if (text.length > budget) {
    const note = "\n\n…the review is too long for one comment; run `baryon check` on the branch to see all of it.\n";
    text = text.slice(0, budget - note.length) + note;
  }
  return text;
}

function summary(report: ReviewReport, fileUrl: FileUrl | undefined): string {
  const errors = reviewErrors(report);
  const what = !report.inventory ? "template review" : report.templates.length ? "review" : "inventory review";
  const lines = [`### Baryon ${what}${errors ? ` — ${errors} error${errors === 1 ? "" : "s"}` : ""}`];
  if (report.inventory) lines.push("", inventorySummary(report.inventory));
  if (report.templates.length === 0) {
    if (!report.inventory) lines.push("", "This change touches no template bundle, so it publishes no version.");
  } else {
    lines.push(
      "",
      "| Template | Kind | Change | Version | Rendered changes | Errors | Warnings |",
      "| --- | --- | --- | --- | --- | --- | --- |",
      ...report.templates.map((t) => {
        const errs = t.diagnostics.filter((d) => d.severity === "error").length;
        const warns = t.diagnostics.filter((d) => d.severity === "warning").length;
        // merge-header.ts turns "Will publish" into what the merge did.
        return `| \`${t.name}\` v${t.major} | ${t.kind} | ${changeCell(t)} | ${t.version ? `Will publish ${t.version}` : "—"} | ${resourcesChanged(t)} | ${errs ? `❌ ${errs}` : "0"} | ${warns ? `⚠️ ${warns}` : "0"} |`;
      }),
      "",
      "_Rendered changes_: of the resources rendered from each template's specs (an environment, each service instance, a pipeline), how many render differently.",
    );
  }
  const reviewed = new Set(report.templates.map((t) => t.name));
  const unrendered = (report.specFiles ?? []).filter((s) => !reviewed.has(s.template));
  if (unrendered.length) {
    lines.push("", `Example specs changed, of templates whose bundles did not change (not rendered; they make no version): ${list(unrendered.map((s) => code(s.path)), 15)}.`);
  }
  if (report.unbundledFiles.length) {
    lines.push("", `Files outside every bundle (they make no version): ${list(report.unbundledFiles.map(code), 15)}.`);
  }
  if (report.diagnostics.length) {
    lines.push("", "**Problems outside any template**", "", ...report.diagnostics.map((d) => problem(d, fileUrl)));
  }
  return lines.join("\n");
}

function changeCell(t: TemplateReview): string {
  if (t.status === "removed") return "removed";
  if (t.status === "added") return "new major";
  return t.change === "none" ? "none" : t.change;
}

function section(t: TemplateReview, blocks: Block[], fleetBlocks: Block[], report: ReviewReport, fileUrl: FileUrl | undefined): string {
  const title = t.version ? `${t.name} ${t.version}` : `${t.name} v${t.major}`;
  const fleet = t.fleet && `changes ${t.fleet.changed} of ${t.fleet.total} deployed ${resourceNoun(t.kind, t.fleet.total)}`;
  const rendered = `${t.diff.changed} of ${t.diff.total} rendered ${resourceNoun(t.kind, t.diff.total)} changed${fleet ? `; ${fleet}` : ""}`;
  const head = `<details${t.diagnostics.some((d) => d.severity === "error") ? " open" : ""}><summary><b>${escape(title)}</b> — ${changeCell(t)}, ${rendered}</summary>`;
  const parts = [head, ""];
  const specs = (report.specFiles ?? []).filter((s) => s.template === t.name);
  if (specs.length) parts.push(`Changed example specs (rendered below): ${list(specs.map((s) => code(s.path)), 15)}.`, "");
  if (t.reasons.length) {
    parts.push(`**Why ${changeCell(t)}**`, "", ...t.reasons.slice(0, 50).map((r) => `- ${r.breaking ? "💥 " : ""}${code(r.path)}: ${escape(r.change)}`));
    if (t.reasons.length > 50) parts.push(`- …and ${t.reasons.length - 50} more`);
    parts.push("");
  }
  if (t.diagnostics.length) {
    parts.push("**Problems**", "", ...t.diagnostics.slice(0, 50).map((d) => problem(d, fileUrl)));
    if (t.diagnostics.length > 50) parts.push(`- …and ${t.diagnostics.length - 50} more`);
    parts.push("");
  }
  if (blocks.length) parts.push("**Rendered changes**", "", ...blocks.map((b) => b.text));
  else if (t.diff.total) parts.push(`The rendered output of every ${resourceNoun(t.kind, 1)} is unchanged.`);
  if (fleet) parts.push(...(parts.at(-1) === "" ? [] : [""]), `**Deployed fleet**: ${fleet}, rendered with their deployed inputs and outputs.`, "", ...fleetBlocks.map((b) => b.text));
  parts.push("</details>");
  return parts.join("\n");
}
