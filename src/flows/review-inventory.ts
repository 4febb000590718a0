// Review a change to the inventory (a pull request's spec files):
//   1. list the inventory files of base and head; a change that touches none has no inventory review;
//   2. check head's files and plan against the registry, recording nothing (reconcile, dry run);
//   3. render each resource the plan creates or redeploys at its target version,
//      and what is deployed now (the last successful deployment's version and
//      inputs, with the outputs recorded since), and diff them per resource,
//      identical diffs grouped: a create is new from its first line.
import pMap, { pMapIterable, pMapSkip } from "p-map";
import { errorAt, sortDiagnostics, warningAt, type Diagnostic } from "../bundle/diagnostics.js";
import { textOf, type Snapshot } from "../bundle/files.js";
import { DiffStream, type RenderedDiff, type ResourceRender } from "../bundle/diff/diff.js";
import type { Outputs } from "../bundle/render/context.js";
import { findInstanceOutputReferences, previewInstanceOutputs } from "../bundle/render/deployed-outputs.js";
import { placeholderOutputs } from "../bundle/render/render-bundle.js";
import type { Bundle } from "../bundle/model.js";
import type { RepoConfig } from "../config/repo-config.js";
import { inventoryFiles } from "../inventory/inventory-files.js";
import { describeAction, type PlannedAction } from "../inventory/plan.js";
import { renderResource } from "../inventory/render-resource.js";
import type { ResourceRecord } from "../ports/deployment-store.js";
import type { Renderer } from "../ports/renderer.js";
import type { InventoryReview, PlanLine } from "../present/inventory-review.js";
import { reconcileInventory, resourceRecord, type ReconcilePorts } from "./reconcile-inventory.js";

export interface InventoryReviewInput {
  base: Snapshot;
  head: Snapshot;
  /** From .github/baryon.yml: where the inventory lives, its provisioners and rollout stages. */
  config: Pick<RepoConfig, "inventory" | "provisioners" | "rollout">;
  /** "owner/name" of the pull request's repository: the source its config reconciles. */
  repository: string;
}

export interface InventoryReviewPorts extends ReconcilePorts {
  renderer: Renderer;
}

/** Where the render of a resource on one side comes from. */
interface Side {
  record: ResourceRecord;
  major: number;
  minor: number;
}

