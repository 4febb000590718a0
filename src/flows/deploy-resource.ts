// Carry out one recorded deployment: wait for what it depends on, render it,
// hand it to its provisioner, record the outcome. Level-triggered: it reads the
// deployment's row and advances it by one step, so running it again (a retry, a
// resync, a poll) after any crash finds the row where the last run left it.
//   pending      → render, start (the registry lets one run win), provision
//   in_progress  → a previous run started it: ask the provisioner where it stands (one running
//                  outside Baryon), or start it again if its worker died (LIVENESS)
//   finished     → nothing to do
import { hasErrors, formatDiagnostic } from "../bundle/diagnostics.js";
import type { Bundle } from "../bundle/model.js";
import type { ProvisionerSettings } from "../config/repo-config.js";
import type { Outputs } from "../bundle/render/context.js";
import { renderResource, type RenderedResource } from "../inventory/render-resource.js";
import { isFinished } from "../inventory/deployment-status.js";
import { leaving } from "../inventory/pipeline-follows.js";
import { followUp, movedOn } from "./follow-instances.js";
import type { DeploymentRecord, DeploymentResult, DeploymentStore, ResourceRecord } from "../ports/deployment-store.js";
import type { DeploymentRequest, ProvisionResult, Provisioner } from "../ports/provisioner.js";
import type { VersionRecord, VersionStore } from "../ports/registry.js";
import type { Renderer } from "../ports/renderer.js";

export interface DeployPorts {
  store: DeploymentStore;
  versions: VersionStore;
  bundleOf(version: VersionRecord): Promise<Bundle>;
  renderer: Renderer;
  /** The provisioner of that name and settings; throws ProvisionerConfigError when it cannot be built. */
  provisioner(name: string, settings: ProvisionerSettings): Provisioner;
  /** Keeps a deployment's log; returns where. */
  saveLog(deploymentId: string, text: string): Promise<string>;
  /** How a run inside a worker shows it is alive (tests shorten it). */
  liveness?: Partial<typeof LIVENESS>;
}

/**
 * A run inside a worker beats every `heartbeatMs`; one silent for `staleMs` died with its
 * worker and runs again, at most `maxRestarts` times. The margin covers an event loop held
 * up for seconds: a live run must never be taken for a dead one.
 */
export const LIVENESS = { heartbeatMs: 2000, staleMs: 15_000, maxRestarts: 3 };

export type DeployOutcome =
  /** Finished now; `next` are deployments that were waiting for this one. */
  | { state: "finished"; deployment: DeploymentRecord; next: DeploymentRecord[] }
  /** Not started: it waits for another resource's first successful deployment. */
  | { state: "waiting"; on: string }
  /** Still running outside Baryon: ask again later. */
  | { state: "running" }
  /** Running in another worker, which beats: look again once it could have stopped beating (`afterMs`). */
  | { state: "elsewhere"; afterMs: number }
  /** Unknown, finished already, or another run has it. */
  | { state: "nothing to do"; why: string };

