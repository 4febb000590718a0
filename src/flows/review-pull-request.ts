// Review a pull request and report it where the author looks:
//   1. show the check run on the head SHA as in progress;
//   2. review the change (review-change.ts) under the configured templates folder;
//   3. keep one living comment: edit it in place on every push; a pull request
//      that touches no template gets none (an existing one is updated); an
//      older push never overwrites a newer one's comment (it records the time
//      of the push it describes);
//   4. complete the check run: conclusion, summary, and every diagnostic in a
//      file of the head commit as a line annotation (present/check-run.ts).
// The comment goes first: GitHub asks apps to space writes a second apart
// (Octokit's throttling enforces it), and the comment is what people read.
import type { Diagnostic } from "../bundle/diagnostics.js";
import type { Reporter } from "../ports/reporter.js";
import type { ChangeSource } from "../ports/change-source.js";
import type { Renderer } from "../ports/renderer.js";
import type { VersionCatalog } from "../ports/version-catalog.js";
import { checkRunReport, checkRunStarted } from "../present/check-run.js";
import { renderMarkdown, type FileUrl } from "../present/review-markdown.js";
import type { ReviewReport } from "../present/review-report.js";
import { reviewChange } from "./review-change.js";

export const CHECK_NAME = "baryon / templates";
export const COMMENT_MARKER = "<!-- baryon:review -->";
const STAMP = /<!-- baryon:updated (\S+) -->/;

export interface PullRequestReviewInput {
  headSha: string;
  /** "owner/name" of the pull request's repository. */
  repository?: string;
  /** When the push being reviewed happened (the pull request's updated_at); orders concurrent reviews. */
  pushedAt: string;
  /** The head branch lives in a fork: reviewed (sandboxed) but never published or rolled out. */
  fork: boolean;
  /** Templates folder from the repository config. */
  templates?: string;
  /** Problems in the pull request's own edit of the repository config; a function is called after the check run shows the review started. */
  configProblems?: Diagnostic[] | (() => Promise<Diagnostic[]>);
  /** A file of the head commit on the web (e.g. `commitFileUrl(repository.html_url, headSha)`): links each problem. */
  fileUrl?: (path: string, line?: number) => string;
}

export interface PullRequestReviewPorts {
  changes: ChangeSource;
  renderer: Renderer;
  versions: VersionCatalog;
  reporter: Reporter;
}

export async function reviewPullRequest(input: PullRequestReviewInput, ports: PullRequestReviewPorts): Promise<ReviewReport> {
  await ports.reporter.startCheckRun(checkRunStarted(CHECK_NAME, input.headSha));
  const reviewed = await reviewChange({ ...(input.templates ? { templates: input.templates } : {}), ...(input.repository ? { repository: input.repository } : {}) }, ports);
  const configProblems = typeof input.configProblems === "function" ? await input.configProblems() : input.configProblems ?? [];
  const report = { ...reviewed, diagnostics: [...reviewed.diagnostics, ...configProblems] };
  const head = await ports.changes.head(); // change sources return the snapshot they already read
  const exists = (path: string) => head.files.has(path);
  // Folders and deleted files have no page at the head commit: their problems stay plain text.
  const fileUrl: FileUrl | undefined = input.fileUrl && ((path, line) => (exists(path) ? input.fileUrl!(path, line) : undefined));
  const links = fileUrl ? { fileUrl } : {};
  const stamp = `<!-- baryon:updated ${input.pushedAt} -->`;
  const preamble = [COMMENT_MARKER, stamp, input.fork ? "> This pull request comes from a fork: Baryon reviews it in its sandbox, but publishing and rollouts never come from forks — versions are published only from the default branch, once a maintainer merges." : ""]
    .filter(Boolean).join("\n");
  await ports.reporter.ensureComment(COMMENT_MARKER, renderMarkdown(report, { preamble, ...links }), {
    createIfMissing: report.templates.length > 0,
    keep: (existing) => (STAMP.exec(existing)?.[1] ?? "") > input.pushedAt,
  });
  await ports.reporter.ensureCheckRun(checkRunReport(report, { name: CHECK_NAME, headSha: input.headSha, exists, ...links }));
  return report;
}