export async function reviewInventory(input: InventoryReviewInput, ports: InventoryReviewPorts): Promise<InventoryReview | undefined> {
  // Another repository's folders are not in this snapshot: this review covers this repository's files.
  const local = input.config.inventory.filter((l) => !l.repository);
  const base = inventoryFiles(input.base, local);
  const head = inventoryFiles(input.head, local);
  const before = new Map(base.files.map((f) => [f.file, f.text]));
  const after = new Map(head.files.map((f) => [f.file, f.text]));
  const files = [...new Set([...before.keys(), ...after.keys()])].filter((f) => before.get(f) !== after.get(f)).sort();
  if (files.length === 0 && head.diagnostics.length === base.diagnostics.length) return undefined;

  const outcome = await reconcileInventory(ports, {
    source: input.repository, files: head.files, config: input.config, dryRun: true,
    requestedBy: { actor: "baryon", reason: "review", repository: input.repository },
  });
  const diagnostics = [...head.diagnostics, ...outcome.diagnostics];
  if (!outcome.plan) return { files, diagnostics: sortDiagnostics(diagnostics), plan: [], unchanged: 0, diff: { groups: [], total: 0, changed: 0 } };

  const records = await ports.store.resources();
  const recordedByKey = new Map(records.map((r) => [r.key, r]));
  const others = input.config.inventory.flatMap((l) => (l.repository ? [`${l.repository}:`] : []));
  const elsewhere = new Set(records.filter((r) => others.some((o) => r.declared.file.startsWith(o))).map((r) => r.key));
  const actions = outcome.plan.actions.filter((a) => a.action !== "delete" || !elsewhere.has(a.recorded.key));

  // The head side's resources, to give a pipeline its instances: what the plan changes, and what it leaves as recorded.
  const planned = actions.flatMap((a) => (a.action === "delete" ? [] : [resourceRecord(a.resource, input.repository)]));
  const unchanged = new Set(outcome.plan.unchanged);
  const headRecords = [...planned, ...records.filter((r) => unchanged.has(r.key))];

  // Each planned resource's two sides render RESOURCES_IN_FLIGHT at a time, diffed in the plan's order as they come.
  let instances: Promise<ResourceRecord[]> | undefined;
  const diffs = new DiffStream();
  const sides = pMapIterable(actions.filter((a) => a.action !== "delete"), async (action) => {
    const record = resourceRecord(action.resource, input.repository);
    const last = await ports.store.lastSucceeded(record.key);
    const current = last && recordedByKey.get(record.key);
    const deployedSide = async () => {
      if (!last || !current) return undefined;
      const peers = record.kind === "service_pipeline" ? await (instances ??= deployedInstances(records, ports)) : [];
      return (await render({ record: { ...current, inputs: last.inputs }, major: last.major, minor: last.minor }, peers, ports)).render;
    };
    const [target, deployed] = await Promise.all([render({ record, ...action.version }, headRecords, ports), deployedSide()]);
    return { target, deployed };
  }, { concurrency: RESOURCES_IN_FLIGHT });
  for await (const { target, deployed } of sides) {
    diagnostics.push(...target.diagnostics);
    if (deployed) diffs.base(deployed);
    diffs.head(target.render);
  }
  diffs.baseDone();
  return {
    files, diagnostics: sortDiagnostics(diagnostics),
    plan: actions.map(planLine), unchanged: outcome.plan.unchanged.length,
    diff: diffs.result(),
  };
}

function planLine(action: PlannedAction): PlanLine {
  const key = action.action === "delete" ? action.recorded.key : action.resource.key;
  const waiting = action.action === "delete" && !action.confirmed;
  return { action: action.action, key, text: describeAction(action), ...(waiting ? { waiting: true } : {}) };
}

/** What rendering the deployed fleet needs: the registry's deployments and the renderer. */
export type FleetPorts = Pick<InventoryReviewPorts, "store" | "renderer">;

/**
 * The deployed fleet of one template major through a template change: every
 * resource that follows the major (pinned ones keep their minor), rendered with
 * the inputs of its last successful deployment and the outputs recorded, by the
 * base bundle and by the head bundle, diffed per resource. Undefined when no
 * deployed resource follows the major.
 */
export async function fleetDiff(template: string, major: number, base: Bundle | undefined, head: Bundle, ports: FleetPorts): Promise<RenderedDiff | undefined> {
  const records = await ports.store.resources();
  const following = records.filter((r) => r.template.name === template && r.template.major === major && r.template.minor === undefined);
  // Only a pipeline reads its service's instances.
  const deployed = following.some((r) => r.kind === "service_pipeline") ? await deployedInstances(records, ports) : [];
  // Resources render RESOURCES_IN_FLIGHT at a time, each diffed as its two sides are done, in the fleet's order.
  const diffs = new DiffStream();
  // A new major has no base side: each head is new as soon as it renders.
  if (!base) diffs.baseDone();
  let rendered = 0;
  const sides = pMapIterable(following, async (record) => {
    const last = await ports.store.lastSucceeded(record.key);
    if (!last) return undefined;
    const current = { ...record, inputs: last.inputs };
    const [before, after] = await Promise.all([base && renderWith(current, base, deployed, ports), renderWith(current, head, deployed, ports)]);
    return { before: before?.render, after: after.render };
  }, { concurrency: RESOURCES_IN_FLIGHT });
  for await (const side of sides) {
    if (!side) continue;
    rendered++;
    if (side.before) diffs.base(side.before);
    diffs.head(side.after);
  }
  if (base) diffs.baseDone();
  return rendered ? diffs.result() : undefined;
}