export async function deployResource(ports: DeployPorts, deploymentId: string): Promise<DeployOutcome> {
  const { store } = ports;
  const deployment = await store.getDeployment(deploymentId);
  if (!deployment) return { state: "nothing to do", why: "no such deployment" };
  if (isFinished(deployment.status)) return { state: "nothing to do", why: `already ${deployment.status}` };
  const resource = await store.resource(deployment.resource);
  if (!resource) return finish(ports, deployment, { status: failedStatus(deployment), reason: `resource ${deployment.resource} is no longer in the registry` }, undefined);

  let provisioner: Provisioner;
  try {
    provisioner = ports.provisioner(deployment.provisioner, deployment.provisionerSettings);
  } catch (error) {
    return finish(ports, deployment, { status: failedStatus(deployment), reason: `provisioner "${deployment.provisioner}": ${(error as Error).message}` }, undefined, resource);
  }
  const request = (files: DeploymentRequest["files"]) => requestOf(store.owner.login, deployment, resource, files);

  if (deployment.status === "in_progress" || deployment.status === "delete_in_progress") {
    if (deployment.handle !== undefined) {
      // Running outside Baryon: the provisioner knows where it stands.
      return settle(ports, deployment, await provisioner.status(request([]), deployment.handle), resource);
    }
    // Running inside a worker: alive while it beats; started again (same row) once it stopped beating.
    const { staleMs, maxRestarts } = { ...LIVENESS, ...ports.liveness };
    const state = await store.restartStale(deployment.id, staleMs, maxRestarts);
    if (state === "alive") return { state: "elsewhere", afterMs: staleMs };
    if (state === "not running") return { state: "nothing to do", why: "it finished meanwhile" };
    if (state === "exhausted") return settle(ports, deployment, await provisioner.status(request([]), ""), resource);
    // Restarted: pending again, it goes the way of a new one below.
  }

  const moved = await movedOn(store, deployment);
  if (moved) return finish(ports, deployment, { status: "cancelled", reason: moved }, undefined, resource);
  const ready = await readiness(ports, deployment, resource);
  if ("failed" in ready) return finish(ports, deployment, { status: failedStatus(deployment), reason: ready.failed }, undefined, resource);
  if ("waitingFor" in ready) return { state: "waiting", on: ready.waitingFor };
  const rendered = await render(ports, deployment, resource, ready);
  if ("reason" in rendered) return finish(ports, deployment, { status: failedStatus(deployment), reason: rendered.reason }, undefined, resource);
  if (!(await store.startDeployment(deployment.id, rendered.digest))) return { state: "nothing to do", why: "another run started it" };
  const started = { ...deployment, status: deployment.action === "deploy" ? "in_progress" as const : "delete_in_progress" as const };
  const { heartbeatMs } = { ...LIVENESS, ...ports.liveness };
  const beat = setInterval(() => void store.heartbeat(deployment.id).catch(() => undefined), heartbeatMs);
  beat.unref();
  let result: ProvisionResult;
  try {
    result = deployment.action === "deploy" ? await provisioner.deploy(request(rendered.files)) : await provisioner.destroy(request(rendered.files));
  } finally {
    clearInterval(beat);
  }
  return settle(ports, started, result, resource);
}

/** What the provisioner is handed for a deployment of a resource. */
function requestOf(owner: string, deployment: DeploymentRecord, resource: ResourceRecord, files: DeploymentRequest["files"]): DeploymentRequest {
  return {
    id: deployment.id, action: deployment.action, owner,
    resource: {
      kind: resource.kind, name: resource.name,
      ...(resource.service ? { service: resource.service } : {}), ...(resource.environment ? { environment: resource.environment } : {}),
    },
    template: { name: deployment.template, version: `${deployment.major}.${deployment.minor}` },
    inputs: deployment.inputs, files,
    ...(resource.stack ? { settings: { stack: resource.stack } } : {}),
  };
}

/**
 * The request a succeeded deployment handed its provisioner, rendered again (a render is
 * deterministic: the same version, inputs and outputs give the same files): what a drift
 * check compares the infrastructure with.
 */
export async function requestAsDeployed(ports: DeployPorts, deployment: DeploymentRecord, resource: ResourceRecord): Promise<DeploymentRequest | { reason: string }> {
  const ready = await readiness(ports, deployment, resource);
  if ("failed" in ready) return { reason: ready.failed };
  if ("waitingFor" in ready) return { reason: `it waits for ${ready.waitingFor}` };
  const rendered = await render(ports, deployment, resource, ready);
  return "reason" in rendered ? rendered : requestOf(ports.store.owner.login, deployment, resource, rendered.files);
}

interface RenderOutputs {
  environmentOutputs?: Outputs;
  instances?: { record: ResourceRecord; outputs: Outputs; environmentOutputs: Outputs }[];
}

/**
 * The outputs a resource's render reads, or what it waits for. A deploy waits for
 * what it depends on to have succeeded once; a delete renders with whatever was
 * recorded, and an environment's waits until no instance lives in it.
 */
