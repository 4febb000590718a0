// Review a pull request and report it where the author looks:
//   1. show the check run on the head SHA as in progress;
//   2. review the change (review-change.ts) under the configured templates folder,
//      and its inventory files (review-inventory.ts: the plan and the rendered diff
//      against what is deployed), both in one report;
//   3. keep one living comment: edit it in place on every push; a pull request
//      that touches no template or inventory file gets none (an existing one is updated); an
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
import { reviewInventory, type InventoryReviewInput, type InventoryReviewPorts } from "./review-inventory.js";

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
  /** The config's inventory settings: with the `inventory` port, inventory files are reviewed too. */
  inventory?: InventoryReviewInput["config"];
}

export interface PullRequestReviewPorts {
  changes: ChangeSource;
  renderer: Renderer;
  versions: VersionCatalog;
  reporter: Reporter;
  /** The owner's registry, to plan the inventory and render what is deployed. */
  inventory?: InventoryReviewPorts;
}

export async function reviewPullRequest(input: PullRequestReviewInput, ports: PullRequestReviewPorts): Promise<ReviewReport> {
  await ports.reporter.startCheckRun(checkRunStarted(CHECK_NAME, input.headSha));
  const reviewed = await reviewChange(
    { ...(input.templates ? { templates: input.templates } : {}), ...(input.repository ? { repository: input.repository } : {}) },
    { ...ports, ...(ports.inventory ? { deployments: ports.inventory.store } : {}) },
  );
  const configProblems = typeof input.configProblems === "function" ? await input.configProblems() : input.configProblems ?? [];
  const head = await ports.changes.head(); // change sources return the snapshot they already read
  const inventory = input.inventory && ports.inventory && input.repository
    ? await reviewInventory({ base: await ports.changes.base(), head, config: input.inventory, repository: input.repository }, ports.inventory)
    : undefined;
  // Inventory files are outside every bundle, but the inventory part says what they do.
  const unbundledFiles = inventory ? reviewed.unbundledFiles.filter((f) => !inventory.files.includes(f)) : reviewed.unbundledFiles;
  const report: ReviewReport = { ...reviewed, unbundledFiles, diagnostics: [...reviewed.diagnostics, ...configProblems], ...(inventory ? { inventory } : {}) };
  const exists = (path: string) => head.files.has(path);
  // Folders and deleted files have no page at the head commit: their problems stay plain text.
  const fileUrl: FileUrl | undefined = input.fileUrl && ((path, line) => (exists(path) ? input.fileUrl!(path, line) : undefined));
  const links = fileUrl ? { fileUrl } : {};
  const stamp = `<!-- baryon:updated ${input.pushedAt} -->`;
  const preamble = [COMMENT_MARKER, stamp, input.fork ? "> This pull request comes from a fork: Baryon reviews it in its sandbox, but publishing and rollouts never come from forks — versions are published only from the default branch, once a maintainer merges." : ""]
    .filter(Boolean).join("\n");
  await ports.reporter.ensureComment(COMMENT_MARKER, renderMarkdown(report, { preamble, ...links }), {
    createIfMissing: report.templates.length > 0 || report.inventory !== undefined,
    keep: (existing) => (STAMP.exec(existing)?.[1] ?? "") > input.pushedAt,
  });
  await ports.reporter.ensureCheckRun(checkRunReport(report, { name: CHECK_NAME, headSha: input.headSha, exists, ...links }));
  return report;
}
