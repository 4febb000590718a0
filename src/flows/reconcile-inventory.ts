// Reconcile the inventory with the registry: check the spec files against the
// versions the owner published, plan, and record one deployment per create,
// redeploy and confirmed delete (the deploy jobs carry them out). Running it
// twice on the same inventory records nothing the second time.
import { errorAt, hasErrors, type Diagnostic } from "../bundle/diagnostics.js";
import type { Bundle } from "../bundle/model.js";
import { parseSpec } from "../bundle/parse/spec.js";
import { catalogOf, type CatalogEntry } from "../inventory/catalog.js";
import type { RepoConfig } from "../config/repo-config.js";
import { checkInventory, type InventoryFile } from "../inventory/check-inventory.js";
import type { Resource, TemplateCatalog, TemplateRef } from "../inventory/model.js";
import { fileInputs, keepOutsideInputs } from "../inventory/outside-inputs.js";
import { planReconcile, type PlannedAction, type ReconcilePlan, type RecordedResource } from "../inventory/plan.js";
import type { DeploymentRecord, DeploymentStore, RequestedBy, ResourceRecord } from "../ports/deployment-store.js";
import type { VersionRecord, VersionStore } from "../ports/registry.js";

export interface ReconcilePorts {
  versions: VersionStore;
  /** A stored version's bundle (the artifact store, read back). */
  bundleOf(version: VersionRecord): Promise<Bundle>;
  store: DeploymentStore;
}

export interface ReconcileInput {
  /** The repository ("owner/name") whose config names these files: only its resources are planned against them. */
  source: string;
  files: readonly InventoryFile[];
  /** From .github/baryon.yml: the provisioners by name, and the rollout stages (any stage label without `rollout:`). */
  config: Pick<RepoConfig, "provisioners" | "rollout">;
  requestedBy: RequestedBy;
  /** Resource keys a person confirmed for deletion. */
  confirmedDeletes?: ReadonlySet<string>;
  /** Plan only: record nothing (a pull request's review, `baryon apply --dry-run`). */
  dryRun?: boolean;
}

export interface ReconcileOutcome {
  diagnostics: Diagnostic[];
  /** Undefined when the inventory has errors: nothing is planned or deployed then. */
  plan?: ReconcilePlan;
  /** Deployments this run recorded (already recorded ones are not repeated). */
  deployments: DeploymentRecord[];
}

export async function reconcileInventory(ports: ReconcilePorts, input: ReconcileInput): Promise<ReconcileOutcome> {
  const catalog = await loadCatalog(referencedTemplates(input.files), ports);
  const settings = { provisioners: Object.keys(input.config.provisioners), stages: input.config.rollout?.stages.map((s) => s.name) };
  const { inventory, diagnostics } = checkInventory(input.files, catalog, settings);
  if (hasErrors(diagnostics)) return { diagnostics, deployments: [] };
  // Another repository's inventory is not this one's to remove; a key it already declares is not this one's to take.
  const all = await ports.store.resources();
  const records = all.filter((r) => r.source === input.source);
  const taken = new Map(all.filter((r) => r.source !== input.source).map((r) => [r.key, r]));
  const claimed = inventory.resources.filter((r) => taken.has(r.key)).map((r) => errorAt(r.declared.file, "inventory-duplicate",
    `${r.key} is already declared by the inventory of ${taken.get(r.key)!.source} (${taken.get(r.key)!.declared.file}); remove it there first`, { line: r.declared.line }));
  if (claimed.length) return { diagnostics: [...diagnostics, ...claimed], deployments: [] };
  const succeeded = await ports.store.lastSucceededAll();
  const recorded = records.map((r) => recordedState(r, succeeded.get(r.key)));
  const plan = planReconcile(inventory.resources, recorded, input.confirmedDeletes);
  if (input.dryRun) return { diagnostics, plan, deployments: [] };
  const deployments: DeploymentRecord[] = [];
  const byKey = new Map(records.map((r) => [r.key, r]));
  // Deletes first: a pipeline redeployed for an instance's removal must find that instance on its way out.
  const deletesFirst = [...plan.actions.filter((a) => a.action === "delete"), ...plan.actions.filter((a) => a.action !== "delete")];
  for (const action of deletesFirst) {
    const requested = await requestFor(action, byKey, ports.store, input);
    if (requested?.created) deployments.push(requested.deployment);
  }
  return { diagnostics, plan, deployments };
}

