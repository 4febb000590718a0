// `baryon apply`, `deploy`, `status` and `logs`: the inventory and its
// deployments from a terminal, on the registry and artifact store `publish`
// uses (embedded under .baryon/ unless DATABASE_URL or BARYON_* say otherwise),
// running the same reconcile and deploy flows and jobs as the app, in-process.
import { existsSync } from "node:fs";
import { userInfo } from "node:os";
import { join, resolve } from "node:path";
import { hasErrors } from "../../bundle/diagnostics.js";
import { createMetrics } from "../../adapters/metrics.js";
import { gitTop, repositoryName } from "../../adapters/local/git.js";
import { localRepositorySource } from "../../adapters/local/repository-source.js";
import type { Adapters } from "../../compose/adapters.js";
import type { RepoConfig } from "../../config/repo-config.js";
import { detectDrift } from "../../flows/detect-drift.js";
import { fleetStatus } from "../../flows/fleet-status.js";
import { reconcileInventory } from "../../flows/reconcile-inventory.js";
import { requestDeployment } from "../../flows/request-deployment.js";
import { bundleLoader } from "../../flows/stored-bundle.js";
import { inventoryFiles } from "../../inventory/inventory-files.js";
import { describeAction } from "../../inventory/plan.js";
import { startWorkers } from "../../jobs/catalogue.js";
import { deployPorts } from "../../jobs/deploy.js";
import { enqueueDeployment } from "../../jobs/lanes.js";
import type { JobContext, JobLogger } from "../../jobs/job-kind.js";
import type { DeploymentRecord, RequestedBy } from "../../ports/deployment-store.js";
import type { Owner } from "../../ports/registry.js";
import { driftReportText, fleetStatusJson, fleetStatusText } from "../../present/fleet-status.js";
import { printDiagnostic, UsageError, type Out } from "./output.js";
import { checkoutOwner, openState } from "./state.js";

export interface ApplyOptions {
  /** Resource keys whose deletion the user confirms. */
  confirmDelete: string[];
  dryRun: boolean;
}

export async function runApply(dir: string, options: ApplyOptions, out: Out, err: Out): Promise<number> {
  const top = await topOf(dir);
  const source = await localRepositorySource(top);
  const config = await source.config();
  config.diagnostics.forEach((d) => printDiagnostic(err, d));
  if (!config.ok) return 1;
  const local = config.config.inventory.filter((l) => !l.repository);
  const found = inventoryFiles(await source.head(), local);
  for (const other of config.config.inventory.filter((l) => l.repository)) {
    err.write(`baryon: inventory in ${other.repository}:${other.path} is read by the GitHub App; here only this repository's is applied\n`);
  }
  found.diagnostics.forEach((d) => printDiagnostic(err, d));
  if (found.files.length === 0) {
    err.write(`baryon: no inventory files under ${local.map((l) => `${l.path}/`).join(", ") || "(none configured)"} (\`inventory:\` in .github/baryon.yml)\n`);
    return 1;
  }
  return withFleet(top, async (adapters, owner) => {
    const outcome = await reconcileInventory(
      { versions: adapters.registry.versions(owner), bundleOf: bundleLoader(adapters.artifacts), store: adapters.registry.deployments(owner) },
      {
        source: await repositoryName(top).catch(() => top), files: found.files, config: config.config,
        requestedBy: await localActor(top, "baryon apply"), confirmedDeletes: new Set(options.confirmDelete), dryRun: options.dryRun,
      },
    );
    outcome.diagnostics.forEach((d) => printDiagnostic(err, d));
    if (!outcome.plan || hasErrors(outcome.diagnostics)) {
      err.write("baryon: the inventory has errors: nothing was deployed\n");
      return 1;
    }
    const unknown = options.confirmDelete.filter((key) => !outcome.plan!.actions.some((a) => a.action === "delete" && a.recorded.key === key));
    if (unknown.length) err.write(`baryon: --confirm-delete ${unknown.join(", ")}: not a resource this inventory removes; ignored\n`);
    const lines = outcome.plan.actions.map(describeAction);
    out.write(lines.length ? `${options.dryRun ? "Would" : "Plan"}:\n${lines.map((l) => `  ${l}\n`).join("")}` : "Nothing to change.\n");
    if (outcome.plan.unchanged.length) out.write(`Unchanged: ${outcome.plan.unchanged.join(", ")}\n`);
    if (options.dryRun) return 0;
    return deployAndReport(adapters, owner, outcome.deployments, out);
  });
}

export async function runDeploy(resource: string, options: { dir: string; version?: string }, out: Out, err: Out): Promise<number> {
  const top = await topOf(options.dir);
  const config = await configOf(top, err);
  if (!config) return 1;
  const version = options.version === undefined ? undefined : parseVersion(options.version);
  return withFleet(top, async (adapters, owner) => {
    const outcome = await requestDeployment(
      { store: adapters.registry.deployments(owner), versions: adapters.registry.versions(owner) },
      { resource, ...(version ? { version } : {}), requestedBy: await localActor(top, "baryon deploy"), provisioners: config.provisioners },
    );
    if (!outcome.ok) throw new UsageError(outcome.error);
    if (!outcome.created) out.write(`Deployment #${outcome.deployment.id} of ${outcome.deployment.resource} is already under way.\n`);
    return deployAndReport(adapters, owner, [outcome.deployment], out);
  });
}

