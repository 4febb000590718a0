// The rollout's next step, decided from what the registry records and the clock
// alone (pure). The tick job applies it and comes back when something finishes or
// when soak time is over; deciding twice from the same records decides the same.
//
// Stages run in order. A stage starts once the one before it is settled and has
// soaked, and once its gate is open. Inside it, batches run one after another: the
// next starts when every resource of the current one has deployed and passed its
// verification (or failed within the tolerance). One failure beyond the tolerance
// and nothing new starts: the rollout halts (and rolls the batch back, if asked).
import { isFinished } from "../inventory/deployment-status.js";
import { ENDED, type RolloutRecord, type RolloutStatus, type PlannedStage, type TargetState } from "./model.js";
import { batchSize, toleratedFailures } from "./policy.js";

export interface Step {
  status: RolloutStatus;
  /** The stage being worked on, waited for or soaked; undefined once succeeded. */
  stage?: string;
  /** Resources to deploy at the rollout's version now (their attempt has no deployment yet). */
  deploy: string[];
  /** Resources whose deployment succeeded and that await their stage's verification. */
  verify: string[];
  /** Resources to take back to their last verified version, and hold. */
  rollback: string[];
  /** Decide again then, even if nothing finishes (soak time over). */
  wakeAt?: Date;
  /** For people: why it waits, pauses or halted. */
  reason?: string;
}

export type TargetPhase = "done" | "failed" | "inconclusive" | "verifying" | "deploying" | "not_started";

/** Where one resource of the rollout stands. */
export function phaseOf(target: TargetState | undefined, verifies: boolean): TargetPhase {
  if (!target) return "not_started";
  if (target.nothingToDo && !target.deployment) return "done";
  const d = target.deployment;
  if (!d) return "not_started";
  if (!isFinished(d.status)) return "deploying";
  if (d.status !== "succeeded") return "failed";
  if (!verifies) return "done";
  switch (target.verification?.verdict) {
    case undefined: return "verifying";
    case "passed": return "done";
    case "failed": return "failed";
    case "inconclusive": return "inconclusive";
  }
}

export interface StageProgress {
  name: string;
  total: number;
  done: number;
  failed: number;
  inFlight: number;
  tolerated: number;
  /** When the last resource of a settled stage finished. */
  settledAt?: Date;
  /** When its soak time is over (settled stages). */
  soakEndsAt?: Date;
}

export function stageProgress(stage: PlannedStage, targets: ReadonlyMap<string, TargetState>): StageProgress {
  const verifies = stage.policy.verify !== undefined;
  const phases = stage.resources.map((r) => phaseOf(targets.get(r), verifies));
  const count = (...wanted: TargetPhase[]) => phases.filter((p) => wanted.includes(p)).length;
  const progress: StageProgress = {
    name: stage.name, total: stage.resources.length, done: count("done"), failed: count("failed"),
    inFlight: count("deploying", "verifying"), tolerated: toleratedFailures(stage.policy.failureTolerance, stage.resources.length),
  };
  if (progress.done + progress.failed === progress.total) {
    const times = stage.resources.flatMap((r) => {
      const t = targets.get(r);
      return [t?.deployment?.finishedAt, t?.verification?.at].filter((d): d is Date => d !== undefined);
    });
    if (times.length) {
      progress.settledAt = new Date(Math.max(...times.map((d) => d.getTime())));
      progress.soakEndsAt = new Date(progress.settledAt.getTime() + stage.policy.soakMs);
    }
  }
  return progress;
}