async function requestFor(action: PlannedAction, byKey: ReadonlyMap<string, ResourceRecord>, store: DeploymentStore, input: ReconcileInput) {
  const { requestedBy, config } = input;
  if (action.action === "delete") {
    const record = byKey.get(action.recorded.key);
    if (!action.confirmed || !record) return undefined;
    // Removed from the inventory, its provisioner may be gone from the config too: the last deployment's settings remove it.
    const [latest] = await store.deploymentsOf(record.key, 1);
    const deployed = (await store.lastSucceeded(record.key)) ?? latest;
    const settings = config.provisioners[record.provisioner] ?? deployed?.provisionerSettings;
    if (!deployed || !settings) return undefined;
    return store.requestDeployment(undefined, {
      resource: record.key, action: "delete", template: record.template.name, major: deployed.major, minor: deployed.minor,
      inputs: record.inputs, provisioner: record.provisioner, provisionerSettings: settings, requestedBy,
    });
  }
  // Inputs the Proton API gave stay while the file's spec is what it was then (outside-inputs.ts).
  const record = keepOutsideInputs(resourceRecord(action.resource, input.source), byKey.get(action.resource.key));
  return store.requestDeployment(record, {
    resource: record.key, action: "deploy", template: record.template.name, major: action.version.major, minor: action.version.minor,
    inputs: record.inputs, provisioner: record.provisioner, provisionerSettings: config.provisioners[record.provisioner]!, requestedBy,
  });
}

/** What the registry says of a resource, in the terms the plan compares (the file's inputs, not the Proton API's). */
function recordedState(record: ResourceRecord, deployed: DeploymentRecord | undefined): RecordedResource {
  return {
    key: record.key, kind: record.kind, template: record.template, inputs: fileInputs(record), provisioner: record.provisioner,
    ...(record.service ? { service: record.service } : {}),
    ...(deployed ? { deployed: { major: deployed.major, minor: deployed.minor } } : {}),
  };
}

export function resourceRecord(resource: Resource, source: string): ResourceRecord {
  const record: ResourceRecord = {
    key: resource.key, kind: resource.kind, name: resource.name, template: resource.template,
    inputs: resource.inputs, provisioner: resource.provisioner, source, declared: resource.declared,
  };
  if (resource.kind !== "environment") record.service = resource.service;
  if (resource.kind === "service_instance") record.environment = resource.environment;
  if (resource.kind !== "service_pipeline") record.stage = resource.stage;
  if (resource.stack) record.stack = resource.stack;
  return record;
}

/** The template references the files make, read leniently: checkInventory reports the mistakes. */
function referencedTemplates(files: readonly InventoryFile[]): TemplateRef[] {
  return files.flatMap(({ file, text }) => {
    const template = parseSpec(file, text).spec?.template;
    return template ? [template] : [];
  });
}

/**
 * The catalog the references need: for each template named, the recommended
 * version of every major, and each pinned minor. Only those bundles are read.
 */
export async function loadCatalog(refs: readonly TemplateRef[], ports: Pick<ReconcilePorts, "versions" | "bundleOf">): Promise<TemplateCatalog> {
  const entries: CatalogEntry[] = [];
  for (const name of new Set(refs.map((r) => r.name))) {
    const all = await ports.versions.listVersions(name);
    const wanted = new Set<VersionRecord>();
    for (const major of new Set(all.map((v) => v.major))) {
      const recommended = all.filter((v) => v.major === major && v.status === "published").at(-1);
      if (recommended) wanted.add(recommended);
    }
    for (const pin of refs.filter((r) => r.name === name && r.minor !== undefined)) {
      const pinned = all.find((v) => v.major === pin.major && v.minor === pin.minor);
      if (pinned) wanted.add(pinned);
    }
    for (const v of wanted) {
      entries.push({ template: name, major: v.major, minor: v.minor, status: v.status, bundle: await ports.bundleOf(v) });
    }
  }
  return catalogOf(entries);
}