async function readiness(ports: DeployPorts, deployment: DeploymentRecord, resource: ResourceRecord): Promise<RenderOutputs | { waitingFor: string } | { failed: string }> {
  const { store } = ports;
  const deleting = deployment.action === "delete";
  const outputsOf = async (key: string, what: string): Promise<{ outputs: Outputs } | { waitingFor: string } | { failed: string }> => {
    // The latest first: were it read second, a deployment finishing between the reads would
    // look finished without a success, and fail this one (seen in CI with two workers).
    const [latest] = await store.deploymentsOf(key, 1);
    const succeeded = await store.lastSucceeded(key);
    if (succeeded || deleting) return { outputs: succeeded?.outputs ?? {} };
    if (latest && !isFinished(latest.status)) return { waitingFor: key };
    const why = latest ? `its last deployment ${latest.id} ${latest.status}${latest.reason ? `: ${latest.reason}` : ""}` : "it has no deployment";
    return { failed: `${what} ${key} has never deployed successfully (${why}); ${deployment.resource} deploys after it does` };
  };
  if (resource.kind === "environment") {
    if (!deleting) return {};
    const tenants = await store.resources({ environment: resource.key });
    const outgoing: string[] = [];
    for (const tenant of tenants) {
      const [latest] = await store.deploymentsOf(tenant.key, 1);
      // Deleted since the list was read: gone, not in the way.
      if (latest?.status === "delete_succeeded") continue;
      if (latest?.action !== "delete" || isFinished(latest.status)) {
        return { failed: `environment ${resource.key} still has instances (${tenants.map((t) => t.key).join(", ")}): remove them from the inventory and confirm their deletion first` };
      }
      outgoing.push(tenant.key);
    }
    return outgoing.length ? { waitingFor: outgoing[0]! } : {};
  }
  if (resource.kind === "service_instance") {
    const environment = await outputsOf(resource.environment!, "environment");
    return "outputs" in environment ? { environmentOutputs: environment.outputs } : environment;
  }
  const instances = (await store.resources({ service: resource.service! })).filter((r) => r.kind === "service_instance");
  const withOutputs = [];
  for (const record of instances) {
    // An instance on its way out is no longer the pipeline's to deliver to (its delete failed: it stays).
    if (leaving((await store.deploymentsOf(record.key, 1))[0])) continue;
    const own = await outputsOf(record.key, "instance");
    if (!("outputs" in own)) return own;
    const environment = await store.lastSucceeded(record.environment!);
    withOutputs.push({ record, outputs: own.outputs, environmentOutputs: environment?.outputs ?? {} });
  }
  return { instances: withOutputs };
}

async function render(ports: DeployPorts, deployment: DeploymentRecord, resource: ResourceRecord, inputs: RenderOutputs): Promise<RenderedResource | { reason: string }> {
  const version = await ports.versions.getVersion(deployment.template, deployment.major, deployment.minor);
  if (!version) return { reason: `${deployment.template} ${deployment.major}.${deployment.minor} is not in the registry` };
  const bundle = await ports.bundleOf(version);
  const rendered = await renderResource({
    resource: { ...resource, inputs: deployment.inputs }, bundle,
    ...(inputs.environmentOutputs ? { environmentOutputs: inputs.environmentOutputs } : {}),
    ...(inputs.instances ? { instances: inputs.instances } : {}),
  }, patient(ports.renderer));
  if (hasErrors(rendered.diagnostics)) {
    return { reason: `render failed: ${rendered.diagnostics.filter((d) => d.severity === "error").map(formatDiagnostic).join("; ")}` };
  }
  return rendered;
}

/**
 * A published template rendered for a deployment: a render past its deadline, or a sandbox
 * that died, is far likelier a starved machine than the template, so it is tried again
 * (twice) before the deployment fails for it.
 */
