// Drift on a schedule: `drift-sweep` runs every BARYON_DRIFT_HOURS (default 24)
// and queues one `drift` job per owner with resources; each checks that owner's
// resources against their last successful deployments (flows/detect-drift.ts)
// and keeps the answers, which `baryon status` and the console show; then each
// repository that asks for it gets its drift issue brought up to date.
import { syncDriftIssue } from "../adapters/github/drift-issue.js";
import { readConfig } from "../adapters/github/repository-source.js";
import { detectDrift } from "../flows/detect-drift.js";
import { fleetStatus } from "../flows/fleet-status.js";
import { driftIssue } from "../present/drift-issue.js";
import { deployPorts } from "./deploy.js";
import { enqueue, githubFor, type JobKind } from "./job-kind.js";

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
  async run(data, context) {
    const { adapters } = context;
    const owner = { login: data.owner, ...(data.installationId !== undefined ? { installationId: data.installationId } : {}) };
    const outcomes = await detectDrift(deployPorts(adapters, owner));
    // Each repository that reconciles resources may keep an issue of its drift (its config says).
    if (context.probot && data.installationId !== undefined) {
      const sources = new Set((await adapters.registry.deployments(owner).resources()).map((r) => r.source));
      for (const repository of sources) await enqueue(adapters.queue, driftIssueJob, { owner: data.owner, installationId: data.installationId, repository, sweep: data.sweep });
    }
    const count = (state: string) => outcomes.filter((o) => o.check?.state === state).length;
    return `${data.owner}: ${count("in_sync")} in sync, ${count("drifted")} drifted, ${count("unknown")} unknown, ${outcomes.filter((o) => !o.check).length} not checked`;
  },
};

interface RepositoryDrift {
  owner: string;
  installationId: number;
  /** "owner/name": the repository whose config reconciles the resources. */
  repository: string;
  sweep: string;
}

/** The drift issue of one repository, when its `.github/baryon.yml` asks for one (`drift: { issue: true }`). */
export const driftIssueJob: JobKind<RepositoryDrift> = {
  name: "drift-issue",
  id: (d) => `drift-issue:${d.repository.toLowerCase()}@${d.sweep}`,
  key: (d) => `drift-issue:${d.repository.toLowerCase()}`,
  async run(data, context) {
    const [owner = "", repo = ""] = data.repository.split("/");
    const octokit = await githubFor(context, data.installationId);
    const config = await readConfig(octokit, owner, repo);
    if (!config.ok || !config.config.driftIssue) return `${data.repository}: no drift issue asked for`;
    const statuses = (await fleetStatus(context.adapters.registry.deployments({ login: data.owner, installationId: data.installationId })))
      .filter((s) => s.resource.source === data.repository);
    const outcome = await syncDriftIssue(octokit, { owner, repo }, driftIssue(data.repository, statuses));
    return `${data.repository}: drift issue ${outcome}`;
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
