// The web console's fleet dashboard: each template with its versions and how
// many resources run each version, by stage, and every resource's status. Read
// through one owner's stores, so no other owner's template or resource appears.
import { versionText } from "../inventory/model.js";
import type { DeploymentStore } from "../ports/deployment-store.js";
import type { VersionRecord, VersionStore } from "../ports/registry.js";
import { fleetStatus, type ResourceStatus } from "./fleet-status.js";

/** Resources of a template that run one version, counted by stage. */
export interface RunningVersion {
  /** "1.2"; "none" for resources no deployment has succeeded on yet. */
  version: string;
  /** Resources by stage ("" for a pipeline, which has none). */
  stages: Record<string, number>;
  total: number;
}

export interface TemplateOverview {
  name: string;
  /** Newest first. */
  versions: VersionRecord[];
  /** The highest published version, "1.2". */
  recommended?: string;
  /** Versions in use, newest first, "none" last. */
  running: RunningVersion[];
}

export interface FleetDashboard {
  templates: TemplateOverview[];
  /** Sorted by key. */
  resources: ResourceStatus[];
}

export interface DashboardPorts {
  versions: VersionStore;
  deployments: DeploymentStore;
}

export async function fleetDashboard(ports: DashboardPorts): Promise<FleetDashboard> {
  const [names, statuses] = await Promise.all([ports.versions.templates(), fleetStatus(ports.deployments)]);
  // A resource of a template this owner never published still shows, under its name.
  const all = [...new Set([...names, ...statuses.map((s) => s.resource.template.name)])].sort();
  const templates = await Promise.all(all.map(async (name): Promise<TemplateOverview> => {
    const [versions, recommended] = await Promise.all([ports.versions.listVersions(name), ports.versions.recommendedVersion(name)]);
    return {
      name,
      versions: versions.reverse(),
      ...(recommended ? { recommended: versionText(recommended) } : {}),
      running: runningVersions(statuses.filter((s) => s.resource.template.name === name)),
    };
  }));
  return { templates, resources: [...statuses].sort((a, b) => a.resource.key.localeCompare(b.resource.key)) };
}

function runningVersions(statuses: readonly ResourceStatus[]): RunningVersion[] {
  const byVersion = new Map<string, RunningVersion>();
  for (const { resource, running } of statuses) {
    const version = running ? versionText(running) : "none";
    const entry = byVersion.get(version) ?? { version, stages: {}, total: 0 };
    const stage = resource.stage ?? "";
    entry.stages[stage] = (entry.stages[stage] ?? 0) + 1;
    entry.total++;
    byVersion.set(version, entry);
  }
  const order = (v: string) => (v === "none" ? [-1, -1] : v.split(".").map(Number));
  return [...byVersion.values()].sort((a, b) => {
    const [am, an] = order(a.version);
    const [bm, bn] = order(b.version);
    return bm! - am! || bn! - an!;
  });
}
