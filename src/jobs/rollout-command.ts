// The `rollout-command` job: a `/rollout …` or `/rollback …` comment on the pull
// request that published a version. Authorized when it runs (the commenter's
// permission and teams, asked of GitHub then; an unanswered question refuses),
// applied to each rollout that pull request started (src/flows/rollout-command.ts),
// against the stages it acts on (every gated one must allow the commenter),
// and answered with a reaction and one reply that says what happened or why not.
// A retried job edits its reply; commands of one pull request run in order.
import { pullRequestReporter } from "../adapters/github/reporter.js";
import { runRolloutCommand, type RolloutCommand } from "../flows/rollout-command.js";
import type { Owner } from "../ports/registry.js";
import { commandReply, refusalReply } from "../present/command-replies.js";
import { authorize, type Actor } from "../rollout/authorize.js";
import { commandText, parseCommand } from "../rollout/commands.js";
import type { RolloutRecord, TargetState } from "../rollout/model.js";
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
    // A fork's code is refused until a maintainer merges it; after that, commenters are judged one by one.
    const fork = !pull.merged && pull.head.repo?.full_name !== pull.base.repo.full_name;
    const flowCommand: RolloutCommand = command.name === "rollback"
      ? { action: "rollback", ...(command.resource ? { resource: command.resource } : {}) }
      : command.action === "approve" ? { action: "approve", stage: command.stage } : { action: command.action };

    const replies: string[] = [];
    let allowedAny = false;
    for (const rollout of live) {
      const targets = flowCommand.action === "rollback" && flowCommand.resource === undefined ? await ports.rollouts.targets(rollout.id) : undefined;
      const stages = stagesFor(rollout, flowCommand, targets);
      const actor = await actorOf(octokit, data, repository, stages);
      const decision = authorize(command, actor, { repository, pullRequestAuthor: pull.user.login, fork, stages });
      if (!decision.allowed) {
        replies.push(refusalReply(decision.refusal));
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

/**
 * The stages whose approvers decide: the one named; the one the rollout stands at, to resume; the
 * resource's, to roll one back; every stage where the rollout has deployed something, to roll all back
 * (`targets`: at least what the flow takes back, so nothing is authorized against too few stages).
 */
function stagesFor(rollout: RolloutRecord, command: RolloutCommand, targets?: ReadonlyMap<string, TargetState>): StagePolicy[] {
  const stages = rollout.plan.stages;
  const current = stages.find((s) => s.name === rollout.stage);
  const policies = (found: (typeof stages)[number] | undefined) => (found ? [found.policy] : []);
  switch (command.action) {
    case "approve":
      return policies(stages.find((s) => s.name === command.stage));
    case "resume":
      return policies(current);
    case "rollback":
      if (command.resource !== undefined) {
        return policies(stages.find((s) => s.resources.includes(command.resource!)) ?? current ?? stages.at(-1));
      }
      return stages.filter((s) => s.resources.some((key) => targets?.get(key)?.deployment !== undefined)).map((s) => s.policy);
    default:
      return [];
  }
}

/** The commenter as GitHub sees them now; a question GitHub did not answer stays unknown (and refuses). */
async function actorOf(octokit: Octokit, data: RolloutCommandJobData, repository: string, stages: readonly StagePolicy[]): Promise<Actor> {
  const [owner, repo] = repository.split("/") as [string, string];
  let permission: Actor["permission"];
  try {
    const { data: level } = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username: data.author });
    const role = level.role_name as Permission;
    permission = PERMISSIONS.includes(role) ? role : (level.permission as Permission | "none");
  } catch {
    permission = undefined;
  }
  // Membership of any one team is enough, so one proven outweighs another GitHub would not tell.
  const wanted = [...new Set(stages.filter((s) => s.gate === "comment").flatMap((s) => s.approvers.teams.map((t) => t.toLowerCase())))];
  const teams = new Set<string>();
  let unanswered = false;
  let forbidden = false;
  for (const team of wanted) {
    const [org, slug] = team.split("/") as [string, string];
    try {
      const { data: membership } = await octokit.rest.teams.getMembershipForUserInOrg({ org, team_slug: slug, username: data.author });
      if (membership.state === "active") teams.add(team);
    } catch (error) {
      if (statusOf(error) === 404) continue; // not a member (or no such team)
      unanswered = true;
      forbidden ||= lacksMembersPermission(error);
    }
  }
  const known = teams.size > 0 || !unanswered;
  return { login: data.author, type: data.authorType, permission, teams: known ? teams : undefined, ...(!known && forbidden ? { teamsForbidden: true } : {}) };
}

const statusOf = (error: unknown) => (error as { status?: number }).status;

/**
 * A 403 that is not a rate limit: the installation may not read the organization's members
 * ("Resource not accessible by integration"), as without the permission Members: read.
 */
function lacksMembersPermission(error: unknown): boolean {
  if (statusOf(error) !== 403) return false;
  const { message, response } = error as { message?: string; response?: { headers?: Record<string, string | undefined> } };
  return response?.headers?.["x-ratelimit-remaining"] !== "0" && !/rate limit/i.test(message ?? "");
}
