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
import type { Owner } from "../ports/registry.js";
import { enqueueGitHubDeployment } from "./github-deployment.js";
import { enqueue, type JobKind } from "./job-kind.js";
import { DEPLOY_LANE, enqueueDeployment, enqueueTickAfter, ownerOf, type DeployJobData } from "./lanes.js";

/** How long before asking again about a deployment that runs on outside Baryon. */
export const POLL_MS = 30_000;

export const deployJob: JobKind<DeployJobData> = {
  ...DEPLOY_LANE,
  async run(data, { adapters }) {
    const owner = ownerOf(data);
    const outcome = await deployResource(deployPorts(adapters, owner), data.deployment);
    switch (outcome.state) {
      case "finished":
        // A new turn: the waiting deployment's first job has run (and waited) already.
        for (const next of outcome.next) await enqueueDeployment(adapters.queue, owner, next, `after-${data.deployment}`);
        if (outcome.deployment.rollout) await tickRollout(adapters, owner, outcome.deployment);
        await enqueueGitHubDeployment(adapters.queue, owner, outcome.deployment);
        return `${data.resource}: ${outcome.deployment.status}${outcome.deployment.reason ? ` (${outcome.deployment.reason})` : ""}`;
      case "running":
        await enqueueGitHubDeployment(adapters.queue, owner, { id: data.deployment, resource: data.resource, status: "in_progress" });
        await enqueue(adapters.queue, deployJob, { ...data, turn: `poll-${Date.now()}` }, { delayMs: POLL_MS });
        return `${data.resource}: still running, asking again in ${POLL_MS / 1000}s`;
      case "elsewhere":
        // If that worker dies, nothing else would look before the resync: this job does, once its beat could be stale.
        await enqueue(adapters.queue, deployJob, { ...data, turn: `check-${Date.now()}` }, { delayMs: outcome.afterMs });
        return `${data.resource}: runs in another worker; looking again in ${outcome.afterMs / 1000}s`;
      case "waiting":
        return `${data.resource}: waits for ${outcome.on}`;
      case "nothing to do":
        return `${data.resource}: ${outcome.why}`;
    }
  },
};

/**
 * A rollout moves on when its batch is over (none of its deployments left unfinished: the last
 * to finish sees that) or when a deployment failed, at once. Not after every success: each
 * tick reads all the rollout's targets, and a batch of 800 would make hundreds of ticks.
 */
async function tickRollout(adapters: Adapters, owner: Owner, deployment: DeploymentRecord): Promise<void> {
  const rollout = deployment.rollout!.id;
  if (deployment.status === "succeeded" && (await adapters.registry.rollouts(owner).inFlight(rollout))) return;
  await enqueueTickAfter(adapters.queue, owner, rollout);
}

/** What the deploy flow uses, for one owner, from the process's adapters. */
export function deployPorts(adapters: Adapters, owner: Owner): DeployPorts {
  return {
    store: adapters.registry.deployments(owner),
    versions: adapters.registry.versions(owner),
    bundleOf: bundleLoader(adapters.artifacts),
    renderer: adapters.renderer,
    provisioner: adapters.provisioner,
    ...(adapters.liveness ? { liveness: adapters.liveness } : {}),
    saveLog: async (_id, text) => {
      // Logs are content-addressed like bundles: the same log twice is stored once.
      const bytes = new TextEncoder().encode(text);
      return (await adapters.artifacts.put(sha256Hex(bytes), bytes)).location;
    },
  };
}
