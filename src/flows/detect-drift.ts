// Drift: does what runs still match what Baryon last deployed? For each resource
// (or the one asked for), its last successful deployment is rendered again and
// handed to its provisioner's detectDrift, and the answer is kept in the registry,
// where `baryon status` and the console read it. A provisioner that cannot tell,
// a render that fails, or a check that throws make the state `unknown`, saying why:
// never `in_sync` by default.
import pMap from "p-map";
import { isFinished } from "../inventory/deployment-status.js";
import type { DeploymentRecord, DriftCheck, ResourceRecord } from "../ports/deployment-store.js";
import type { DriftReport, Provisioner } from "../ports/provisioner.js";
import { requestAsDeployed, type DeployPorts } from "./deploy-resource.js";

/** Checks at once: each may wait on a cloud API for a while. */
const CONCURRENCY = 4;

export interface DriftOutcome {
  resource: string;
  /** The check recorded; absent when the resource was not checked (`skipped` says why). */
  check?: DriftCheck;
  skipped?: string;
}

/** `only`: one resource's key; every resource of the owner when absent. */
export async function detectDrift(ports: DeployPorts, only?: string): Promise<DriftOutcome[]> {
  const resources = only ? [await ports.store.resource(only)].filter((r): r is ResourceRecord => r !== undefined) : await ports.store.resources();
  if (only && resources.length === 0) return [{ resource: only, skipped: "no such resource in the inventory" }];
  return pMap(resources, (resource) => checkOne(ports, resource), { concurrency: CONCURRENCY });
}

async function checkOne(ports: DeployPorts, resource: ResourceRecord): Promise<DriftOutcome> {
  const { store } = ports;
  const [latest] = await store.deploymentsOf(resource.key, 1);
  // Mid-deployment, the infrastructure is expected to differ: the next check will tell.
  if (latest && !isFinished(latest.status)) return { resource: resource.key, skipped: `deployment ${latest.id} is ${latest.status.replace("_", " ")}` };
  const deployed = await store.lastSucceeded(resource.key);
  if (!deployed) return { resource: resource.key, skipped: "never deployed successfully" };
  const report = await reportFor(ports, resource, deployed);
  const check: DriftCheck = { deployment: deployed.id, ...report };
  await store.recordDrift(resource.key, check);
  return { resource: resource.key, check };
}

async function reportFor(ports: DeployPorts, resource: ResourceRecord, deployed: DeploymentRecord): Promise<DriftReport> {
  const unknown = (detail: string): DriftReport => ({ state: "unknown", findings: [{ detail }] });
  let provisioner: Provisioner;
  try {
    provisioner = ports.provisioner(deployed.provisioner, deployed.provisionerSettings);
  } catch (error) {
    return unknown(`provisioner "${deployed.provisioner}": ${(error as Error).message}`);
  }
  if (!provisioner.detectDrift) return unknown(`provisioner "${deployed.provisioner}" cannot check drift (a \`command\` provisioner can, with a \`drift:\` command)`);
  const request = await requestAsDeployed(ports, deployed, resource);
  if ("reason" in request) return unknown(`deployment ${deployed.id} could not be rendered again: ${request.reason}`);
  try {
    return await provisioner.detectDrift(request);
  } catch (error) {
    return unknown(`the drift check failed: ${(error as Error).message}`);
  }
}
