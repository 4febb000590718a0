// The `resync` job, run on a schedule: jobs only advance what the registry
// records, so whatever the registry says is unfinished is queued again. A lost
// job, a killed worker or a flushed Redis then costs time, never correctness.
// Today: requested reviews and publishes not yet done, versions waiting to be
// mirrored, unfinished deployments, and rollouts that have not ended (a tick each). Work still in the queue is not doubled: a job's id makes a second add a no-op.
import { enqueue, type JobKind } from "./job-kind.js";
import { mirrorJob } from "./mirror.js";
import { enqueueDeployment, enqueueTick } from "./lanes.js";

/** How many unfinished items of each sort one run re-enqueues; the next run takes the rest. */
const BATCH = 500;
/**
 * Finished work and processed deliveries are kept this long, then pruned. GitHub lets a
 * delivery be redelivered for a few days; a month of history is plenty for an operator.
 */
export const HISTORY_MS = 30 * 24 * 60 * 60 * 1000;

/** The resync job for these kinds of requested work (the catalogue's). */
export function resyncJobFor(kinds: ReadonlyArray<JobKind<never>>): JobKind<Record<string, never>> {
  const byName = new Map(kinds.map((k) => [k.name, k]));
  return {
    name: "resync",
    // Scheduled runs get their ids from the schedule; these apply to a resync added by hand.
    id: () => "resync",
    key: () => "resync",
    async run(_data, { adapters, log }) {
      let work = 0;
      for (const item of await adapters.registry.pendingWork(BATCH)) {
        const kind = byName.get(item.kind);
        if (!kind) {
          log.warn({ kind: item.kind, id: item.id }, `resync: no job kind "${item.kind}" in this version of Baryon; left pending`);
          continue;
        }
        if (await enqueue(adapters.queue, kind, item.data as never)) work++;
      }
      let mirrors = 0;
      if (adapters.mirror) {
        for (const { owner, version } of await adapters.registry.pendingMirrors(BATCH)) {
          const data = { owner: owner.login, ...(owner.installationId !== undefined ? { installationId: owner.installationId } : {}), template: version.template, major: version.major, minor: version.minor };
          if (await enqueue(adapters.queue, mirrorJob, data)) mirrors++;
        }
      }
      let deployments = 0;
      const turn = `resync-${Date.now()}`;
      for (const { owner, deployment } of await adapters.registry.unfinishedDeployments(BATCH)) {
        if (await enqueueDeployment(adapters.queue, owner, deployment, turn)) deployments++;
      }
      let rollouts = 0;
      for (const { owner, rollout } of await adapters.registry.unfinishedRollouts(BATCH)) {
        if (await enqueueTick(adapters.queue, owner, rollout, turn)) rollouts++;
      }
      const pruned = await adapters.registry.pruneHistory(new Date(Date.now() - HISTORY_MS));
      return `re-enqueued ${work} requested job(s), ${mirrors} mirror job(s), ${deployments} deployment(s) and ${rollouts} rollout(s)${pruned ? `; pruned ${pruned} old record(s)` : ""}`;
    },
  };
}
