// How deploy and rollout-tick jobs are named and serialized, apart from what they
// run: the two enqueue each other (a finished deployment ticks its rollout; a tick
// queues deployments), so their identities live here and their handlers import it.
import type { DeploymentRecord } from "../ports/deployment-store.js";
import type { JobQueue } from "../ports/job-queue.js";
import type { Owner } from "../ports/registry.js";
import { enqueue, type JobKind } from "./job-kind.js";

interface OwnerData {
  owner: string;
  installationId?: number;
}

export interface DeployJobData extends OwnerData {
  deployment: string;
  resource: string;
  /** Tells a later turn of the same deployment (a poll, a resync) from the first: each turn is its own job. */
  turn?: string;
}

export interface TickJobData extends OwnerData {
  rollout: string;
  /** What asked for this tick: each cause is its own job, so none is swallowed by an earlier one's id. */
  turn: string;
}

type Lane<T> = Omit<JobKind<T>, "run">;

/** Deployments of one resource never run at once, in any process. */
export const DEPLOY_LANE: Lane<DeployJobData> = {
  name: "deploy",
  id: (d) => `deploy:${d.owner}/${d.deployment}${d.turn ? `@${d.turn}` : ""}`,
  key: (d) => resourceKey(d.owner, d.resource),
  // A provisioner that could not be reached (throttled past its retries, a network error) throws: retried.
  attempts: 5,
  backoffMs: 5000,
};

/** Ticks and commands of one rollout run one at a time. */
export const TICK_LANE: Lane<TickJobData> = {
  name: "rollout-tick",
  id: (d) => `rollout-tick:${d.owner}/${d.rollout}@${d.turn}`,
  key: (d) => rolloutKey(d.owner, d.rollout),
  attempts: 5,
  backoffMs: 2000,
};

export const resourceKey = (owner: string, resource: string) => `resource:${owner}/${resource}`;
export const rolloutKey = (owner: string, rollout: string) => `rollout:${owner.toLowerCase()}/${rollout}`;

export function enqueueDeployment(queue: JobQueue, owner: Owner, deployment: DeploymentRecord, turn?: string): Promise<boolean> {
  return enqueue(queue, DEPLOY_LANE, { ...ownerData(owner), deployment: deployment.id, resource: deployment.resource, ...(turn ? { turn } : {}) });
}

export function enqueueTick(queue: JobQueue, owner: Owner, rollout: string, turn: string, delayMs?: number): Promise<boolean> {
  return enqueue(queue, TICK_LANE, { ...ownerData(owner), rollout, turn }, delayMs ? { delayMs } : {});
}

/** Finished deployments and verifications of one rollout within this long share one tick. */
export const TICK_SLOT_MS = 100;

/**
 * A tick after something finished: one per rollout and time slot, run when the slot is over,
 * so it sees everything that finished in it, and 1,000 deployments finishing make a few ticks,
 * not 1,000 (each reads the rollout's targets).
 */
export function enqueueTickAfter(queue: JobQueue, owner: Owner, rollout: string, now = Date.now()): Promise<boolean> {
  const slot = Math.floor(now / TICK_SLOT_MS);
  return enqueueTick(queue, owner, rollout, `slot-${slot}`, (slot + 1) * TICK_SLOT_MS - now);
}

export function ownerOf(data: OwnerData): Owner {
  return { login: data.owner, ...(data.installationId !== undefined ? { installationId: data.installationId } : {}) };
}

export function ownerData(owner: Owner): OwnerData {
  return { owner: owner.login, ...(owner.installationId !== undefined ? { installationId: owner.installationId } : {}) };
}