/** The next step of `rollout`, from its targets (by resource) as recorded now. */
export function advance(rollout: RolloutRecord, targets: ReadonlyMap<string, TargetState>, now: Date): Step {
  const idle = (status: RolloutStatus, extra: Partial<Step> = {}): Step => ({ status, deploy: [], verify: [], rollback: [], ...extra });
  if (ENDED.has(rollout.status)) return idle(rollout.status);
  const stages = rollout.plan.stages;

  for (const stage of stages) {
    const verifies = stage.policy.verify !== undefined;
    const progress = stageProgress(stage, targets);
    // Verification runs whatever else happens: its verdict is what a person decides on.
    const verify = stage.resources.filter((r) => phaseOf(targets.get(r), verifies) === "verifying");

    if (progress.failed > progress.tolerated) {
      const failedKeys = stage.resources.filter((r) => phaseOf(targets.get(r), verifies) === "failed");
      const reason = `${progress.failed} of ${progress.total} in ${stage.name} failed (tolerance ${progress.tolerated}): ${failedKeys.map((r) => `${r} (${failure(targets.get(r)!)})`).join(", ")}`;
      if (!rollout.autoRollback) return idle("halted", { stage: stage.name, verify, reason });
      const rollback = failingBatches(stage, targets).filter((r) => !targets.get(r)?.rollback);
      return idle("rolled_back", { stage: stage.name, verify, rollback, reason });
    }
    // A halt that a person resumed, with nothing failing any more, runs on below.
    const inconclusive = stage.resources.filter((r) => phaseOf(targets.get(r), verifies) === "inconclusive");
    if (inconclusive.length) {
      const reason = `verification was inconclusive for ${inconclusive.map((r) => `${r} (${targets.get(r)!.verification!.detail})`).join(", ")}: a person decides (\`/rollout resume\` accepts it)`;
      return idle("paused", { stage: stage.name, verify, reason });
    }
    if (progress.done + progress.failed === progress.total) {
      if (progress.soakEndsAt && progress.soakEndsAt > now && stage !== stages[stages.length - 1]) {
        const soaks = `${stage.name} soaks until ${progress.soakEndsAt.toISOString()}`;
        // Paused during a soak: the pause's own reason stays what people read.
        const stopped = held(rollout.status);
        return idle(stopped ?? "running", { stage: stage.name, verify, wakeAt: progress.soakEndsAt, reason: stopped && rollout.reason ? rollout.reason : soaks });
      }
      continue;
    }

    // A pause holds at a gate too: approving the gate then opens it for when the pause is lifted.
    if (held(rollout.status)) return idle(rollout.status, { stage: stage.name, verify, ...(rollout.reason ? { reason: rollout.reason } : {}) });
    const started = stage.resources.some((r) => targets.get(r)?.deployment);
    if (stage.policy.gate === "comment" && !started && !rollout.approvals.some((a) => a.stage === stage.name)) {
      return idle("waiting", { stage: stage.name, verify, reason: `waits for an authorized \`/rollout ${stage.name}\`` });
    }

    const size = batchSize(stage.policy.batch, stage.resources.length);
    for (let first = 0; first < stage.resources.length; first += size) {
      const batch = stage.resources.slice(first, first + size);
      const open = batch.filter((r) => !["done", "failed"].includes(phaseOf(targets.get(r), verifies)));
      if (!open.length) continue;
      const deploy = open.filter((r) => phaseOf(targets.get(r), verifies) === "not_started");
      return idle("running", { stage: stage.name, deploy, verify });
    }
  }
  // Every stage settled: done, unless a person's rollback or a halt stopped it on the way.
  return idle(rollout.status === "rolled_back" || rollout.status === "halted" ? rollout.status : "succeeded", rollout.reason ? { reason: rollout.reason } : {});
}

/** A person's pause, or a halt not yet resumed, keeps new work from starting. */
function held(status: RolloutStatus): RolloutStatus | undefined {
  return status === "paused" || status === "halted" || status === "rolled_back" ? status : undefined;
}

/** Every resource of each batch that has a failure in it, that this rollout deployed: what a rollback takes back. */
function failingBatches(stage: PlannedStage, targets: ReadonlyMap<string, TargetState>): string[] {
  const verifies = stage.policy.verify !== undefined;
  const size = batchSize(stage.policy.batch, stage.resources.length);
  const back: string[] = [];
  for (let first = 0; first < stage.resources.length; first += size) {
    const batch = stage.resources.slice(first, first + size);
    if (!batch.some((r) => phaseOf(targets.get(r), verifies) === "failed")) continue;
    back.push(...batch.filter((r) => {
      const d = targets.get(r)?.deployment;
      return d !== undefined && isFinished(d.status);
    }));
  }
  return back;
}

function failure(target: TargetState): string {
  if (target.deployment && target.deployment.status !== "succeeded") return target.deployment.reason ?? target.deployment.status;
  return target.verification ? `verification failed: ${target.verification.detail}` : "failed";
}
