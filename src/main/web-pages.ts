// The console's reading pages of one owner: the fleet, a template, rollouts, a
// deployment. `parts` is the path after /<owner> (["", "rollouts", "12"]).
import { fleetDashboard, templateOverview } from "../flows/fleet-dashboard.js";
import type { ArtifactStore } from "../ports/artifact-store.js";
import type { Owner, Registry } from "../ports/registry.js";
import { dashboardPage, templatePage } from "../present/web/dashboard.js";
import { deploymentPage, rolloutPage, rolloutsPage } from "../present/web/rollouts.js";

export interface PagesContext {
  registry: Registry;
  artifacts: ArtifactStore;
  owner: Owner;
}

/** The page, or undefined for none. */
export async function ownerRoute(parts: readonly string[], query: URLSearchParams, { registry, owner, artifacts }: PagesContext): Promise<string | undefined> {
  const login = owner.login;
  const ports = { versions: registry.versions(owner), deployments: registry.deployments(owner), rollouts: registry.rollouts(owner) };
  if (parts.length > 3) return undefined;
  const [, section, id] = parts;
  if (!section && id === undefined) {
    // An empty choice in the filter form is no filter.
    const filter = { template: query.get("template") || undefined, stage: query.get("stage") || undefined };
    const from = Number(query.get("from") ?? 0);
    const offset = Number.isSafeInteger(from) && from > 0 ? Math.min(from, 1e9) : 0;
    return dashboardPage(login, await fleetDashboard(ports, filter, offset), filter);
  }
  if (section === "templates" && id) {
    const template = await templateOverview(ports, id);
    return template && templatePage(login, template);
  }
  const { rollouts } = ports;
  if (section === "rollouts" && !id) return rolloutsPage(login, await rollouts.rollouts({ limit: 50 }));
  if (section === "rollouts" && id) {
    const rollout = await rollouts.getRollout(id);
    return rollout && rolloutPage(login, { rollout, targets: await rollouts.targets(id), now: new Date() });
  }
  if (section === "deployments" && id) {
    const deployment = await ports.deployments.getDeployment(id);
    const log = deployment?.log ? new TextDecoder().decode(await artifacts.get(deployment.log)) : undefined;
    return deployment && deploymentPage(login, deployment, log);
  }
  return undefined;
}
