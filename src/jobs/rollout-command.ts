// The `rollout-command` job: a `/rollout …` or `/rollback …` comment on the pull
// request that published a version. Authorized when it runs (the commenter's
// permission and teams, asked of GitHub then; an unanswered question refuses),
// applied to each rollout that pull request started (src/flows/rollout-command.ts),
// and answered with a reaction and one reply that says what happened or why not.
// A retried job edits its reply; commands of one pull request run in order.
import { pullRequestReporter } from "../adapters/github/reporter.js";
import { runRolloutCommand, type RolloutCommand } from "../flows/rollout-command.js";
import type { Owner } from "../ports/registry.js";
import { commandReply } from "../present/command-replies.js";
import { authorize, type Actor } from "../rollout/authorize.js";
import { commandText, parseCommand } from "../rollout/commands.js";
import type { RolloutRecord } from "../rollout/model.js";
import { PERMISSIONS, type Permission, type StagePolicy } from "../rollout/policy.js";
import { githubFor, type JobKind } from "./job-kind.js";
import { enqueueDeployment, enqueueTick } from "./lanes.js";
import { rolloutPorts } from "./rollout.js";

type Octokit = Awaited<ReturnType<typeof githubFor>>;

export interface RolloutCommandJobData {
  installationId: number;
  owner: string;
  repo: string;
  pullRequest: number;
  commentId: number;
  commentUrl: string;
  author: string;
  authorType: "User" | "Bot";
  /** The comment's text: its first line is the command. */
  text: string;
}

export const rolloutCommandJob: JobKind<RolloutCommandJobData> = {
  name: "rollout-command",
  id: (d) => `rollout-command:${d.owner}/${d.repo}#${d.pullRequest}:${d.commentId}`,
  key: (d) => `rollout-command:${d.owner}/${d.repo}#${d.pullRequest}`.toLowerCase(),
  owner: (d) => d.owner,
  attempts: 3,
  backoffMs: 2000,
  async run(data, context) {
    const octokit = await githubFor(context, data.installationId);
    const { owner, repo } = data;
    const repository = `${owner}/${repo}`;
    const command = parseCommand(data.text);
    if (!command || (command.name !== "rollout" && command.name !== "rollback")) return "not a rollout command";
    const said = commandText(command);
    const reporter = pullRequestReporter(octokit, { owner, repo, number: data.pullRequest });
    const answer = async (body: string, reaction: "+1" | "-1" | "confused") => {
      await octokit.rest.reactions.createForIssueComment({ owner, repo, comment_id: data.commentId, content: reaction });
      await reporter.ensureComment(`<!-- baryon:command ${data.commentId} -->`, `<!-- baryon:command ${data.commentId} -->\n${commandReply({ text: data.text, author: data.author }, body)}`);
    };

    const ownerRef: Owner = { login: owner, installationId: data.installationId };
    const ports = rolloutPorts(context.adapters, ownerRef);
    const rollouts = await ports.rollouts.rollouts({ origin: { repository, pullRequest: data.pullRequest } });
    const live = rollouts.filter((r, i) => rollouts.findIndex((o) => o.template === r.template && o.major === r.major) === i);
    if (!live.length) {
      await answer(`\`${said}\`: no rollout was started from this pull request (it published no new minor that a resource follows). Nothing was done.`, "confused");
      return "no rollout of this pull request";
    }
    const { data: pull } = await octokit.rest.pulls.get({ owner, repo, pull_number: data.pullRequest });
    const fork = pull.head.repo?.full_name !== pull.base.repo.full_name;
    const flowCommand: RolloutCommand = command.name === "rollback"
      ? { action: "rollback", ...(command.resource ? { resource: command.resource } : {}) }
      : command.action === "approve" ? { action: "approve", stage: command.stage } : { action: command.action };

    const replies: string[] = [];
    let allowedAny = false;
    for (const rollout of live) {
      const stage = stageFor(rollout, flowCommand);
      const actor = await actorOf(octokit, data, repository, stage);
      const decision = authorize(command, actor, { repository, pullRequestAuthor: pull.user.login, fork, ...(stage ? { stage } : {}) });
      if (!decision.allowed) {
        replies.push(decision.reason);
        continue;
      }
      allowedAny = true;
      const outcome = await runRolloutCommand(ports, rollout, flowCommand, { login: data.author, commentUrl: data.commentUrl });
      for (const d of outcome.deployments) await enqueueDeployment(context.adapters.queue, ownerRef, d);
      if (outcome.tick) await enqueueTick(context.adapters.queue, ownerRef, rollout.id, `command-${data.commentId}`);
      replies.push(live.length > 1 ? `**${rollout.template} ${rollout.major}.${rollout.minor}**: ${outcome.reply}` : outcome.reply);
    }
    await answer(replies.join("\n\n"), allowedAny ? "+1" : "-1");
    return `${said}: ${allowedAny ? "done" : "refused"} for ${live.length} rollout(s)`;
  },
};

/** The stage whose approvers decide: the one named, or the one the resource (or the rollout) is in. */
function stageFor(rollout: RolloutRecord, command: RolloutCommand): StagePolicy | undefined {
  const stages = rollout.plan.stages;
  if (command.action === "approve") return stages.find((s) => s.name === command.stage)?.policy;
  if (command.action === "rollback") {
    const named = command.resource !== undefined ? stages.find((s) => s.resources.includes(command.resource!)) : undefined;
    return (named ?? stages.find((s) => s.name === rollout.stage) ?? stages[stages.length - 1])?.policy;
  }
  return undefined;
}

/** The commenter as GitHub sees them now; a question GitHub did not answer stays unknown (and refuses). */
async function actorOf(octokit: Octokit, data: RolloutCommandJobData, repository: string, stage: StagePolicy | undefined): Promise<Actor> {
  const [owner, repo] = repository.split("/") as [string, string];
  let permission: Actor["permission"];
  try {
    const { data: level } = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username: data.author });
    const role = level.role_name as Permission;
    permission = PERMISSIONS.includes(role) ? role : (level.permission as Permission | "none");
  } catch {
    permission = undefined;
  }
  const wanted = stage?.approvers.teams ?? [];
  let teams: Set<string> | undefined = new Set();
  for (const team of wanted) {
    const [org, slug] = team.split("/") as [string, string];
    try {
      const { data: membership } = await octokit.rest.teams.getMembershipForUserInOrg({ org, team_slug: slug, username: data.author });
      if (membership.state === "active") teams?.add(team.toLowerCase());
    } catch (error) {
      if ((error as { status?: number }).status !== 404) teams = undefined;
    }
  }
  return { login: data.author, type: data.authorType, permission, teams };
}