/** Resources of a fleet rendered at once: full batches for the sandbox, a bounded number of registry reads under way. */
const RESOURCES_IN_FLIGHT = 64;

/** Each recorded instance with the inputs of its last successful deployment; never-deployed ones are left out. */
async function deployedInstances(records: readonly ResourceRecord[], ports: FleetPorts): Promise<ResourceRecord[]> {
  const instances = await pMap(records.filter((r) => r.kind === "service_instance"), async (r) => {
    const last = await ports.store.lastSucceeded(r.key);
    return last ? { ...r, inputs: last.inputs } : pMapSkip;
  }, { concurrency: RESOURCES_IN_FLIGHT });
  return instances;
}

async function render(side: Side, peers: readonly ResourceRecord[], ports: InventoryReviewPorts): Promise<{ render: ResourceRender; diagnostics: Diagnostic[] }> {
  const { record } = side;
  const version = await ports.versions.getVersion(record.template.name, side.major, side.minor);
  if (!version) {
    const why = `${record.template.name} ${side.major}.${side.minor} is not in the registry`;
    return { render: { label: record.key, files: [], failure: why }, diagnostics: [errorAt(record.declared.file, "inventory-render", `${record.key}: ${why}`, { line: record.declared.line })] };
  }
  return renderWith(record, await ports.bundleOf(version), peers, ports);
}

/**
 * One side of one resource: a bundle with its inputs and the outputs
 * recorded now. An environment that never deployed gives placeholders
 * (`<environment.outputs.X>`), an instance that never deployed gives its
 * pipeline placeholders too, as a template review's preview does.
 */
async function renderWith(record: ResourceRecord, bundle: Bundle, peers: readonly ResourceRecord[], ports: FleetPorts): Promise<{ render: ResourceRender; diagnostics: Diagnostic[] }> {
  const label = record.key;
  const where = { line: record.declared.line };
  const outputsOf = async (key: string): Promise<Outputs | undefined> => (await ports.store.lastSucceeded(key))?.outputs;
  const environmentOutputs = async (env: string) => (await outputsOf(env)) ?? placeholderOutputs(bundle);
  const rendered = await renderResource({
    resource: record, bundle,
    ...(record.kind === "service_instance" ? { environmentOutputs: await environmentOutputs(record.environment!) } : {}),
    ...(record.kind === "service_pipeline" ? {
      instances: await Promise.all(peers.filter((p) => p.kind === "service_instance" && p.service === record.service).map(async (p) => ({
        record: p, outputs: (await outputsOf(p.key)) ?? previewInstanceOutputs(p.name, new Map(), pipelineReads(bundle)).outputs,
        environmentOutputs: await environmentOutputs(p.environment!),
      }))),
    } : {}),
  }, ports.renderer);
  // A deployment cannot go on without a deployed value; a preview says which one it waits for.
  const diagnostics = rendered.diagnostics.map((d) => d.code === "render-needs-output"
    ? warningAt(record.declared.file, d.code, `${label}: ${d.message}`, where)
    : { ...d, file: record.declared.file, ...where, message: `${label}: ${d.message}` });
  // Without its files (an error, or a deployed value it cannot do without), a side shows why instead of a diff.
  const blocking = diagnostics.filter((d) => d.severity === "error" || d.code === "render-needs-output");
  const failure = blocking.length ? blocking.map((d) => d.message).join("; ") : undefined;
  return { render: { label, files: rendered.files, names: { name: record.name, environment: record.environment, service: record.service }, ...(failure ? { failure } : {}) }, diagnostics };
}

/** The instance outputs a bundle's pipeline templates read. */
function pipelineReads(bundle: Bundle): string[] {
  const files = bundle.parts.filter((p) => p.name === "pipeline_infrastructure").flatMap((p) => p.files);
  return [...new Set(files.flatMap((f) => findInstanceOutputReferences(textOf(bundle.files.get(f)))))];
}
