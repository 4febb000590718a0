// The `rollout-report` job: show a rollout where its pull request's readers look.
// The living comment gets the progress table, edited in place; a halt gets one
// reply naming the failed resources and their errors. A tick queues it: always
// when the rollout changes status, starts a batch or starts to soak — after those
// nothing may tick for a long time, so the table must be right then — and
// otherwise once per REPORT_MS slot (the job id names the slot, and BullMQ keeps
// finished ids), so 1,000 deployments make a handful of edits, not 1,000; the
// comment is edited only when its text changed.
import { pullRequestReporter } from "../adapters/github/reporter.js";
import { COMMENT_MARKER } from "../flows/review-pull-request.js";
import type { TickOutcome } from "../flows/rollout.js";
import type { JobQueue } from "../ports/job-queue.js";
import type { Owner } from "../ports/registry.js";
import { haltReply, rolloutMarkdown, withRolloutSection } from "../present/rollout-progress.js";
import { enqueue, githubFor, type JobKind } from "./job-kind.js";

export const REPORT_MS = 10_000;

export interface RolloutReportJobData {
  installationId: number;
  owner: string;
  rollout: string;
  /** A status change, or a time slot: one report per slot. */
  slot: string;
}

export const rolloutReportJob: JobKind<RolloutReportJobData> = {
  name: "rollout-report",
  id: (d) => `rollout-report:${d.owner}/${d.rollout}@${d.slot}`,
  key: (d) => `rollout-report:${d.owner}/${d.rollout}`.toLowerCase(),
  attempts: 5,
  backoffMs: 5000,
  async run(data, context) {
    const owner: Owner = { login: data.owner, installationId: data.installationId };
    const store = context.adapters.registry.rollouts(owner);
    const rollout = await store.getRollout(data.rollout);
    const [repositoryOwner, repo] = rollout?.origin.repository.split("/") ?? [];
    if (!rollout || rollout.origin.pullRequest === undefined || !repositoryOwner || !repo) return "no pull request to report on";
    const view = { rollout, targets: await store.targets(rollout.id), now: new Date() };
    const octokit = await githubFor(context, data.installationId);
    const reporter = pullRequestReporter(octokit, { owner: repositoryOwner, repo, number: rollout.origin.pullRequest });
    const edited = await reporter.editComment(COMMENT_MARKER, (body) => withRolloutSection(body, rollout.id, rolloutMarkdown(view)));
    if (rollout.status === "halted" || rollout.status === "rolled_back") {
      // One reply per halt: a halt after a resume (failed resources on their next attempt) is another one.
      const attempt = Math.max(0, ...[...view.targets.values()].map((t) => t.attempt));
      const marker = `<!-- baryon:rollout-halt ${rollout.id} ${attempt} -->`;
      await reporter.ensureComment(marker, `${marker}\n${haltReply(view)}`);
    }
    return `${rollout.template} ${rollout.major}.${rollout.minor} ${rollout.status}: comment ${edited}`;
  },
};

/** After a tick: report now when the status or stage changed, else once in the current slot. */
export async function enqueueReport(queue: JobQueue, owner: Owner, outcome: TickOutcome): Promise<void> {
  if (owner.installationId === undefined || outcome.rollout.origin.pullRequest === undefined) return;
  const base = { installationId: owner.installationId, owner: owner.login, rollout: outcome.rollout.id };
  await enqueue(queue, rolloutReportJob, { ...base, slot: reportSlot(outcome) });
}

/** Which report a tick asks for: its own for a new status, batch or soak; else the time slot's. */
function reportSlot({ was, step, deployments }: TickOutcome): string {
  if (was !== step.status) return `${step.status}-${step.stage ?? ""}-${Date.now()}`;
  // The batch's first deployment, and the soak's end, are the same however often the tick runs.
  if (deployments[0]) return `batch-${deployments[0].id}`;
  if (step.wakeAt) return `until-${step.wakeAt.getTime()}`;
  return String(Math.floor(Date.now() / REPORT_MS));
}
