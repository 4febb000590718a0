// The `review` job: everything a pull request review needs that a webhook
// handler must not wait for. Job data is plain JSON; the installation's Octokit
// is rebuilt here, per job, never shared between repositories.
import type { ProbotOctokit } from "probot";
import { CHECK_NAME, reviewPullRequest } from "../flows/review-pull-request.js";
import { configEditProblems } from "../config/read-config.js";
import { CONFIG_PATH } from "../config/repo-config.js";
import type { Metrics } from "../adapters/metrics.js";
import { bundleLoader } from "../flows/stored-bundle.js";
import { githubRepositorySource } from "../adapters/github/repository-source.js";
import { pullRequestReporter } from "../adapters/github/reporter.js";
import { SnapshotTooLargeError } from "../adapters/github/tarball.js";
import { PermanentJobError } from "../ports/job-queue.js";
import { configInvalidReport, tooLargeReport } from "../present/check-run.js";
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
  key: (d) => `review:${d.owner}/${d.repo}#${d.number}`.toLowerCase(),
  owner: (d) => d.owner,
  run: (data, context) => runReview(data, context),
};

async function runReview(data: ReviewJobData, deps: JobContext): Promise<string> {
  const started = performance.now();
  const octokit = await githubFor(deps, data.installationId);
  countRequests(octokit, deps.metrics);
  const { owner, repo } = data;
  const reporter = pullRequestReporter(octokit, { owner, repo, number: data.number, ...(deps.appId !== undefined ? { appId: deps.appId } : {}) });

  const source = githubRepositorySource(octokit, { owner, repo, baseSha: data.baseSha, headSha: data.headSha });
  const config = await source.config();
  if (!config.ok) {
    await reporter.ensureCheckRun(configInvalidReport(CHECK_NAME, data.headSha, CONFIG_PATH, config.diagnostics));
    deps.metrics.reviewDuration.observe({ outcome: "config-error" }, (performance.now() - started) / 1000);
    return "configuration invalid, check run failed";
  }
  const { templates } = config.config;
  const registryOwner = { login: owner, installationId: data.installationId };
  const versions = deps.adapters.registry.versions(registryOwner);
  // A fork's templates run on the engine whose limits hold per render (see engines.ts).
  const renderer = data.fork ? deps.adapters.forkRenderer : deps.adapters.renderer;
  let report;
  try {
    report = await reviewPullRequest(
      {
        headSha: data.headSha, pushedAt: data.pushedAt, fork: data.fork, repository: `${owner}/${repo}`,
        ...(data.htmlUrl ? { fileUrl: commitFileUrl(data.htmlUrl, data.headSha) } : {}),
        ...(templates ? { templates } : {}),
        configProblems: async () => configEditProblems(await source.base(), await source.head()),
        inventory: config.config,
      },
      {
        changes: source, renderer, versions, reporter,
        inventory: { versions, bundleOf: bundleLoader(deps.adapters.artifacts), store: deps.adapters.registry.deployments(registryOwner), renderer },
      },
    );
  } catch (error) {
    if (!(error instanceof SnapshotTooLargeError)) throw error;
    await reporter.ensureCheckRun(tooLargeReport(CHECK_NAME, data.headSha, error.message));
    throw new PermanentJobError(error.message, { cause: error }); // retrying cannot help
  }
  deps.metrics.reviewDuration.observe({ outcome: report.templates.length || report.inventory ? "reviewed" : "no-templates" }, (performance.now() - started) / 1000);
  const errors = reviewErrors(report);
  const inventory = report.inventory ? `, inventory: ${report.inventory.plan.length} planned action(s)` : "";
  return report.templates.length || report.inventory ? `reviewed ${report.templates.length} template change(s)${inventory}, ${errors} error(s)` : "no template changes";
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
