// `rollout:` in .github/baryon.yml, once the schema accepted its shape: defaults
// applied, and the mistakes a schema cannot see (a stage listed twice, two
// permissions, settings a stage ignores) reported at the setting they concern.
// Also reads the deprecated top-level `stages:`.
import {
  DEFAULT_STAGE, PERMISSIONS, RESERVED_STAGE_NAMES,
  type Amount, type Approvers, type Permission, type RolloutPolicy, type StagePolicy, type Verification,
} from "../rollout/policy.js";
import { formatDuration, MAX_TIMEOUT_MS, parseDuration } from "./duration.js";

/** A stage as the schema lets it through, before defaults. */
export interface RawStage {
  name: string;
  batch?: number | string;
  soak?: number | string;
  failureTolerance?: number | string;
  verify?: { command?: string; http?: string; expect?: number; timeout?: number | string };
  gate?: "auto" | "comment";
  approvers?: string[];
  authorMayApprove?: boolean;
}

export interface RawRolloutConfig {
  rollout?: { stages: RawStage[]; autoRollback?: boolean };
  /** Deprecated: `rollout.stages`, where `gate: none` is `gate: auto`. */
  stages?: { name: string; gate?: "none" | "auto" | "comment" }[];
}

/** A mistake in the section, at the path of the setting it concerns; the caller adds file and line. */
export interface RolloutProblem {
  severity: "error" | "warning";
  /** `config-invalid`, or for a warning `config-deprecated` / `config-ignored`. */
  code: string;
  path: (string | number)[];
  message: string;
}

/** How long one verification may take when its `timeout:` is not given. */
export const VERIFY_TIMEOUT_MS = { command: 10 * 60_000, http: 30_000 } as const;

/**
 * The rollout policy a config gives, undefined without `rollout:` (nor the
 * deprecated `stages:`): the rollout then derives its stages from the
 * inventory (`defaultRolloutPolicy`). Any error means no policy.
 */
export function readRollout(raw: RawRolloutConfig): { rollout?: RolloutPolicy; problems: RolloutProblem[] } {
  if (raw.rollout && raw.stages) {
    const message = "`stages:` and `rollout:` are both given: `rollout.stages` replaces the top-level `stages:`; remove it";
    return { problems: [{ severity: "error", code: "config-invalid", path: ["stages"], message }] };
  }
  if (raw.stages) {
    const message = "top-level `stages:` is deprecated: move it under `rollout:` (as `rollout.stages`, where `gate: none` is `gate: auto`)";
    const problems: RolloutProblem[] = [{ severity: "warning", code: "config-deprecated", path: ["stages"], message }];
    const stages = readStages(raw.stages.map((s) => ({ name: s.name, gate: s.gate === "comment" ? "comment" : "auto" })), ["stages"], problems);
    return { ...(stages ? { rollout: { stages, autoRollback: false } } : {}), problems };
  }
  if (!raw.rollout) return { problems: [] };
  const problems: RolloutProblem[] = [];
  const stages = readStages(raw.rollout.stages, ["rollout", "stages"], problems);
  return { ...(stages ? { rollout: { stages, autoRollback: raw.rollout.autoRollback ?? false } } : {}), problems };
}

/** The stages with their defaults, undefined when one has an error. */
function readStages(raws: readonly RawStage[], at: (string | number)[], problems: RolloutProblem[]): StagePolicy[] | undefined {
  const errors = problems.length;
  const stages = raws.map((stage, i) => readStage(stage, [...at, i], problems));
  stages.forEach((stage, i) => {
    if (stages.findIndex((s) => s.name === stage.name) !== i) {
      problems.push({ severity: "error", code: "config-invalid", path: [...at, i, "name"], message: `${[...at, i].join(".")}: stage "${stage.name}" is listed twice` });
    }
  });
  return problems.slice(errors).some((p) => p.severity === "error") ? undefined : stages;
}

function readStage(raw: RawStage, at: (string | number)[], problems: RolloutProblem[]): StagePolicy {
  const where = at.join(".");
  const fail = (path: (string | number)[], message: string, severity: RolloutProblem["severity"] = "error") => problems.push({
    severity, code: severity === "error" ? "config-invalid" : "config-ignored", path: [...at, ...path], message: `${where}.${path.join(".")}${message}`,
  });
  if ((RESERVED_STAGE_NAMES as readonly string[]).includes(raw.name)) {
    fail(["name"], `: "${raw.name}" is a word of \`/rollout ${raw.name}\`, not a stage name (${RESERVED_STAGE_NAMES.join(", ")} are reserved): name the stage otherwise`);
  }
  const gate = raw.gate ?? DEFAULT_STAGE.gate;
  if (gate === "auto") {
    // Harmless, but whoever wrote them expects a gate that is not there.
    const ignored = (["approvers", "authorMayApprove"] as const).filter((key) => raw[key] !== undefined);
    for (const key of ignored) fail([key], ` does nothing: stage "${raw.name}" has gate auto (add \`gate: comment\` to make it wait for an approver)`, "warning");
  }
  const stage: StagePolicy = {
    name: raw.name,
    batch: raw.batch === undefined ? DEFAULT_STAGE.batch : amount(raw.batch),
    soakMs: raw.soak === undefined ? DEFAULT_STAGE.soakMs : parseDuration(raw.soak) ?? 0,
    failureTolerance: raw.failureTolerance === undefined ? DEFAULT_STAGE.failureTolerance : amount(raw.failureTolerance),
    gate,
    approvers: raw.approvers === undefined ? DEFAULT_STAGE.approvers : approvers(raw.approvers, (i, message) => fail(["approvers", i], message)),
    authorMayApprove: raw.authorMayApprove ?? DEFAULT_STAGE.authorMayApprove,
  };
  if (raw.verify) stage.verify = verification(raw.verify, (message) => fail(["verify", "timeout"], message));
  return stage;
}

/** `2` or `"50%"`; the schema has checked the range. */
function amount(value: number | string): Amount {
  return typeof value === "number" ? { count: value } : { percent: Number(value.slice(0, -1)) };
}

/** Teams (lower-cased, as GitHub's slugs are) and at most one permission. */
function approvers(list: readonly string[], fail: (index: number, message: string) => void): Approvers {
  const out: Approvers = { teams: [] };
  list.forEach((entry, i) => {
    if (!(PERMISSIONS as readonly string[]).includes(entry)) {
      const team = entry.toLowerCase();
      if (!out.teams.includes(team)) out.teams.push(team);
      return;
    }
    if (out.permission && out.permission !== entry) {
      fail(i, `: "${entry}" is a second permission after "${out.permission}": give at most one, the least a person needs (they need it or more)`);
    }
    out.permission ??= entry as Permission;
  });
  return out;
}

function verification(raw: NonNullable<RawStage["verify"]>, fail: (message: string) => void): Verification {
  // The schema has checked the spelling; a timeout past a day is a mistake (and overflows Node's timers soon after).
  const timeoutMs = raw.timeout === undefined ? VERIFY_TIMEOUT_MS[raw.http !== undefined ? "http" : "command"] : parseDuration(raw.timeout) ?? 0;
  if (timeoutMs < 1000 || timeoutMs > MAX_TIMEOUT_MS) fail(` ${JSON.stringify(raw.timeout)} must be between 1s and ${formatDuration(MAX_TIMEOUT_MS)}`);
  return raw.http !== undefined ? { http: raw.http, expect: raw.expect ?? 200, timeoutMs } : { command: raw.command!, timeoutMs };
}
