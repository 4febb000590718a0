// The `publish` job: publish what a merge, a direct push or `/publish` put on the
// default branch, for the owner of the repository, then answer on the pull request
// and hand each new version to the mirror job (when a mirror is configured) and
// each new minor to its rollout.
import { publishChange, type PublishOutcome } from "../flows/publish-change.js";
import { COMMENT_MARKER } from "../flows/review-pull-request.js";
import { commandReply } from "../present/command-replies.js";
import { mirrorsOwner } from "../ports/version-mirror.js";
import { markPublished } from "../present/merge-header.js";
import { publishSummary } from "../present/publish-reply.js";
import { githubRepositorySource } from "../adapters/github/repository-source.js";
import { pullRequestReporter } from "../adapters/github/reporter.js";
import { githubFor, type JobKind } from "./job-kind.js";
import { enqueueMirrors } from "./mirror.js";
import { startRollouts } from "./rollout.js";
import { startUpgrades } from "./upgrade.js";

export interface PublishJobData {
  installationId: number;
  owner: string;
  repo: string;
  /** The commit on the default branch: a merge commit or a push's head. */
  commit: string;
  /** The repository's default branch (from the webhook): a publish checks it has not moved on. */
  defaultBranch?: string;
  /** The commit the change started from (a pull request's base, a push's `before`); only bundles changed since are published. */
  baseCommit?: string;
  pullRequest?: number;
  /** What asked for it; only changes the job id, so a `/publish` retry runs again. */
  trigger: "merge" | "push" | "command";
  /** For a command: the comment that gave it, so each command is its own job and its reply quotes it. */
  commentId?: number;
  command?: { text: string; author: string };
}

export const publishJobId = (d: PublishJobData) =>
  `publish:${d.owner}/${d.repo}@${d.commit}${d.pullRequest !== undefined ? `#${d.pullRequest}` : ""}${d.commentId !== undefined ? `:${d.commentId}` : ""}`;

/** Publishes of one repository run in the order they were queued, in any process: its merges are numbered in order. */
export const publishJob: JobKind<PublishJobData> = {
  name: "publish",
  id: publishJobId,
  key: (d) => `publish:${d.owner}/${d.repo}`.toLowerCase(),
  owner: (d) => d.owner,
  async run(data, context) {
    const { owner, repo } = data;
    const octokit = await githubFor(context, data.installationId);
    if (data.trigger === "push") {
      // A merged pull request's commit is published by its pull_request job, which can answer on it;
      // the push path is for direct pushes, so they are not lost.
      const { data: pulls } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({ owner, repo, commit_sha: data.commit });
      if (pulls.some((p) => p.merged_at && p.merge_commit_sha === data.commit)) return "left to the pull request's own publish";
    }
    const reporter = data.pullRequest === undefined ? undefined : pullRequestReporter(octokit, { owner, repo, number: data.pullRequest });
    const reply = (text: string) => reporter?.ensureComment(marker(data), `${marker(data)}\n${data.command ? commandReply(data.command, text) : text}`);
    const source = githubRepositorySource(octokit, { owner, repo, headSha: data.commit, ...(data.baseCommit ? { baseSha: data.baseCommit } : {}) });
    const config = await source.config();
    if (!config.ok) {
      await reply(`Nothing was published: \`.github/baryon.yml\` is invalid (${config.diagnostics.map((d) => `line ${d.line ?? 1}: ${d.message}`).join("; ")}).`);
      return "configuration invalid, nothing published";
    }
    const { adapters } = context;
    const outcomes = await publishChange(
      {
        repository: `${owner}/${repo}`, commit: data.commit, status: config.config.publish, mirror: mirrorsOwner(adapters.mirror, owner),
        ...(data.pullRequest !== undefined ? { pullRequest: data.pullRequest } : {}), ...(config.config.templates ? { templates: config.config.templates } : {}),
      },
      {
        head: source.head,
        ...(data.baseCommit ? { base: source.base } : {}),
        ...(await movedOn(octokit, data, config.config.templates)),
        versions: adapters.registry.versions({ login: owner, installationId: data.installationId }),
        artifacts: adapters.artifacts,
        renderer: adapters.renderer,
      },
    );
    await enqueueMirrors(adapters, { login: owner, installationId: data.installationId }, outcomes);
    // Each published minor rolls out (a new major waits for its owners' upgrades).
    const origin = { repository: `${owner}/${repo}`, commit: data.commit, ...(data.pullRequest !== undefined ? { pullRequest: data.pullRequest } : {}) };
    await startRollouts(adapters, { login: owner, installationId: data.installationId }, outcomes, origin, config.config.rollout);
    // Each new major opens upgrade pull requests on the spec files of resources on an older one.
    await startUpgrades(adapters, owner, outcomes, data.installationId);
    const summary = publishSummary(outcomes, { command: data.trigger === "command" });
    if (summary) await reply(summary);
    const published = outcomes.flatMap((o) => (o.result === "published" || o.result === "draft" ? [{ template: o.template, version: o.version, draft: o.result === "draft" }] : []));
    const refused = outcomes.filter((o) => o.result === "refused").length;
    if (reporter && (published.length || refused)) await reporter.editComment(COMMENT_MARKER, (body) => markPublished(body, published, refused));
    return describe(outcomes);
  },
};

/** The default branch's snapshot when it has moved past the commit (one request to know; a tarball only then). */
async function movedOn(octokit: Awaited<ReturnType<typeof githubFor>>, data: PublishJobData, templates: string | undefined) {
  if (!data.defaultBranch) return {};
  const { owner, repo } = data;
  const { data: ref } = await octokit.rest.git.getRef({ owner, repo, ref: `heads/${data.defaultBranch}` });
  if (ref.object.sha === data.commit) return {};
  return { current: githubRepositorySource(octokit, { owner, repo, headSha: ref.object.sha, ...(templates ? { templates } : {}) }).head };
}

/** One reply per merged commit (a retried job edits it); each `/publish` command gets its own. */
const marker = (data: Pick<PublishJobData, "commit" | "commentId">) => `<!-- baryon:publish ${data.commit}${data.commentId !== undefined ? ` ${data.commentId}` : ""} -->`;

function describe(outcomes: PublishOutcome[]): string {
  if (!outcomes.length) return "no template bundle changed";
  return outcomes.map((o) => `${o.template} v${o.major}: ${o.result}${"version" in o ? ` ${o.version}` : ""}`).join(", ");
}
