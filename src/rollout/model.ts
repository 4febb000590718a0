// A rollout: one published minor travelling through the stages of the fleet that
// follows its major. The registry records it; jobs advance it (advance.ts decides
// each step from what is recorded, so a lost job or a restart costs time only).
import type { DeploymentStatus } from "../inventory/deployment-status.js";
import type { StagePolicy } from "./policy.js";

export type RolloutStatus =
  | "running"     // deploying, verifying or soaking
  | "waiting"     // at a gate: an authorized `/rollout <stage>` opens it
  | "paused"      // by a person, or by an inconclusive verification
  | "halted"      // the failure tolerance was exceeded: nothing new starts
  | "rolled_back" // halted, and the failing batch went back to the last verified version
  | "succeeded"
  | "aborted"
  | "superseded"; // a newer minor of the same major took over

/** After these, nothing more happens to a rollout. */
export const ENDED: ReadonlySet<RolloutStatus> = new Set(["succeeded", "aborted", "superseded"]);

export interface PlannedStage {
  name: string;
  policy: StagePolicy;
  /** Resource keys, in deployment order: environments, instances, then pipelines. */
  resources: string[];
}

/** A resource of the major that the rollout leaves alone, and why ("pinned to 1.0", "held: …"). */
export interface SkippedResource {
  resource: string;
  why: string;
}

export interface RolloutPlan {
  stages: PlannedStage[];
  skipped: SkippedResource[];
}

/** Where the version was published: commands and the progress table live on that pull request. */
export interface RolloutOrigin {
  /** "owner/name". */
  repository: string;
  pullRequest?: number;
  /** The pull request's author (for `authorMayApprove`). */
  author?: string;
  commit?: string;
}

export interface Approval {
  stage: string;
  by: string;
  at: Date;
  commentUrl?: string;
}

export interface RolloutRecord {
  id: string;
  template: string;
  major: number;
  minor: number;
  status: RolloutStatus;
  /** The stage it works on or waits for. */
  stage?: string;
  plan: RolloutPlan;
  autoRollback: boolean;
  approvals: Approval[];
  /** Why it halted, paused, ended; the last step's summary otherwise. */
  reason?: string;
  origin: RolloutOrigin;
  createdAt: Date;
  updatedAt: Date;
  finishedAt?: Date;
}

export type Verdict = "passed" | "failed" | "inconclusive";

export interface Verification {
  verdict: Verdict;
  at: Date;
  detail: string;
}

/** A deployment as far as the rollout cares. */
export interface DeploymentView {
  id: string;
  status: DeploymentStatus;
  finishedAt?: Date;
  reason?: string;
}

/** One resource of the rollout, as the registry records it for the current attempt. */
export interface TargetState {
  resource: string;
  /** Starts at 0; `/rollout resume` gives the failed ones another attempt. */
  attempt: number;
  /** The rollout's deployment of this attempt, once asked for. */
  deployment?: DeploymentView;
  /**
   * Nothing to do: the resource reached the version another way (created at it, deployed by a
   * reconcile), or no longer follows the rollout (left the inventory, moved to another template or
   * major, pinned, or held by another rollout's rollback) since it was planned.
   */
  nothingToDo?: boolean;
  verification?: Verification;
  /** The rollback of this attempt, once asked for. */
  rollback?: DeploymentView;
}
