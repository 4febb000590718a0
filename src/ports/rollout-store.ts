// One owner's rollouts in the registry: what the tick job reads to decide the next
// step (src/rollout/advance.ts) and where it records what it decided. No pg types.
import type { Approval, RolloutOrigin, RolloutPlan, RolloutRecord, RolloutStatus, TargetState, Verification } from "../rollout/model.js";
import type { Owner } from "./registry.js";

export interface NewRollout {
  template: string;
  major: number;
  minor: number;
  plan: RolloutPlan;
  autoRollback: boolean;
  origin: RolloutOrigin;
}

export interface RolloutChange {
  status: RolloutStatus;
  /** Why, for people; null clears it. */
  reason?: string | null;
  /** The stage it works on or waits for. */
  stage?: string | null;
  /** Only if it is still in this status (a command may have moved it meanwhile). */
  from?: RolloutStatus;
}

export interface RolloutStore {
  readonly owner: Owner;
  /**
   * Records the rollout of a version, with one target per planned resource, unless the
   * version has one already (one per version, ever: then that one, created: false). Unfinished
   * rollouts of older minors of the same major end as `superseded` in the same transaction.
   */
  startRollout(input: NewRollout): Promise<{ rollout: RolloutRecord; created: boolean; superseded: RolloutRecord[] }>;
  getRollout(id: string): Promise<RolloutRecord | undefined>;
  /** The rollout of one version. */
  rolloutOf(template: string, major: number, minor: number): Promise<RolloutRecord | undefined>;
  /** Newest first; only one template's, only unfinished ones, or only those a pull request published, when asked. */
  rollouts(filter?: { template?: string; unfinished?: boolean; origin?: { repository: string; pullRequest: number }; limit?: number }): Promise<RolloutRecord[]>;
  /** Each target's current attempt: its deployment and rollback (if asked for), verdict, and whether the resource already runs the version. */
  targets(id: string): Promise<Map<string, TargetState>>;
  /** Whether a deployment (or rollback) this rollout asked for has not finished yet. */
  inFlight(id: string): Promise<boolean>;
  /** Moves an unended rollout on; false when it had ended, or was not `from` (nothing changes). */
  updateRollout(id: string, change: RolloutChange): Promise<boolean>;
  /** Opens a gate; false when the stage was approved already. */
  approve(id: string, approval: Approval): Promise<boolean>;
  /** Records a verification of a target's attempt; ignored when the attempt is no longer current. */
  recordVerification(id: string, resource: string, attempt: number, verification: Verification): Promise<void>;
  /**
   * `/rollout resume`: failed and rolled-back targets get another attempt, inconclusive verdicts are accepted
   * as passed (by `actor`), and the holds this rollout's rollbacks put are released. Returns the resources retried.
   */
  resume(id: string, actor: string): Promise<string[]>;
  /**
   * A new version's rollout takes back what rollouts of older versions of the template held:
   * their holds are lifted (the newer version is the fix). Returns the resources released.
   */
  releaseOlderHolds(template: string, major: number, minor: number): Promise<string[]>;
}
