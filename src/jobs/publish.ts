// The `publish` job: publish what a merge or a direct push put on the default
// branch, then answer on the pull request, if there is one.
import type { Probot } from "probot";
import type { ArtifactStore } from "../ports/artifact-store.js";
import { publishChange, type PublishOutcome } from "../flows/publish-change.js";
import { publishSummary } from "../present/publish-reply.js";
import type { Renderer } from "../ports/renderer.js";
import type { VersionMirror } from "../ports/version-mirror.js";
import { COMMENT_MARKER } from "../flows/review-pull-request.js";
import type { Registry } from "../ports/registry.js";
import { fetchTarball } from "../adapters/github/change-source.js";
import { loadConfig } from "./review.js";
import type { Metrics } from "../adapters/github/metrics.js";
import { pullRequestReporter } from "../adapters/github/reporter.js";

export const PUBLISH_JOB = "publish";

export interface PublishJobData {
  installationId: number;
  owner: string;
  repo: string;
  /** The commit on the default branch: a merge commit or a push's head. */
  commit: string;
  /** The commit the change started from (a pull request's base, a push's `before`); only bundles changed since are published. */
  baseCommit?: string;
  pullRequest?: number;
  /** What asked for it; only changes the job id, so a `/publish` retry runs again. */
  trigger: "merge" | "push" | "command";
  /** For a command: the comment id, so each command is its own job. */
  commentId?: number;
}

export const publishJobId = (d: PublishJobData) =>
  `publish:${d.owner}/${d.repo}@${d.commit}${d.pullRequest !== undefined ? `#${d.pullRequest}` : ""}${d.commentId !== undefined ? `:${d.commentId}` : ""}`;

export interface PublishJobDeps {
  probot: Probot;
  registry: Registry;
  artifacts: ArtifactStore;
  metrics: Metrics;
  mirror?: VersionMirror;
  renderer?: Renderer;
}

export async function runPublishJob(data: PublishJobData, deps: PublishJobDeps): Promise<PublishOutcome[]> {
  const octokit = await deps.probot.auth(data.installationId);
  const { owner, repo } = data;
  if (data.trigger === "push") {
    // A merged pull request's commit is published by its pull_request job, which can answer on it;
    // the push path is for direct pushes, so they are not lost.
    const { data: pulls } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({ owner, repo, commit_sha: data.commit });
    if (pulls.some((p) => p.merged_at && p.merge_commit_sha === data.commit)) return [];
  }
  const config = await loadConfig(octokit, owner, repo);
  if (!config.ok) {
    if (data.pullRequest !== undefined) {
      await pullRequestReporter(octokit, { owner, repo, number: data.pullRequest }).ensureComment(marker(data),
        `${marker(data)}\nNothing was published: \`.github/baryon.yml\` is invalid (${config.diagnostics.map((d) => `line ${d.line ?? 1}: ${d.message}`).join("; ")}).`);
    }
    return [];
  }
  const outcomes = await publishChange(
    { repository: `${owner}/${repo}`, commit: data.commit, status: config.config.publish, ...(data.pullRequest !== undefined ? { pullRequest: data.pullRequest } : {}), ...(config.config.templates ? { root: config.config.templates } : {}) },
    {
      head: () => fetchTarball(octokit, owner, repo, data.commit, config.config.templates),
      ...(data.baseCommit ? { base: () => fetchTarball(octokit, owner, repo, data.baseCommit!, config.config.templates) } : {}),
      registry: deps.registry, artifacts: deps.artifacts, ...(deps.mirror ? { mirror: deps.mirror } : {}), ...(deps.renderer ? { renderer: deps.renderer } : {}),
    },
  );
  const summary = publishSummary(outcomes) ?? (data.trigger === "command" ? nothingNew(outcomes) : undefined);
  if (data.pullRequest !== undefined && summary) {
    const reporter = pullRequestReporter(octokit, { owner, repo, number: data.pullRequest });
    await reporter.ensureComment(marker(data), `${marker(data)}\n${summary}`);
    const header = headerLine(outcomes);
    if (header) await reporter.editComment(COMMENT_MARKER, (body) => withHeader(body, header));
  }
  return outcomes;
}

/** One reply per merged commit (a retried job edits it); each `/publish` command gets its own. */
const marker = (data: Pick<PublishJobData, "commit" | "commentId">) => `<!-- baryon:publish ${data.commit}${data.commentId !== undefined ? ` ${data.commentId}` : ""} -->`;
function nothingNew(outcomes: PublishOutcome[]): string {
  const current = outcomes.flatMap((o) => (o.result === "unchanged" ? [`${o.template} ${o.version}`] : []));
  return `Nothing new to publish: ${current.length ? `this commit's bundles are already recorded (${current.join(", ")})` : "this commit has no template bundle"}.`;
}

const HEADER = /^<!-- baryon:published -->.*\n/m;

function headerLine(outcomes: PublishOutcome[]): string | undefined {
  const done = outcomes.flatMap((o) => (o.result === "published" || o.result === "draft" ? [`${o.template} ${o.version}${o.result === "draft" ? " (draft)" : ""}`] : []));
  const refused = outcomes.filter((o) => o.result === "refused").length;
  if (!done.length && !refused) return undefined;
  return `**Merged.** ${done.length ? `Published ${done.join(", ")}.` : "Nothing was published."}${refused ? ` ${refused} bundle${refused === 1 ? " was" : "s were"} not published: see the reply below.` : ""}`;
}

/** The review comment with a merge header right after its hidden markers. */
function withHeader(body: string, header: string): string {
  const cleaned = body.replace(HEADER, "");
  const lines = cleaned.split("\n");
  const at = lines.findIndex((l) => !l.startsWith("<!-- "));
  lines.splice(at === -1 ? lines.length : at, 0, `<!-- baryon:published -->${header}`);
  return lines.join("\n");
}


