// The job catalogue: every kind of background work Baryon does, in one list.
// Entry points submit these; workers run them; the resync schedule keeps them honest.
import { work, type JobContext, type JobKind } from "./job-kind.js";
import { deployJob } from "./deploy.js";
import { driftIssueJob, driftJob, driftSweepJob } from "./drift.js";
import { githubDeploymentJob } from "./github-deployment.js";
import { mirrorJob } from "./mirror.js";
import { publishJob } from "./publish.js";
import { reconcileJob } from "./reconcile.js";
import { resyncJobFor } from "./resync.js";
import { reviewJob } from "./review.js";
import { rolloutTickJob, verifyJob } from "./rollout.js";
import { rolloutCommandJob } from "./rollout-command.js";
import { rolloutReportJob } from "./rollout-report.js";
import { upgradeMajorJob } from "./upgrade.js";

const REQUESTED = [reviewJob, publishJob, reconcileJob, mirrorJob, rolloutCommandJob, upgradeMajorJob] as ReadonlyArray<JobKind<never>>;
export const resyncJob = resyncJobFor(REQUESTED);
export const CATALOGUE: ReadonlyArray<JobKind<never>> = [...REQUESTED, ...[deployJob, rolloutTickJob, verifyJob, rolloutReportJob, githubDeploymentJob, resyncJob, driftSweepJob, driftJob, driftIssueJob] as ReadonlyArray<JobKind<never>>];

/**
 * Starts a worker for every kind and schedules the resync and the drift sweep (one schedule each,
 * whatever the number of processes); `driftEveryMs` 0 or absent schedules no sweep.
 */
export async function startWorkers(context: JobContext, options: { resyncEveryMs: number; driftEveryMs?: number }): Promise<void> {
  for (const kind of CATALOGUE) work(kind, context);
  await context.adapters.queue.repeat(resyncJob.name, {}, { id: "resync", everyMs: options.resyncEveryMs });
  if (options.driftEveryMs) await context.adapters.queue.repeat(driftSweepJob.name, {}, { id: "drift-sweep", everyMs: options.driftEveryMs });
}
