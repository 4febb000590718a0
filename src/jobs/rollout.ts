// The rollout jobs. A tick moves one rollout on by one step (src/flows/rollout.ts)
// and queues what that step asks for: deploy jobs, verify jobs, and itself again
// when soak time is over (a delayed job, never a sleeping worker). A batch's last
// deployment to finish, a failed one, and a verification queue a tick; so do
// commands and the resync. Ticks of one rollout share its serialization key.
import type { PublishOutcome } from "../flows/publish-change.js";
import { startRollout, tickRollout, type RolloutPorts } from "../flows/rollout.js";
import type { RolloutOrigin, RolloutRecord } from "../rollout/model.js";
import type { RolloutPolicy } from "../rollout/policy.js";
import { giveUpVerification, verifyTarget } from "../flows/verify-target.js";
import type { Adapters } from "../compose/adapters.js";
import { PermanentJobError } from "../ports/job-queue.js";
import type { Owner } from "../ports/registry.js";
import { enqueueDeployment, enqueueTick, enqueueTickAfter, ownerData, ownerOf, resourceKey, TICK_LANE, type TickJobData } from "./lanes.js";
import { enqueue, type JobKind } from "./job-kind.js";
import { enqueueReport } from "./rollout-report.js";

export interface VerifyJobData {
  owner: string;
  installationId?: number;
  rollout: string;
  resource: string;
  attempt: number;
  deployment: string;
}

export const rolloutTickJob: JobKind<TickJobData> = {
  ...TICK_LANE,
  async run(data, context) {
    const owner = ownerOf(data);
    const outcome = await tickRollout(rolloutPorts(context.adapters, owner), data.rollout);
    if (!outcome) return `no rollout ${data.rollout}`;
    const { queue } = context.adapters;
    for (const deployment of outcome.deployments) await enqueueDeployment(queue, owner, deployment);
    for (const v of outcome.verify) await enqueue(queue, verifyJob, { ...ownerData(owner), rollout: data.rollout, ...v });
    const { step } = outcome;
    if (step.wakeAt) await enqueueTick(queue, owner, data.rollout, `at-${step.wakeAt.getTime()}`, Math.max(0, step.wakeAt.getTime() - Date.now()));
    if (context.probot) await enqueueReport(queue, owner, outcome);
    await context.onRolloutStep?.(owner, outcome);
    const started = outcome.deployments.length ? `, ${outcome.deployments.length} deployment(s) queued` : "";
    const verifying = outcome.verify.length ? `, ${outcome.verify.length} verification(s) queued` : "";
    return `${outcome.rollout.template} ${outcome.rollout.major}.${outcome.rollout.minor}: ${step.status}${step.stage ? ` (${step.stage})` : ""}${started}${verifying}`;
  },
};

const VERIFY_TRIES = 3;

export const verifyJob: JobKind<VerifyJobData> = {
  name: "rollout-verify",
  id: (d) => `rollout-verify:${d.owner}/${d.rollout}/${d.resource}@${d.attempt}`,
  // A verification belongs to its resource's lane: no deployment of it starts meanwhile.
  key: (d) => resourceKey(d.owner, d.resource),
  attempts: VERIFY_TRIES,
  backoffMs: 2000,
  /**
   * A job that fails for good keeps its id for a day, so the tick could not ask again: the
   * last try that throws (or one that cannot succeed) records `inconclusive` instead, and the
   * rollout pauses for a person.
   */
  async run(data, { adapters }, job) {
    const owner = ownerOf(data);
    const ports = { rollouts: adapters.registry.rollouts(owner), store: adapters.registry.deployments(owner), verifier: adapters.verifier, now: () => new Date() };
    let result: string;
    try {
      result = await verifyTarget(ports, data);
    } catch (error) {
      if (job.attempt < VERIFY_TRIES && !(error instanceof PermanentJobError)) throw error;
      result = await giveUpVerification(ports, data, error);
    }
    await enqueueTickAfter(adapters.queue, owner, data.rollout);
    return `${data.resource}: ${result}`;
  },
};

/** What a publish did about rollouts, per new minor: the rollout it started (or found), or why none. */
export type RolloutStart = { version: string; rollout: RolloutRecord; created: boolean } | { version: string; why: string };

/**
 * After a publish: each published minor starts its rollout (one per version, however often
 * asked: a retried publish finds it) and gets its first tick.
 */
export async function startRollouts(adapters: Adapters, owner: Owner, outcomes: readonly PublishOutcome[], origin: RolloutOrigin, policy: RolloutPolicy | undefined): Promise<RolloutStart[]> {
  const starts: RolloutStart[] = [];
  for (const o of outcomes) {
    if (o.result !== "published" || o.minor === 0) continue;
    const version = `${o.template} ${o.version}`;
    const started = await startRollout(rolloutPorts(adapters, owner), { template: o.template, major: o.major, minor: o.minor, origin, ...(policy ? { policy } : {}) });
    if (!started.started) {
      starts.push({ version, why: started.why });
      continue;
    }
    await enqueueTick(adapters.queue, owner, started.rollout.id, "start");
    for (const old of started.superseded) await enqueueTick(adapters.queue, owner, old.id, "superseded");
    starts.push({ version, rollout: started.rollout, created: started.created });
  }
  return starts;
}

export function rolloutPorts(adapters: Adapters, owner: Owner): RolloutPorts {
  return { rollouts: adapters.registry.rollouts(owner), store: adapters.registry.deployments(owner), versions: adapters.registry.versions(owner), now: () => new Date() };
}
