// The job catalogue: every kind of background work Baryon does, in one list.
// Entry points submit these; workers run them; the resync schedule keeps them honest.
import { work, type JobContext, type JobKind } from "./job-kind.js";
import { deployJob } from "./deploy.js";
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
export const CATALOGUE: ReadonlyArray<JobKind<never>> = [...REQUESTED, ...[deployJob, rolloutTickJob, verifyJob, rolloutReportJob, githubDeploymentJob, resyncJob] as ReadonlyArray<JobKind<never>>];

/** Starts a worker for every kind and schedules the resync (one schedule, whatever the number of processes). */
export async function startWorkers(context: JobContext, options: { resyncEveryMs: number }): Promise<void> {
  for (const kind of CATALOGUE) work(kind, context);
  await context.adapters.queue.repeat(resyncJob.name, {}, { id: "resync", everyMs: options.resyncEveryMs });
}
