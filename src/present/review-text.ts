// The review for a terminal: the same content as the Markdown, coloured when the
// output is a TTY.
import pc from "picocolors";
import { formatDiagnostic } from "../bundle/diagnostics.js";
import type { ReviewReport, TemplateReview } from "./review-report.js";
import { resourceNoun, reviewErrors, reviewWarnings } from "./review-report.js";
import { count, groupNoun, list } from "./markdown.js";

/** Most labels listed for one group of resources making the same change. */
const MAX_LABELS = 5;

export function renderText(report: ReviewReport, color: boolean): string {
  const c = pc.createColors(color);
  const out: string[] = [`Reviewing ${report.headName} against ${report.baseName}`, ""];
  if (report.templates.length === 0) out.push("No template bundle changed: nothing would be published.", "");
  for (const t of report.templates) out.push(...section(t, report, c), "");
  const reviewed = new Set(report.templates.map((t) => t.name));
  const unrendered = (report.specFiles ?? []).filter((s) => !reviewed.has(s.template));
  if (unrendered.length) {
    out.push(c.dim(`Example specs changed, of templates whose bundles did not change (not rendered, no version): ${unrendered.map((s) => s.path).join(", ")}`), "");
  }
  if (report.unbundledFiles.length) {
    out.push(c.dim(`Files outside every bundle (no version): ${report.unbundledFiles.join(", ")}`), "");
  }
  for (const d of report.diagnostics) out.push(diagnosticLine(d, c));
  const errors = reviewErrors(report);
  const warnings = reviewWarnings(report);
  const summary = `${report.templates.length} changed template version${report.templates.length === 1 ? "" : "s"}, ${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"}`;
  out.push(errors ? c.red(summary) : c.green(summary));
  return out.join("\n") + "\n";
}

type Colors = ReturnType<typeof pc.createColors>;

function section(t: TemplateReview, report: ReviewReport, c: Colors): string[] {
  const publishes = t.version ? `would publish ${c.bold(t.version)}` : "publishes nothing";
  const change = t.status === "added" ? "new major" : t.status === "removed" ? "removed" : t.change;
  const out = [`${c.bold(t.name)} v${t.major} (${t.kind}): ${change}, ${publishes}; ${t.diff.changed} of ${t.diff.total} rendered ${resourceNoun(t.kind, t.diff.total)} changed`];
  const specs = (report.specFiles ?? []).filter((s) => s.template === t.name);
  if (specs.length) out.push(`  changed example specs: ${specs.map((s) => s.path).join(", ")}`);
  for (const r of t.reasons) out.push(`  ${r.breaking ? c.red("breaking") : c.dim("compatible")}  ${r.path}: ${r.change}`);
  for (const d of t.diagnostics) out.push(`  ${diagnosticLine(d, c)}`);
  for (const g of t.diff.groups) {
    const shown = g.ownNames ? `, each with its own names (shown for ${g.labels[0]})` : "";
    const who = g.labels.length === 1 ? g.labels[0]! : `same change for ${count(g.labels.length)} ${groupNoun(g)}${shown}: ${list(g.labels, MAX_LABELS)}`;
    if (g.headFailure) {
      out.push(`  ${who}: ${c.red(`rendering failed: ${g.headFailure}`)}`);
      continue;
    }
    for (const d of g.diffs) {
      out.push(`  ${c.cyan(who)} ${d.path} (+${d.additions} -${d.deletions})`);
      for (const line of d.patch.trimEnd().split("\n")) {
        const painted = line.startsWith("+") ? c.green(line) : line.startsWith("-") ? c.red(line) : line.startsWith("@@") ? c.cyan(line) : line;
        out.push(`    ${painted}`);
      }
    }
  }
  return out;
}

function diagnosticLine(d: Parameters<typeof formatDiagnostic>[0], c: Colors): string {
  const text = formatDiagnostic(d);
  const paint = d.severity === "error" ? c.red : d.severity === "warning" ? c.yellow : c.cyan;
  return text.replace(`${d.severity}:`, paint(`${d.severity}:`));
}
