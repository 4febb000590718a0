// What is deployed where: each resource with the version that runs (its last
// successful deployment) and its latest deployment, whatever its outcome.
// `baryon status` and, later, the web console read the fleet through this.
import type { DeploymentRecord, DeploymentStore, ResourceRecord } from "../ports/deployment-store.js";

export interface ResourceStatus {
  resource: ResourceRecord;
  /** The version of its last successful deployment; undefined before one succeeded. */
  running?: DeploymentRecord;
  latest?: DeploymentRecord;
}

/** Every resource, or the one whose key or name is `only` (an ambiguous name gives them all). */
export async function fleetStatus(store: DeploymentStore, only?: string): Promise<ResourceStatus[]> {
  const all = await store.resources();
  const wanted = only === undefined ? all : all.filter((r) => r.key === only || r.name === only);
  return Promise.all(wanted.map(async (resource) => {
    const [latest] = await store.deploymentsOf(resource.key, 1);
    const running = latest?.status === "succeeded" ? latest : await store.lastSucceeded(resource.key);
    return { resource, ...(running ? { running } : {}), ...(latest ? { latest } : {}) };
  }));
}
