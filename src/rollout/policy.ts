// How a new minor version travels through the fleet: `rollout:` in
// `.github/baryon.yml` (schema/baryon.schema.json), with its defaults applied.
// Read "Rollouts" in DESIGN.md.

/** A stage's name, as environments' `stage:` labels spell it. */
export const STAGE_NAME = /^[a-z0-9][a-z0-9_-]*$/;

/** Words of `/rollout <word>` that are commands, so no stage may be named after them. */
export const RESERVED_STAGE_NAMES = ["status", "pause", "resume", "abort"] as const;

/** Why an environment's `stage:` label cannot name a stage, or undefined when it can. */
export function stageLabelProblem(stage: string): string | undefined {
  if (!STAGE_NAME.test(stage)) return `stage "${stage}" is not a valid stage label (lower-case letters, digits, "-" or "_", starting with a letter or digit)`;
  if ((RESERVED_STAGE_NAMES as readonly string[]).includes(stage)) {
    return `stage "${stage}" is a word of \`/rollout ${stage}\`, not a stage label (${RESERVED_STAGE_NAMES.join(", ")} are reserved)`;
  }
  return undefined;
}

/** A number of resources, or a share of a stage's resources. */
export type Amount = { count: number } | { percent: number };

/** A check run on each resource of a batch once its deployment succeeded. */
export type Verification =
  | { command: string; timeoutMs: number }
  | { http: string; expect: number; timeoutMs: number };

/** GitHub's repository permissions, weakest first. */
export const PERMISSIONS = ["read", "triage", "write", "maintain", "admin"] as const;
export type Permission = (typeof PERMISSIONS)[number];

/**
 * Who may open a gated stage: a member of any listed team (`org/team`), or anyone
 * with at least `permission` on the repository. Neither listed: admins only, since
 * a gate is there to be opened by people named for it (DESIGN: "Trust").
 */
export interface Approvers {
  teams: string[];
  permission?: Permission;
}

export interface StagePolicy {
  /** The stage label of the environments it covers. */
  name: string;
  /** At most this many deployments in flight; a batch is verified before the next starts. */
  batch: Amount;
  /** How long the stage must stay healthy before the next stage may start. */
  soakMs: number;
  /** Failures the stage may have; one more and nothing new starts: the rollout halts. */
  failureTolerance: Amount;
  verify?: Verification;
  /** `comment`: the stage starts only after an authorized `/rollout <stage>`. */
  gate: "auto" | "comment";
  approvers: Approvers;
  /** Whether the author of the publishing pull request may open the gate. */
  authorMayApprove: boolean;
}

export interface RolloutPolicy {
  stages: StagePolicy[];
  /** A batch that fails verification goes back to the last verified version, and is held. */
  autoRollback: boolean;
}

export const DEFAULT_STAGE: Omit<StagePolicy, "name"> = {
  batch: { percent: 100 },
  soakMs: 0,
  failureTolerance: { count: 0 },
  gate: "auto",
  approvers: { teams: [] },
  authorMayApprove: false,
};

/** Stages in this order first; other labels follow alphabetically. */
const KNOWN_ORDER = ["test", "staging", "prod"];

/**
 * The policy when the config has no `rollout:` section: one stage per stage label of
 * the inventory (`test`, `staging`, `prod`, then the rest alphabetically), with
 * `prod` gated by a comment.
 */
export function defaultRolloutPolicy(stageLabels: Iterable<string>): RolloutPolicy {
  const rank = (label: string) => (KNOWN_ORDER.includes(label) ? KNOWN_ORDER.indexOf(label) : KNOWN_ORDER.length);
  const labels = [...new Set(stageLabels)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return {
    stages: labels.map((name) => ({ ...DEFAULT_STAGE, name, ...(name === "prod" ? { gate: "comment" as const } : {}) })),
    autoRollback: false,
  };
}

/** A batch size out of `total` resources: a share rounds up, and a non-empty stage moves at least one at a time. */
export function batchSize(batch: Amount, total: number): number {
  const size = "count" in batch ? batch.count : Math.ceil((total * batch.percent) / 100);
  return Math.max(1, Math.min(size, total));
}

/** Failures a stage of `total` resources tolerates: a share rounds down (10% of 5 is none). */
export function toleratedFailures(tolerance: Amount, total: number): number {
  return "count" in tolerance ? tolerance.count : Math.floor((total * tolerance.percent) / 100);
}

export function atLeast(have: Permission, need: Permission): boolean {
  return PERMISSIONS.indexOf(have) >= PERMISSIONS.indexOf(need);
}
