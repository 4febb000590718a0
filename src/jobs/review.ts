// The `review` job: everything a pull request review needs that a webhook
// handler must not wait for. Job data is plain JSON; the installation's Octokit
// is rebuilt here, per job, never shared between repositories.
import type { ProbotOctokit } from "probot";
import type { Diagnostic } from "../bundle/diagnostics.js";
import type { Snapshot } from "../bundle/files.js";
import { parseYaml } from "../bundle/parse/yaml.js";
import { CHECK_NAME, reviewPullRequest } from "../flows/review-pull-request.js";
import { pullRequestChangeSource } from "../adapters/github/change-source.js";
import { checkConfig, CONFIG_PATH, type RepoConfig } from "../config/repo-config.js";
import type { Metrics } from "../adapters/github/metrics.js";
import { pullRequestReporter } from "../adapters/github/reporter.js";
import { SnapshotTooLargeError } from "../adapters/github/tarball.js";
import { PermanentJobError } from "../ports/job-queue.js";
import { commitFileUrl } from "../present/review-markdown.js";
import { reviewErrors } from "../present/review-report.js";
import { githubFor, type JobContext, type JobKind } from "./job-kind.js";

export interface ReviewJobData {
  installationId: number;
  owner: string;
  repo: string;
  number: number;
  baseSha: string;
  headSha: string;
  /** The pull request's updated_at in the webhook: orders reviews of successive pushes. */
  pushedAt: string;
  fork: boolean;
  /** The repository's web address (`html_url`), to link each problem to its line on the head commit. */
  htmlUrl?: string;
}

/** One job per (repository, pull request, head SHA): redeliveries and repeated pushes of a SHA dedupe. */
export const reviewJobId = (d: Pick<ReviewJobData, "owner" | "repo" | "number" | "headSha">) =>
  `review:${d.owner}/${d.repo}#${d.number}@${d.headSha}`;

/**
 * Review one push of a pull request. One job per (repository, pull request, head SHA):
 * redeliveries and repeated pushes of a SHA dedupe; reviews of one pull request never
 * overlap, in any process, so two quick pushes cannot both create the living comment.
 */
export const reviewJob: JobKind<ReviewJobData> = {
  name: "review",
  id: reviewJobId,
  key: (d) => `review:${d.owner}/${d.repo}#${d.number}`,
  run: (data, context) => runReview(data, context),
};

async function runReview(data: ReviewJobData, deps: JobContext): Promise<string> {
  const started = performance.now();
  const octokit = await githubFor(deps, data.installationId);
  countRequests(octokit, deps.metrics);
  const { owner, repo } = data;
  const reporter = pullRequestReporter(octokit, { owner, repo, number: data.number, ...(deps.appId !== undefined ? { appId: deps.appId } : {}) });

  const config = await loadConfig(octokit, owner, repo);
  if (!config.ok) {
    await reporter.ensureCheckRun({
      name: CHECK_NAME, headSha: data.headSha, conclusion: "failure",
      title: `${CONFIG_PATH} is invalid`,
      summary: `Baryon cannot review templates until the repository configuration is fixed:\n\n${config.diagnostics.map((d) => `- line ${d.line ?? 1}: ${d.message}`).join("\n")}`,
      annotations: [],
    });
    deps.metrics.reviewDuration.observe({ outcome: "config-error" }, (performance.now() - started) / 1000);
    return "configuration invalid, check run failed";
  }
  const changes = pullRequestChangeSource(octokit, { owner, repo, baseSha: data.baseSha, headSha: data.headSha }, config.config.templates);
  let report;
  try {
    report = await reviewPullRequest(
      { headSha: data.headSha, pushedAt: data.pushedAt, fork: data.fork, ...(data.htmlUrl ? { fileUrl: commitFileUrl(data.htmlUrl, data.headSha) } : {}), ...(config.config.templates ? { root: config.config.templates } : {}), configProblems: await headConfigProblems(changes.base, changes.head) },
      { changes, renderer: deps.adapters.renderer, versions: deps.adapters.registry.versions({ login: owner, installationId: data.installationId }), reporter },
    );
  } catch (error) {
    if (!(error instanceof SnapshotTooLargeError)) throw error;
    await reporter.ensureCheckRun({ name: CHECK_NAME, headSha: data.headSha, conclusion: "failure", title: "Too large to review", summary: error.message, annotations: [] });
    throw new PermanentJobError(error.message, { cause: error }); // retrying cannot help
  }
  deps.metrics.reviewDuration.observe({ outcome: report.templates.length ? "reviewed" : "no-templates" }, (performance.now() - started) / 1000);
  const errors = reviewErrors(report);
  return report.templates.length ? `reviewed ${report.templates.length} template change(s), ${errors} error(s)` : "no template changes";
}

/** The default branch's config (Probot's loader: `_extends` from another repository works). */
export async function loadConfig(octokit: ProbotOctokit, owner: string, repo: string): Promise<{ ok: true; config: RepoConfig } | { ok: false; diagnostics: Diagnostic[] }> {
  const { config, files } = await octokit.config.get({ owner, repo, path: CONFIG_PATH });
  const merged: Record<string, unknown> = files.some((f) => f.config !== null) ? { ...config } : {};
  delete merged._extends;
  const result = checkConfig(merged);
  if (result.ok) return result;
  // Only on error: read the file's text so each problem points at its line.
  const text = await octokit.rest.repos.getContent({ owner, repo, path: CONFIG_PATH })
    .then((r) => ("content" in r.data && typeof r.data.content === "string" ? Buffer.from(r.data.content, "base64").toString("utf8") : undefined))
    .catch(() => undefined);
  return checkConfig(merged, text);
}

/** A pull request that edits `.github/baryon.yml` is checked against the schema before it can break later reviews. */
async function headConfigProblems(base: () => Promise<Snapshot>, head: () => Promise<Snapshot>): Promise<Diagnostic[]> {
  const [b, h] = await Promise.all([base(), head()]);
  const after = h.files.get(CONFIG_PATH);
  const before = b.files.get(CONFIG_PATH);
  if (!after || (before && Buffer.compare(Buffer.from(before), Buffer.from(after)) === 0)) return [];
  const text = new TextDecoder().decode(after);
  const parsed = parseYaml(CONFIG_PATH, text);
  if (parsed.diagnostics.length) return parsed.diagnostics;
  const result = checkConfig(parsed.value, text);
  return result.ok ? [] : result.diagnostics;
}

function countRequests(octokit: ProbotOctokit, metrics: Metrics): void {
  octokit.hook.after("request", (response, options) => {
    metrics.githubRequests.inc({ method: String(options.method), status: String(response.status) });
  });
  octokit.hook.error("request", (error, options) => {
    metrics.githubRequests.inc({ method: String(options.method), status: String((error as { status?: number }).status ?? "error") });
    throw error;
  });
}
