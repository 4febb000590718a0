// Drift on a schedule: `drift-sweep` runs every BARYON_DRIFT_HOURS (default 24)
// and queues one `drift` job per owner with resources; each checks that owner's
// resources against their last successful deployments (flows/detect-drift.ts)
// and keeps the answers, which `baryon status` and the console show.
import { detectDrift } from "../flows/detect-drift.js";
import { deployPorts } from "./deploy.js";
import { enqueue, type JobKind } from "./job-kind.js";

interface OwnerDrift {
  owner: string;
  installationId?: number;
  /** The sweep that asked: one check per owner and sweep, however often it is redelivered. */
  sweep: string;
}

export const driftJob: JobKind<OwnerDrift> = {
  name: "drift",
  id: (d) => `drift:${d.owner.toLowerCase()}@${d.sweep}`,
  key: (d) => `drift:${d.owner.toLowerCase()}`,
  // A check that failed is the next sweep's to do: it is not urgent, and it may wait on a cloud API.
  attempts: 1,
  async run(data, { adapters }) {
    const owner = { login: data.owner, ...(data.installationId !== undefined ? { installationId: data.installationId } : {}) };
    const outcomes = await detectDrift(deployPorts(adapters, owner));
    const count = (state: string) => outcomes.filter((o) => o.check?.state === state).length;
    return `${data.owner}: ${count("in_sync")} in sync, ${count("drifted")} drifted, ${count("unknown")} unknown, ${outcomes.filter((o) => !o.check).length} not checked`;
  },
};

export const driftSweepJob: JobKind<Record<string, never>> = {
  name: "drift-sweep",
  id: () => "drift-sweep",
  key: () => "drift-sweep",
  async run(_data, { adapters }) {
    const sweep = new Date().toISOString().slice(0, 19);
    const owners = await adapters.registry.ownersWithResources();
    for (const owner of owners) {
      await enqueue(adapters.queue, driftJob, { owner: owner.login, sweep, ...(owner.installationId !== undefined ? { installationId: owner.installationId } : {}) });
    }
    return `drift checks queued for ${owners.length} owner(s)`;
  },
};
