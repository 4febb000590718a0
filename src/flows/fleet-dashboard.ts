// The web console's fleet dashboard: each template with its versions and how
// many resources run each version, by stage, and every resource's status. Read
// through one owner's stores, so no other owner's template or resource appears.
import { versionText } from "../inventory/model.js";
import type { DeploymentStore, ResourceStatus, VersionCount } from "../ports/deployment-store.js";
import type { VersionRecord, VersionStore } from "../ports/registry.js";
import type { RolloutStore } from "../ports/rollout-store.js";

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
  /** Its newest rollout. */
  rollout?: { id: string; version: string; status: string };
  /** Newest first. */
  versions: VersionRecord[];
  /** The highest published version, "1.2". */
  recommended?: string;
  /** Versions in use, newest first, "none" last. */
  running: RunningVersion[];
}

export interface FleetDashboard {
  /** The templates the filter leaves. */
  templates: TemplateOverview[];
  /** One page of the resources the filter leaves, sorted by key. */
  resources: ResourceStatus[];
  /** Where the page starts, its size, and how many resources the filter leaves in all. */
  page: { offset: number; limit: number; total: number };
  /** What the filter may choose from: every template and stage of the owner. */
  choices: { templates: string[]; stages: string[] };
}

/** Only one template, only one stage (its resources and the versions they run). */
export interface DashboardFilter {
  template?: string | undefined;
  stage?: string | undefined;
}

export interface DashboardPorts {
  versions: VersionStore;
  deployments: DeploymentStore;
  rollouts: RolloutStore;
}

/** Resources on one page of the dashboard. */
export const RESOURCES_PER_PAGE = 100;

/**
 * Counted in the registry and read a page at a time: a fleet of 10,000 costs a
 * few queries, not two per resource.
 */
export async function fleetDashboard(ports: DashboardPorts, filter: DashboardFilter = {}, offset = 0): Promise<FleetDashboard> {
  const [names, counts, page] = await Promise.all([
    ports.versions.templates(),
    ports.deployments.versionCounts(),
    ports.deployments.statusPage({ ...filter, offset, limit: RESOURCES_PER_PAGE }),
  ]);
  // A resource of a template this owner never published still shows, under its name.
  const every = [...new Set([...names, ...counts.map((c) => c.template)])].sort();
  const shown = every.filter((name) => !filter.template || name === filter.template);
  const kept = counts.filter((c) => !filter.stage || c.stage === filter.stage);
  return {
    templates: await Promise.all(shown.map((name) => overview(ports, name, kept.filter((c) => c.template === name)))),
    resources: page.statuses,
    page: { offset, limit: RESOURCES_PER_PAGE, total: page.total },
    choices: { templates: every, stages: [...new Set(counts.flatMap((c) => (c.stage ? [c.stage] : [])))].sort() },
  };
}

/** One template's page: its versions, its newest rollout, the versions its resources run; undefined for a template the owner does not have. */
export async function templateOverview(ports: DashboardPorts, name: string): Promise<TemplateOverview | undefined> {
  const counts = (await ports.deployments.versionCounts({ template: name }));
  const template = await overview(ports, name, counts);
  return template.versions.length || counts.length ? template : undefined;
}

async function overview(ports: DashboardPorts, name: string, counts: readonly VersionCount[]): Promise<TemplateOverview> {
  const [versions, recommended, [rollout]] = await Promise.all([
    ports.versions.listVersions(name), ports.versions.recommendedVersion(name), ports.rollouts.rollouts({ template: name, limit: 1 }),
  ]);
  return {
    name,
    versions: versions.reverse(),
    ...(recommended ? { recommended: versionText(recommended) } : {}),
    ...(rollout ? { rollout: { id: rollout.id, version: versionText(rollout), status: rollout.status } } : {}),
    running: runningVersions(counts),
  };
}

/** Counts by version, newest first, "none" last (the registry sorts them so). */
function runningVersions(counts: readonly VersionCount[]): RunningVersion[] {
  const byVersion = new Map<string, RunningVersion>();
  for (const { version: v, stage, count } of counts) {
    const version = v ? versionText(v) : "none";
    const entry = byVersion.get(version) ?? { version, stages: {}, total: 0 };
    entry.stages[stage ?? ""] = (entry.stages[stage ?? ""] ?? 0) + count;
    entry.total += count;
    byVersion.set(version, entry);
  }
  return [...byVersion.values()];
}
