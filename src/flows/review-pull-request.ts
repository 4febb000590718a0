// Review a pull request and report it where the author looks:
//   1. review the change (review-change.ts) under the configured templates folder;
//   2. keep one living comment: edit it in place on every push; a pull request
//      that touches no template gets none (an existing one is updated); an
//      older push never overwrites a newer one's comment (it records the time
//      of the push it describes);
//   3. report one check run on the head SHA: conclusion, summary, and every
//      diagnostic in a changed file as a line annotation.
// The comment goes first: GitHub asks apps to space writes a second apart
// (Octokit's throttling enforces it), and the comment is what people read.
import type { Diagnostic } from "../bundle/diagnostics.js";
import type { Annotation, Reporter } from "../ports/reporter.js";
import type { ChangeSource } from "../ports/change-source.js";
import type { Renderer } from "../ports/renderer.js";
import type { VersionCatalog } from "../ports/version-catalog.js";
import { renderMarkdown } from "../present/review-markdown.js";
import { reviewErrors, reviewWarnings, type ReviewReport } from "../present/review-report.js";
import { reviewChange } from "./review-change.js";

export const CHECK_NAME = "baryon / templates";
export const COMMENT_MARKER = "<!-- baryon:review -->";
const STAMP = /<!-- baryon:updated (\S+) -->/;

export interface PullRequestReviewInput {
  headSha: string;
  /** When the push being reviewed happened (the pull request's updated_at); orders concurrent reviews. */
  pushedAt: string;
  /** The head branch lives in a fork: reviewed (sandboxed) but never published or rolled out. */
  fork: boolean;
  /** Templates folder from the repository config. */
  root?: string;
  /** Problems in the pull request's own edit of the repository config. */
  configProblems?: Diagnostic[];
}

export interface PullRequestReviewPorts {
  changes: ChangeSource;
  renderer: Renderer;
  versions: VersionCatalog;
  reporter: Reporter;
}

export async function reviewPullRequest(input: PullRequestReviewInput, ports: PullRequestReviewPorts): Promise<ReviewReport> {
  const reviewed = await reviewChange(input.root ? { root: input.root } : {}, ports);
  const report = { ...reviewed, diagnostics: [...reviewed.diagnostics, ...(input.configProblems ?? [])] };
  const head = await ports.changes.head(); // change sources return the snapshot they already read
  const stamp = `<!-- baryon:updated ${input.pushedAt} -->`;
  const preamble = [COMMENT_MARKER, stamp, input.fork ? "> This pull request comes from a fork: Baryon reviews it in its sandbox, but publishing and rollouts never come from forks — versions are published only from the default branch, once a maintainer merges." : ""]
    .filter(Boolean).join("\n");
  await ports.reporter.ensureComment(COMMENT_MARKER, renderMarkdown(report, { preamble }), {
    createIfMissing: report.templates.length > 0,
    keep: (existing) => (STAMP.exec(existing)?.[1] ?? "") > input.pushedAt,
  });
  await ports.reporter.ensureCheckRun({
    name: CHECK_NAME,
    headSha: input.headSha,
    ...checkOutcome(report),
    summary: renderMarkdown(report, { budget: 60_000 }),
    annotations: annotations(report, (path) => head.files.has(path)),
  });
  return report;
}

function checkOutcome(report: ReviewReport): { conclusion: "success" | "failure" | "neutral"; title: string } {
  const errors = reviewErrors(report);
  if (errors) return { conclusion: "failure", title: `${errors} error${errors === 1 ? "" : "s"} in template changes` };
  if (report.templates.length === 0) return { conclusion: "neutral", title: "No template changes" };
  const versions = report.templates.filter((t) => t.version).map((t) => `${t.name} ${t.version}`);
  const warnings = reviewWarnings(report);
  return {
    conclusion: "success",
    title: `${versions.length ? `Will publish ${versions.join(", ")}` : "No new version"}${warnings ? ` (${warnings} warning${warnings === 1 ? "" : "s"})` : ""}`,
  };
}

/**
 * One annotation per diagnostic on a file of the head commit (GitHub annotates
 * only files; folder-level problems stay in the summary). A diagnostic without
 * a line goes on line 1.
 */
export function annotations(report: ReviewReport, exists: (path: string) => boolean): Annotation[] {
  const all: Diagnostic[] = [...report.diagnostics, ...report.templates.flatMap((t) => t.diagnostics)];
  return all
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