export async function runStatus(resource: string | undefined, options: { dir: string; format: "text" | "json" }, out: Out): Promise<number> {
  return withFleet(await topOf(options.dir), async (adapters, owner) => {
    const statuses = await fleetStatus(adapters.registry.deployments(owner), resource);
    if (resource !== undefined && statuses.length === 0) throw new UsageError(`no resource "${resource}" in the registry of ${owner.login}`);
    out.write(options.format === "json" ? `${JSON.stringify(fleetStatusJson(statuses), null, 2)}\n` : fleetStatusText(statuses));
    return 0;
  }, { workers: false });
}

/** `baryon drift`: each resource (or one) checked against its last successful deployment; exit 1 when one drifted. */
export async function runDrift(resource: string | undefined, options: { dir: string; format: "text" | "json" }, out: Out): Promise<number> {
  return withFleet(await topOf(options.dir), async (adapters, owner) => {
    const store = adapters.registry.deployments(owner);
    const keys = resource === undefined ? [undefined] : (await fleetStatus(store, resource)).map((s) => s.resource.key);
    if (keys.length === 0) throw new UsageError(`no resource "${resource}" in the registry of ${owner.login}`);
    const outcomes = (await Promise.all(keys.map((key) => detectDrift(deployPorts(adapters, owner), key)))).flat();
    out.write(options.format === "json" ? `${JSON.stringify({ resources: outcomes }, null, 2)}\n` : driftReportText(outcomes));
    return outcomes.some((o) => o.check?.state === "drifted") ? 1 : 0;
  }, { workers: false });
}

export async function runLogs(id: string, options: { dir: string }, out: Out): Promise<number> {
  return withFleet(await topOf(options.dir), async (adapters, owner) => {
    const deployment = await adapters.registry.deployments(owner).getDeployment(id.replace(/^#/, ""));
    if (!deployment) throw new UsageError(`no deployment ${id} in the registry of ${owner.login}`);
    out.write(`# deployment ${deployment.id}: ${deployment.action} ${deployment.resource} at ${deployment.template} ${deployment.major}.${deployment.minor}: ${deployment.status}${deployment.reason ? ` (${deployment.reason})` : ""}\n`);
    if (!deployment.log) {
      out.write("# no log yet\n");
      return 0;
    }
    out.write(new TextDecoder().decode(await adapters.artifacts.get(deployment.log)));
    return 0;
  }, { workers: false });
}

/** Queues the deployments, runs every job to the end, and says how each ended; 1 when one did not succeed. */
async function deployAndReport(adapters: Adapters, owner: Owner, deployments: readonly DeploymentRecord[], out: Out): Promise<number> {
  for (const d of deployments) await enqueueDeployment(adapters.queue, owner, d);
  await adapters.queue.idle();
  const store = adapters.registry.deployments(owner);
  let failed = 0;
  for (const d of deployments) {
    const now = (await store.getDeployment(d.id))!;
    if (now.status !== "succeeded" && now.status !== "delete_succeeded") failed++;
    out.write(`#${now.id} ${now.action} ${now.resource} ${now.template} ${now.major}.${now.minor}: ${now.status}${now.reason ? ` (${now.reason})` : ""}\n`);
  }
  return failed ? 1 : 0;
}

export async function withFleet(top: string, fn: (adapters: Adapters, owner: Owner) => Promise<number>, options: { workers: boolean; onRolloutStep?: JobContext["onRolloutStep"] } = { workers: true }): Promise<number> {
  const adapters = await openState(top);
  try {
    const observe = options.onRolloutStep ? { onRolloutStep: options.onRolloutStep } : {};
    if (options.workers) await startWorkers({ adapters, metrics: createMetrics(), log: terminalLog(), ...observe }, { resyncEveryMs: 60 * 60 * 1000 });
    return await fn(adapters, await checkoutOwner(top));
  } finally {
    await adapters.close();
  }
}

async function configOf(top: string, err: Out): Promise<RepoConfig | undefined> {
  const config = await (await localRepositorySource(top)).config();
  config.diagnostics.forEach((d) => printDiagnostic(err, d));
  return config.ok ? config.config : undefined;
}

export async function topOf(dir: string): Promise<string> {
  const abs = resolve(dir);
  return existsSync(join(abs, ".git")) ? gitTop(abs) : abs;
}

export async function localActor(top: string, reason: string): Promise<RequestedBy> {
  const repository = await repositoryName(top).catch(() => undefined);
  return { actor: process.env.GITHUB_ACTOR ?? userInfo().username, reason, ...(repository ? { repository } : {}) };
}

function parseVersion(text: string): { major: number; minor: number } {
  const match = /^(\d+)\.(\d+)$/.exec(text);
  if (!match) throw new UsageError(`--version ${text}: give a version as MAJOR.MINOR, e.g. 1.3`);
  return { major: Number(match[1]), minor: Number(match[2]) };
}

/** Job outcomes as plain lines on stderr, only the failures: the command prints the results. */
function terminalLog(): JobLogger {
  const line = (_fields: object, message: string) => process.stderr.write(`baryon: ${message}\n`);
  return { info: () => undefined, warn: line, error: line };
}
