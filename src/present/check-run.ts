// The review as a check run: a conclusion, a one-line title that names the
// templates, the review's Markdown as summary, and one annotation per problem in
// a file of the head commit. Also what the run shows while the review is running.
import type { Diagnostic } from "../bundle/diagnostics.js";
import type { Annotation, CheckRunReport, CheckRunStart } from "../ports/reporter.js";
import { MARKDOWN_BUDGET, renderMarkdown, type FileUrl } from "./review-markdown.js";
import { planCounts } from "./inventory-review.js";
import { allDiagnostics, reviewErrors, reviewWarnings, type ReviewReport, type TemplateReview } from "./review-report.js";

/** GitHub's checks list shows about this much of a title; it refuses much longer ones. */
export const TITLE_LENGTH = 100;

export function checkRunStarted(name: string, headSha: string): CheckRunStart {
  return {
    name, headSha,
    title: "Reviewing template changes…",
    summary: "Baryon is rendering and checking the templates this commit changes. The result will replace this text.",
  };
}

export interface CheckRunTarget {
  name: string;
  headSha: string;
  /** Whether a path is a file of the head commit: only those can carry annotations. */
  exists: (path: string) => boolean;
  /** Links each problem's `file:line` in the summary. */
  fileUrl?: FileUrl;
}

export function checkRunReport(report: ReviewReport, target: CheckRunTarget): CheckRunReport {
  return {
    name: target.name,
    headSha: target.headSha,
    ...checkOutcome(report),
    summary: renderMarkdown(report, { budget: MARKDOWN_BUDGET, ...(target.fileUrl ? { fileUrl: target.fileUrl } : {}) }),
    annotations: annotations(report, target.exists),
  };
}

/**
 * "1 error in vpc-env v2", "3 errors in 2 templates: vpc-env v2, web-svc v1",
 * "Will publish vpc-env 2.0 (1 warning)", "No template changes".
 */
export function checkOutcome(report: ReviewReport): { conclusion: "success" | "failure" | "neutral"; title: string } {
  const errors = reviewErrors(report);
  if (errors) {
    const templates = report.templates.filter((t) => t.diagnostics.some(isError)).map(label);
    const files = [...new Set([...report.diagnostics, ...(report.inventory?.diagnostics ?? [])].filter(isError).map((d) => d.file))];
    const where = [...templates, ...files];
    const noun = files.length === 0 ? "templates" : templates.length === 0 ? "files" : "places";
    const head = `${errors} error${errors === 1 ? "" : "s"} in ${where.length === 1 ? "" : `${where.length} ${noun}: `}`;
    return { conclusion: "failure", title: fit(head, where, "") };
  }
  if (report.templates.length === 0 && !report.inventory) return { conclusion: "neutral", title: "No template changes" };
  const warnings = reviewWarnings(report);
  const warned = warnings ? ` (${warnings} warning${warnings === 1 ? "" : "s"})` : "";
  if (report.templates.length === 0) return { conclusion: "success", title: `Inventory: ${planCounts(report.inventory!)}${warned}`.slice(0, TITLE_LENGTH) };
  const tail = `${report.inventory ? `; inventory: ${planCounts(report.inventory)}` : ""}${warned}`;
  const versions = report.templates.filter((t) => t.version).map((t) => `${t.name} ${t.version}`);
  const title = versions.length ? fit("Will publish ", versions, tail) : fit("No new version for ", report.templates.map(label), tail);
  return { conclusion: "success", title };
}

/**
 * One annotation per diagnostic on a file of the head commit (GitHub annotates
 * only files; folder-level problems stay in the summary). A diagnostic without
 * a line goes on line 1.
 */
export function annotations(report: ReviewReport, exists: (path: string) => boolean): Annotation[] {
  return diagnosticAnnotations(allDiagnostics(report), exists);
}

export function diagnosticAnnotations(diagnostics: readonly Diagnostic[], exists: (path: string) => boolean): Annotation[] {
  return diagnostics
    .filter((d) => exists(d.file))
    .map((d) => ({
      path: d.file,
      startLine: d.line ?? 1,
      endLine: d.line ?? 1,
      level: d.severity === "error" ? "failure" : d.severity,
      title: d.code,
      message: d.message,
    }));
}

const isError = (d: Diagnostic) => d.severity === "error";
const label = (t: TemplateReview) => `${t.name} v${t.major}`;

/** `head` + as many names as fit in TITLE_LENGTH ("… and 3 more") + `tail`. */
function fit(head: string, names: string[], tail: string): string {
  for (let shown = names.length; shown > 1; shown--) {
    const rest = names.length - shown;
    const title = `${head}${names.slice(0, shown).join(", ")}${rest ? ` and ${rest} more` : ""}${tail}`;
    if (title.length <= TITLE_LENGTH) return title;
  }
  const rest = names.length - 1;
  const title = `${head}${names[0] ?? ""}${rest ? ` and ${rest} more` : ""}${tail}`;
  return title.length <= TITLE_LENGTH ? title : `${title.slice(0, TITLE_LENGTH - 1)}…`;
}

/** The run of a review that could not start: the repository's configuration is invalid. */
export function configInvalidReport(name: string, headSha: string, configPath: string, problems: readonly Diagnostic[]): CheckRunReport {
  return {
    name, headSha, conclusion: "failure",
    title: `${configPath} is invalid`,
    summary: `Baryon cannot review templates until the repository configuration is fixed:\n\n${problems.map((d) => `- line ${d.line ?? 1}: ${d.message}`).join("\n")}`,
    annotations: [],
  };
}

/** The run of a review whose commit is too large to read. */
export function tooLargeReport(name: string, headSha: string, reason: string): CheckRunReport {
  return { name, headSha, conclusion: "failure", title: "Too large to review", summary: reason, annotations: [] };
}

/**
 * The run a direct push to the default branch gets when its inventory was reconciled:
 * no pull request shows the reply, so the commit's checks do, with the mistakes at their lines.
 */
export function inventoryPushReport(name: string, headSha: string, reply: string, diagnostics: readonly Diagnostic[], exists: (path: string) => boolean): CheckRunReport {
  const errors = diagnostics.filter(isError).length;
  return {
    name, headSha, conclusion: errors ? "failure" : "success",
    title: errors ? `Inventory has ${errors} error${errors === 1 ? "" : "s"}: nothing deployed` : "Inventory reconciled",
    summary: reply, annotations: diagnosticAnnotations(diagnostics, exists),
  };
}
