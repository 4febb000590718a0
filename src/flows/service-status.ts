// What the Proton API's GetService and GetServiceInstance show: a service's
// resources (its instances, then its pipeline), each with the deployment that runs
// (its last success) and its latest, whatever its outcome, as `baryon status` has them.
import { instanceKey } from "../inventory/model.js";
import type { DeploymentRecord, DeploymentStore, ResourceRecord, ResourceStatus } from "../ports/deployment-store.js";

export interface ServiceResourceStatus extends ResourceStatus {
  /** The oldest of its recent deployments (the last 20): when it appeared, as near as the registry says cheaply. */
  earliest?: DeploymentRecord;
}

/** A service's instances and pipeline; empty when the owner has no such service. */
export async function serviceStatus(store: DeploymentStore, service: string): Promise<ServiceResourceStatus[]> {
  const resources = await store.resources({ service });
  const ordered = [...resources.filter((r) => r.kind === "service_instance"), ...resources.filter((r) => r.kind === "service_pipeline")];
  return Promise.all(ordered.map((r) => statusOf(store, r)));
}

/** One service instance; undefined when the owner has none of that name in that service. */
export async function serviceInstanceStatus(store: DeploymentStore, service: string, instance: string): Promise<ServiceResourceStatus | undefined> {
  const resource = await store.resource(instanceKey(service, instance));
  return resource?.kind === "service_instance" ? statusOf(store, resource) : undefined;
}

async function statusOf(store: DeploymentStore, resource: ResourceRecord): Promise<ServiceResourceStatus> {
  const recent = await store.deploymentsOf(resource.key);
  const [latest] = recent;
  const running = latest?.status === "succeeded" ? latest : await store.lastSucceeded(resource.key);
  const earliest = recent.at(-1);
  return { resource, ...(running ? { running } : {}), ...(latest ? { latest } : {}), ...(earliest ? { earliest } : {}) };
}
