// The Probot app: webhook handlers only adapt the event into a job and return,
// so GitHub gets its acknowledgement before any work starts. Commands are the
// exception only in that they answer at once when they are refused.
import type { ApplicationFunction, Context } from "probot";
import type { JobQueue } from "../ports/job-queue.js";
import type { Registry } from "../ports/registry.js";
import { parseCommand, WRITE_PERMISSIONS } from "../rollout/commands.js";
import type { Metrics } from "../adapters/metrics.js";
import { submit } from "../jobs/job-kind.js";
import { onInfrastructureEvents } from "./deployment-webhooks.js";
import { publishJob, publishJobId, type PublishJobData } from "../jobs/publish.js";
import { reconcileJob, reconcileJobId, type ReconcileJobData } from "../jobs/reconcile.js";
import { reviewJob, reviewJobId, type ReviewJobData } from "../jobs/review.js";
import { commandReply, HELP, NEEDS_WRITE, NOT_MERGED, OTHER_BRANCH, UNKNOWN_COMMAND } from "../present/command-replies.js";
import { rolloutCommandJob, type RolloutCommandJobData } from "../jobs/rollout-command.js";

export interface AppDeps {
  queue: JobQueue;
  /** Where submitted work is recorded before it is queued. */
  registry: Registry;
  metrics: Metrics;
}

export function baryonApp(deps: AppDeps): ApplicationFunction {
  return (app) => {
    onInfrastructureEvents(app, deps);
    app.onAny(async (context) => {
      deps.metrics.webhooksReceived.inc({ event: context.name });
    });

    app.on(["pull_request.opened", "pull_request.synchronize", "pull_request.reopened"], async (context) => {
      const { pull_request: pr, repository, installation } = context.payload;
      if (!installation) return; // only installations can be reviewed
      const data: ReviewJobData = {
        installationId: installation.id,
        owner: repository.owner.login,
        repo: repository.name,
        number: pr.number,
        baseSha: pr.base.sha,
        headSha: pr.head.sha,
        pushedAt: pr.updated_at,
        fork: pr.head.repo?.full_name !== repository.full_name,
        htmlUrl: repository.html_url,
      };
      const added = await submit(deps, reviewJob, data);
      context.log.info({ job: reviewJobId(data), added }, added ? "review queued" : "review already queued for this head");
    });

    app.on("pull_request.closed", async (context) => {
      const { pull_request: pr, repository, installation } = context.payload;
      if (!installation || !pr.merged || !pr.merge_commit_sha || pr.base.ref !== repository.default_branch) return;
      await enqueuePublish(context, { installationId: installation.id, owner: repository.owner.login, repo: repository.name, commit: pr.merge_commit_sha, baseCommit: pr.base.sha, pullRequest: pr.number, trigger: "merge", defaultBranch: repository.default_branch });
    });

    // Direct pushes to the default branch publish too, so no change is lost; a merge's
    // push and its pull_request event both arrive, and the registry records each version once.
    // Every push to it is also reconciled (the job skips one that touched no inventory file).
    app.on("push", async (context) => {
      const { repository, installation, ref, before, after, deleted, sender, pusher } = context.payload;
      if (!installation || deleted || !repository.owner || ref !== `refs/heads/${repository.default_branch}`) return;
      const created = /^0+$/.test(before); // a new branch has no "before" to compare with
      const change = { installationId: installation.id, owner: repository.owner.login, repo: repository.name, commit: after, ...(created ? {} : { baseCommit: before }), trigger: "push" as const, defaultBranch: repository.default_branch };
      await enqueuePublish(context, change);
      await enqueueReconcile(context, { ...change, pusher: sender?.login ?? pusher.name });
    });

    app.on("issue_comment.created", async (context) => {
      const { comment, issue, repository, installation } = context.payload;
      const author = comment.user?.login;
      if (!installation || !issue.pull_request || !author) return;
      const command = parseCommand(comment.body);
      if (!command) return;
      // Rollout commands are answered by their job, bots included (refused there, with the reason).
      if (command.name === "rollout" || command.name === "rollback") {
        const data: RolloutCommandJobData = {
          installationId: installation.id, owner: repository.owner.login, repo: repository.name, pullRequest: issue.number,
          commentId: comment.id, commentUrl: comment.html_url, author, authorType: comment.user?.type === "Bot" ? "Bot" : "User", text: comment.body,
        };
        await submit(deps, rolloutCommandJob, data);
        await context.octokit.rest.reactions.createForIssueComment(context.repo({ comment_id: comment.id, content: "eyes" }));
        return;
      }
      // Our own replies quote the command they answer, so they never parse as one; other bots get no answer.
      if (comment.user?.type === "Bot") return;
      const reply = async (body: string, reaction: "+1" | "-1" | "confused" | "eyes") => {
        await context.octokit.rest.reactions.createForIssueComment(context.repo({ comment_id: comment.id, content: reaction }));
        await context.octokit.rest.issues.createComment(context.issue({ body: commandReply({ text: comment.body, author }, body) }));
      };
      if (command.name === "unknown") return reply(UNKNOWN_COMMAND(command.text, command.hint), "confused");
      if (command.name === "help") return reply(HELP, "+1");
      // Both commands that remain change things: write access (see WRITE_PERMISSIONS), on a pull request merged into the default branch.
      const [said, does] = command.name === "publish" ? ["/publish", "publishes"] : ["/baryon confirm-delete", "works on"];
      const { data: access } = await context.octokit.rest.repos.getCollaboratorPermissionLevel(context.repo({ username: author }));
      if (!WRITE_PERMISSIONS.includes(access.permission)) return reply(NEEDS_WRITE(said, repository.full_name, access.permission), "-1");
      const { data: pr } = await context.octokit.rest.pulls.get(context.repo({ pull_number: issue.number }));
      if (!pr.merged || !pr.merge_commit_sha) return reply(NOT_MERGED(said, does), "-1");
      if (pr.base.ref !== repository.default_branch) return reply(OTHER_BRANCH(said, does, repository.default_branch, pr.base.ref), "-1");
      const asked = {
        installationId: installation.id, owner: repository.owner.login, repo: repository.name, commit: pr.merge_commit_sha,
        pullRequest: pr.number, trigger: "command" as const, commentId: comment.id, command: { text: comment.body, author }, defaultBranch: repository.default_branch,
      };
      if (command.name === "publish") await enqueuePublish(context, { ...asked, baseCommit: pr.base.sha });
      else await enqueueReconcile(context, { ...asked, commentUrl: comment.html_url, confirmedDeletes: [command.resource] });
      await context.octokit.rest.reactions.createForIssueComment(context.repo({ comment_id: comment.id, content: "eyes" }));
    });

    async function enqueuePublish(context: Context, data: PublishJobData): Promise<void> {
      const added = await submit(deps, publishJob, data);
      context.log.info({ job: publishJobId(data), added }, added ? "publish queued" : "publish already queued");
    }

    async function enqueueReconcile(context: Context, data: ReconcileJobData): Promise<void> {
      const added = await submit(deps, reconcileJob, data);
      context.log.info({ job: reconcileJobId(data), added }, added ? "reconcile queued" : "reconcile already queued");
    }
  };
}
