// The `deploy` job: advance one recorded deployment by one step (deploy-resource.ts).
// Deployments of one resource share a serialization key, so they never run at
// once in any process. A deployment still running outside Baryon is asked again
// later by a delayed job, never by a sleeping worker; one waiting for another
// resource is queued again when that one finishes (and by the resync).
import { sha256Hex } from "../bundle/archive/archive.js";
import { deployResource, type DeployPorts } from "../flows/deploy-resource.js";
import { bundleLoader } from "../flows/stored-bundle.js";
import type { Adapters } from "../compose/adapters.js";
import type { DeploymentRecord } from "../ports/deployment-store.js";
import type { JobQueue } from "../ports/job-queue.js";
import type { Owner } from "../ports/registry.js";
import { enqueue, type JobKind } from "./job-kind.js";

export interface DeployJobData {
  owner: string;
  installationId?: number;
  deployment: string;
  resource: string;
  /** Tells a later turn of the same deployment (a poll, a resync) from the first: each turn is its own job. */
  turn?: string;
}

/** How long before asking again about a deployment that runs on outside Baryon. */
export const POLL_MS = 30_000;

export const deployJob: JobKind<DeployJobData> = {
  name: "deploy",
  id: (d) => `deploy:${d.owner}/${d.deployment}${d.turn ? `@${d.turn}` : ""}`,
  key: (d) => `resource:${d.owner}/${d.resource}`,
  // A provisioner that could not be reached (throttled past its retries, a network error) throws: retried.
  attempts: 5,
  backoffMs: 5000,
  async run(data, { adapters }) {
    const owner: Owner = { login: data.owner, ...(data.installationId !== undefined ? { installationId: data.installationId } : {}) };
    const outcome = await deployResource(deployPorts(adapters, owner), data.deployment);
    switch (outcome.state) {
      case "finished":
        // A new turn: the waiting deployment's first job has run (and waited) already.
        for (const next of outcome.next) await enqueueDeployment(adapters.queue, owner, next, `after-${data.deployment}`);
        return `${data.resource}: ${outcome.deployment.status}${outcome.deployment.reason ? ` (${outcome.deployment.reason})` : ""}`;
      case "running":
        await enqueue(adapters.queue, deployJob, { ...data, turn: `poll-${Date.now()}` }, { delayMs: POLL_MS });
        return `${data.resource}: still running, asking again in ${POLL_MS / 1000}s`;
      case "waiting":
        return `${data.resource}: waits for ${outcome.on}`;
      case "nothing to do":
        return `${data.resource}: ${outcome.why}`;
    }
  },
};

export function enqueueDeployment(queue: JobQueue, owner: Owner, deployment: DeploymentRecord, turn?: string): Promise<boolean> {
  return enqueue(queue, deployJob, {
    owner: owner.login, ...(owner.installationId !== undefined ? { installationId: owner.installationId } : {}),
    deployment: deployment.id, resource: deployment.resource, ...(turn ? { turn } : {}),
  });
}

/** What the deploy flow uses, for one owner, from the process's adapters. */
export function deployPorts(adapters: Adapters, owner: Owner): DeployPorts {
  return {
    store: adapters.registry.deployments(owner),
    versions: adapters.registry.versions(owner),
    bundleOf: bundleLoader(adapters.artifacts),
    renderer: adapters.renderer,
    provisioner: adapters.provisioner,
    saveLog: async (_id, text) => {
      // Logs are content-addressed like bundles: the same log twice is stored once.
      const bytes = new TextEncoder().encode(text);
      return (await adapters.artifacts.put(sha256Hex(bytes), bytes)).location;
    },
  };
}
