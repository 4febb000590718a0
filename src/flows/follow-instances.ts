// A service's pipeline renders every instance's inputs and outputs (`service_instances`),
// so a deployment that changes an instance asks the pipeline to deploy again, as it runs,
// when that changes what the pipeline renders (the rules: src/inventory/pipeline-follows.ts). Called by the deploy flow when a
// deployment succeeds, and before one such redeploy starts (movedOn).
import { FOLLOWS_INSTANCES, instanceChanged } from "../inventory/pipeline-follows.js";
import type { DeploymentRecord, DeploymentStore, ResourceRecord } from "../ports/deployment-store.js";

/**
 * What a succeeded deployment asks of its service's pipeline, which renders every
 * instance's inputs and outputs (`service_instances`, see pipeline-follows.ts).
 */
export async function followUp(
  store: DeploymentStore, finished: DeploymentRecord, resource: ResourceRecord, before: DeploymentRecord | undefined, digestNow: DigestNow,
): Promise<DeploymentRecord | undefined> {
  if (resource.kind === "service_instance") return instanceChanged(before, finished) ? pipelineAfterInstance(store, resource, digestNow) : undefined;
  if (resource.kind === "service_pipeline") return pipelineIfStale(store, finished, resource, digestNow);
  return undefined;
}

/** What a deployment of a resource would render now, with what it depends on as recorded now (undefined: it cannot render). */
export type DigestNow = (deployment: DeploymentRecord, resource: ResourceRecord) => Promise<string | undefined>;

/**
 * An instance changed: its pipeline deploys again, as it runs, if it renders differently
 * now (a pipeline that reads no input the instance changed has nothing new to deliver: no
 * empty pull request, no update without changes). Not when a deployment of it is yet to
 * start (that one renders the instance as it is now), under way (checked when it ends,
 * pipelineIfStale) or deleting it, nor when it never succeeded (the reconcile owns that).
 * A burst of instance changes renders the pipeline once: the first asks for a deployment,
 * and the others find it yet to start.
 */
async function pipelineAfterInstance(store: DeploymentStore, instance: ResourceRecord, digestNow: DigestNow): Promise<DeploymentRecord | undefined> {
  const pipeline = (await store.resources({ service: instance.service! })).find((r) => r.kind === "service_pipeline");
  if (!pipeline) return undefined;
  const [latest] = await store.deploymentsOf(pipeline.key, 1);
  if (!latest || latest.action === "delete" || latest.status === "pending" || latest.status === "in_progress") return undefined;
  const running = await store.lastSucceeded(pipeline.key);
  if (!running) return undefined;
  const digest = await digestNow(running, pipeline);
  if (digest === undefined || digest === running.renderedDigest) return undefined;
  return redeployPipeline(store, running, instance.key);
}

/**
 * A pipeline that just deployed, when one of its instances succeeded while it ran: rendered
 * again, and deployed again if that differs from what it deployed. Only then: the render of
 * a large service is not free, and one that is not deterministic (the `random` filter) must
 * not make every success ask for another.
 */
async function pipelineIfStale(store: DeploymentStore, finished: DeploymentRecord, pipeline: ResourceRecord, digestNow: DigestNow): Promise<DeploymentRecord | undefined> {
  const { startedAt } = finished;
  if (!startedAt) return undefined;
  const succeeded = await store.lastSucceededAll();
  const instances = (await store.resources({ service: pipeline.service! })).filter((r) => r.kind === "service_instance");
  if (!instances.some((i) => (succeeded.get(i.key)?.finishedAt ?? 0) > startedAt)) return undefined;
  const digest = await digestNow(finished, pipeline);
  if (digest === undefined || digest === finished.renderedDigest) return undefined;
  return redeployPipeline(store, finished, "while it deployed");
}

/**
 * A pipeline's redeploy for its instances asks for what ran then; once a deployment of it
 * asked for later has succeeded (a rollout, a rollback, new inputs), that one rendered the
 * instances as they are, and this one must not take the pipeline back.
 */
export async function movedOn(store: DeploymentStore, deployment: DeploymentRecord): Promise<string | undefined> {
  if (!deployment.requestedBy.reason.startsWith(FOLLOWS_INSTANCES)) return undefined;
  const running = await store.lastSucceeded(deployment.resource);
  if (!running || running.createdAt <= deployment.createdAt) return undefined;
  return `${deployment.resource} deployed again meanwhile (${running.id}, ${running.major}.${running.minor}), with its instances as they are`;
}

/** The pipeline deployed again exactly as `running` (its last success: version, inputs, provisioner), to render its instances anew. */
async function redeployPipeline(store: DeploymentStore, running: DeploymentRecord, why: string): Promise<DeploymentRecord | undefined> {
  const { deployment, created } = await store.requestDeployment(undefined, {
    resource: running.resource, action: "deploy", template: running.template, major: running.major, minor: running.minor,
    inputs: running.inputs, provisioner: running.provisioner, provisionerSettings: running.provisionerSettings,
    requestedBy: { actor: "baryon", reason: `${FOLLOWS_INSTANCES}: ${why}` },
  });
  return created ? deployment : undefined;
}
