// Reconcile: what the inventory asks for against what the registry records.
// Pure. Creates and redeploys happen at once; a delete waits for an explicit
// confirmation, because removing a resource from a file must never by itself
// destroy a production database.
import { isDeepStrictEqual } from "node:util";
import type { ResourceKind } from "../ports/provisioner.js";
import { templateRefText, versionText, type Resource, type TemplateRef } from "./model.js";

/** A resource as the registry records it: what was last asked of it, and what runs. */
export interface RecordedResource {
  key: string;
  kind: ResourceKind;
  template: TemplateRef;
  inputs: Record<string, unknown>;
  provisioner: string;
  /** The service of an instance or a pipeline. */
  service?: string;
  /** The version of its last successful deployment; undefined before one succeeded. */
  deployed?: { major: number; minor: number };
}

export type PlannedAction =
  | { action: "create"; resource: Resource; version: { major: number; minor: number } }
  | { action: "redeploy"; resource: Resource; version: { major: number; minor: number }; reasons: string[] }
  | { action: "delete"; recorded: RecordedResource; confirmed: boolean };

export interface ReconcilePlan {
  actions: PlannedAction[];
  unchanged: string[];
}

/**
 * The plan for an inventory. A redeploy keeps the version that runs unless the
 * file changed its template reference (a new major, a pin): moving a resource
 * to a newer minor is a rollout's job, not a spec edit's. A pipeline renders its
 * service's instances (`service_instances`), so one added, or one whose delete is
 * confirmed, redeploys it. `confirmedDeletes` holds the keys a person confirmed for deletion.
 */
export function planReconcile(
  resources: readonly Resource[],
  recorded: readonly RecordedResource[],
  confirmedDeletes: ReadonlySet<string> = new Set(),
): ReconcilePlan {
  const byKey = new Map(recorded.map((r) => [r.key, r]));
  const instancesChange = serviceInstancesChange(resources, recorded, confirmedDeletes);
  const actions: PlannedAction[] = [];
  const unchanged: string[] = [];
  for (const resource of resources) {
    const before = byKey.get(resource.key);
    const target = { major: resource.version.major, minor: resource.version.minor };
    if (!before) {
      actions.push({ action: "create", resource, version: target });
      continue;
    }
    const reasons: string[] = [];
    const refChanged = !isDeepStrictEqual(before.template, resource.template);
    if (refChanged) reasons.push(`template ${templateRefText(before.template)} → ${templateRefText(resource.template)}`);
    if (!isDeepStrictEqual(before.inputs, resource.inputs)) reasons.push("spec changed");
    if (before.provisioner !== resource.provisioner) reasons.push(`provisioner ${before.provisioner} → ${resource.provisioner}`);
    if (!before.deployed) reasons.push("never deployed successfully");
    if (resource.kind === "service_pipeline") {
      const change = instancesChange(resource.service);
      if (change) reasons.push(`instances changed: ${change}`);
    }
    if (reasons.length === 0) {
      unchanged.push(resource.key);
      continue;
    }
    const version = refChanged || !before.deployed ? target : before.deployed;
    actions.push({ action: "redeploy", resource, version, reasons });
  }
  const wanted = new Set(resources.map((r) => r.key));
  for (const r of recorded) {
    if (!wanted.has(r.key)) actions.push({ action: "delete", recorded: r, confirmed: confirmedDeletes.has(r.key) });
  }
  return { actions, unchanged };
}

/**
 * For a service, how its instances change under the plan ("+shop/qa, -shop/old"), or
 * undefined: added ones, and recorded ones gone from the inventory once their delete is
 * confirmed (until then they stay).
 */
function serviceInstancesChange(resources: readonly Resource[], recorded: readonly RecordedResource[], confirmedDeletes: ReadonlySet<string>) {
  const wanted = new Set(resources.map((r) => r.key));
  return (service: string): string | undefined => {
    const before = new Set(recorded.filter((r) => r.kind === "service_instance" && r.service === service).map((r) => r.key));
    const added = resources.filter((r) => r.kind === "service_instance" && r.service === service && !before.has(r.key)).map((r) => `+${r.key}`);
    const removed = [...before].filter((key) => !wanted.has(key) && confirmedDeletes.has(key)).map((key) => `-${key}`);
    return added.length + removed.length > 0 ? [...added, ...removed].join(", ") : undefined;
  };
}

/** One line per action, as the review comment and `baryon apply` print them. */
export function describeAction(a: PlannedAction): string {
  switch (a.action) {
    case "create": return `create ${a.resource.key} at ${a.resource.template.name} ${versionText(a.version)}`;
    case "redeploy": return `redeploy ${a.resource.key} at ${a.resource.template.name} ${versionText(a.version)} (${a.reasons.join("; ")})`;
    case "delete": return a.confirmed
      ? `delete ${a.recorded.key}`
      : `delete ${a.recorded.key}: waits for confirmation (\`/baryon confirm-delete ${a.recorded.key}\` on the pull request, or \`baryon apply --confirm-delete ${a.recorded.key}\`)`;
  }
}