function patient(renderer: Renderer): Renderer {
  return {
    close: () => renderer.close(),
    async render(request) {
      let result = await renderer.render(request);
      for (let again = 0; again < 2 && !result.ok && (result.error.kind === "timeout" || result.error.kind === "sandbox"); again++) {
        result = await renderer.render(request);
      }
      return result;
    },
  };
}

/** Records a provisioner's answer: finished, or still running (its handle kept). */
async function settle(ports: DeployPorts, deployment: DeploymentRecord, result: ProvisionResult, resource: ResourceRecord): Promise<DeployOutcome> {
  const deleting = deployment.action === "delete";
  switch (result.status) {
    case "in_progress":
      if (result.handle !== deployment.handle) await ports.store.setHandle(deployment.id, result.handle);
      return { state: "running" };
    case "succeeded":
      return finish(ports, deployment, { status: deleting ? "delete_succeeded" : "succeeded", outputs: deleting ? {} : result.outputs }, result.log, resource);
    case "cancelled":
      return finish(ports, deployment, { status: deleting ? "delete_failed" : "cancelled", reason: result.reason }, result.log, resource);
    case "failed":
      return finish(ports, deployment, { status: failedStatus(deployment), reason: result.reason }, result.log, resource);
  }
}

async function finish(ports: DeployPorts, deployment: DeploymentRecord, result: DeploymentResult, log: string | undefined, resource?: ResourceRecord): Promise<DeployOutcome> {
  const { store } = ports;
  const logged = log ? { ...result, log: await ports.saveLog(deployment.id, log) } : result;
  // What the instance's pipeline was rendered with: read before this success replaces it.
  const before = resource?.kind === "service_instance" && result.status === "succeeded" ? await store.lastSucceeded(resource.key) : undefined;
  if (!(await store.finishDeployment(deployment.id, logged))) return { state: "nothing to do", why: "another run finished it" };
  const finished = (await store.getDeployment(deployment.id))!;
  const released = finished.status === "succeeded" || finished.status === "delete_succeeded";
  const next = released && resource ? await waitingOn(store, resource, finished.action) : [];
  // Best effort: the finish is recorded, and a throw here would leave its dependents and GitHub status unsent.
  const again = resource && finished.status === "succeeded"
    ? await followUp(ports.store, finished, resource, before, (d, r) => digestNow(ports, d, r)).catch(() => undefined) : undefined;
  if (again && !next.some((d) => d.id === again.id)) next.push(again);
  return { state: "finished", deployment: finished, next };
}

/** What `deployment` would render now, with what it depends on as recorded now; undefined when it cannot render. */
async function digestNow(ports: DeployPorts, deployment: DeploymentRecord, resource: ResourceRecord): Promise<string | undefined> {
  const ready = await readiness(ports, deployment, resource);
  if ("failed" in ready || "waitingFor" in ready) return undefined;
  const rendered = await render(ports, deployment, resource, ready);
  return "reason" in rendered ? undefined : rendered.digest;
}

const failedStatus = (d: DeploymentRecord) => (d.action === "delete" ? "delete_failed" as const : "failed" as const);

/**
 * Deployments that wait for this one: after a deploy, its environment's instances
 * or its instance's pipeline; after an instance's delete, its environment's delete.
 */
async function waitingOn(store: DeploymentStore, self: ResourceRecord, action: DeploymentRecord["action"]): Promise<DeploymentRecord[]> {
  const dependents = action === "deploy"
    ? self.kind === "environment" ? await store.resources({ environment: self.key })
      : self.kind === "service_instance" ? (await store.resources({ service: self.service! })).filter((r) => r.kind === "service_pipeline") : []
    : self.kind === "service_instance" ? [(await store.resource(self.environment!))].filter((r): r is ResourceRecord => r !== undefined) : [];
  const next: DeploymentRecord[] = [];
  for (const r of dependents) {
    const [latest] = await store.deploymentsOf(r.key, 1);
    if (latest?.status === (action === "deploy" ? "pending" : "delete_pending")) next.push(latest);
  }
  return next;
}
