// The `resync` job, run on a schedule: jobs only advance what the registry
// records, so whatever the registry says is unfinished is queued again. A lost
// job, a killed worker or a flushed Redis then costs time, never correctness.
// Today: versions waiting to be mirrored. Later: deployments and rollouts.
import { enqueue, type JobKind } from "./job-kind.js";
import { mirrorJob } from "./mirror.js";

/** How many unfinished items one run re-enqueues; the next run takes the rest. */
const BATCH = 500;

export const resyncJob: JobKind<Record<string, never>> = {
  name: "resync",
  id: () => "resync",
  key: () => "resync",
  attempts: 1,
  async run(_data, { adapters }) {
    let mirrors = 0;
    if (adapters.mirror) {
      for (const { owner, version } of await adapters.registry.pendingMirrors(BATCH)) {
        const data = { owner: owner.login, ...(owner.installationId !== undefined ? { installationId: owner.installationId } : {}), template: version.template, major: version.major, minor: version.minor };
        if (await enqueue(adapters.queue, mirrorJob, data)) mirrors++;
      }
    }
    return `re-enqueued ${mirrors} mirror job(s)`;
  },
};
