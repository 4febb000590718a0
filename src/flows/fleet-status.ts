// What is deployed where: each resource with the version that runs (its last
// successful deployment) and its latest deployment, whatever its outcome.
// `baryon status` reads the fleet through this (the web console pages through
// it with the store's statusPage instead).
import type { DeploymentStore, ResourceStatus } from "../ports/deployment-store.js";

/** Every resource, or the one whose key or name is `only` (an ambiguous name gives them all). */
export async function fleetStatus(store: DeploymentStore, only?: string): Promise<ResourceStatus[]> {
  const all = await store.resources();
  if (only === undefined) {
    // The whole fleet in three queries, not two per resource.
    const [latestOf, runningOf] = await Promise.all([store.latestAll(), store.lastSucceededAll()]);
    return all.map((resource) => {
      const latest = latestOf.get(resource.key);
      const running = runningOf.get(resource.key);
      return { resource, ...(running ? { running } : {}), ...(latest ? { latest } : {}) };
    });
  }
  const wanted = all.filter((r) => r.key === only || r.name === only);
  return Promise.all(wanted.map(async (resource) => {
    const [latest] = await store.deploymentsOf(resource.key, 1);
    const running = latest?.status === "succeeded" ? latest : await store.lastSucceeded(resource.key);
    return { resource, ...(running ? { running } : {}), ...(latest ? { latest } : {}) };
  }));
}
