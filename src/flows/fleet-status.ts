// What is deployed where: each resource with the version that runs (its last
// successful deployment), its latest deployment, whatever its outcome, and its
// latest drift check.
// `baryon status` reads the fleet through this (the web console pages through
// it with the store's statusPage instead).
import type { DeploymentStore, ResourceStatus } from "../ports/deployment-store.js";

/** Every resource, or the one whose key or name is `only` (an ambiguous name gives them all). */
export async function fleetStatus(store: DeploymentStore, only?: string): Promise<ResourceStatus[]> {
  const all = await store.resources();
  if (only === undefined) {
    // The whole fleet in four queries, not two per resource.
    const [latestOf, runningOf, driftOf] = await Promise.all([store.latestAll(), store.lastSucceededAll(), store.driftAll()]);
    return all.map((resource) => {
      const latest = latestOf.get(resource.key);
      const running = runningOf.get(resource.key);
      const drift = driftOf.get(resource.key);
      return { resource, ...(running ? { running } : {}), ...(latest ? { latest } : {}), ...(drift ? { drift } : {}) };
    });
  }
  const wanted = all.filter((r) => r.key === only || r.name === only);
  const driftOf = wanted.length ? await store.driftAll() : new Map();
  return Promise.all(wanted.map(async (resource) => {
    const [latest] = await store.deploymentsOf(resource.key, 1);
    const running = latest?.status === "succeeded" ? latest : await store.lastSucceeded(resource.key);
    const drift = driftOf.get(resource.key);
    return { resource, ...(running ? { running } : {}), ...(latest ? { latest } : {}), ...(drift ? { drift } : {}) };
  }));
}
