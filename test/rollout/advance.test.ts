import { describe, expect, it } from "vitest";
import { advance, stageProgress } from "../../src/rollout/advance.js";
import type { RolloutRecord, TargetState, Verdict } from "../../src/rollout/model.js";
import { planRollout, type RolloutCandidate } from "../../src/rollout/plan.js";
import { DEFAULT_STAGE, defaultRolloutPolicy, type RolloutPolicy, type StagePolicy } from "../../src/rollout/policy.js";

const T0 = new Date("2026-12-02T10:00:00Z");
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

const instance = (key: string, stage: string, extra: Partial<RolloutCandidate> = {}): RolloutCandidate =>
  ({ key: `svc/${key}`, kind: "service_instance", template: { name: "api", major: 1 }, stage, service: "svc", ...extra });

function stage(name: string, over: Partial<StagePolicy> = {}): StagePolicy {
  return { ...DEFAULT_STAGE, name, ...over };
}

function rolloutOf(candidates: RolloutCandidate[], policy: RolloutPolicy, over: Partial<RolloutRecord> = {}): RolloutRecord {
  return {
    id: "1", template: "api", major: 1, minor: 1, status: "running", plan: planRollout({ template: "api", major: 1, minor: 1 }, candidates, policy),
    autoRollback: policy.autoRollback, approvals: [], origin: { repository: "acme/templates", pullRequest: 7, author: "octocat" },
    createdAt: T0, updatedAt: T0, ...over,
  };
}

/** A fleet whose recorded state the test moves on step by step, as the registry would. */
class Fleet {
  readonly targets = new Map<string, TargetState>();
  deployed(keys: string[], status: "succeeded" | "failed" = "succeeded", finished = T0): void {
    for (const key of keys) {
      const t = this.targets.get(key) ?? { resource: key, attempt: 0 };
      this.targets.set(key, { ...t, deployment: { id: `d-${key}`, status, finishedAt: finished, ...(status === "failed" ? { reason: "stack rolled back" } : {}) } });
    }
  }
  started(keys: string[]): void {
    for (const key of keys) this.targets.set(key, { resource: key, attempt: 0, deployment: { id: `d-${key}`, status: "in_progress" } });
  }
  verified(key: string, verdict: Verdict, when = T0): void {
    this.targets.set(key, { ...this.targets.get(key)!, verification: { verdict, at: when, detail: verdict === "passed" ? "ok" : "smoke.sh exited with 1" } });
  }
}

describe("planRollout", () => {
  it("takes every resource that follows the major, by stage in the policy's order; pinned, held and stageless ones are listed as skipped", () => {
    const candidates: RolloutCandidate[] = [
      instance("b-prod", "prod"), instance("a-test", "test"), instance("pinned", "test", { template: { name: "api", major: 1, minor: 0 } }),
      instance("held", "prod", { held: "rolled back by rollout 3" }), instance("qa", "qa"),
      { key: "svc/pipeline", kind: "service_pipeline", template: { name: "api", major: 1 }, service: "svc" },
      instance("other-major", "test", { template: { name: "api", major: 2 } }), instance("other-template", "test", { template: { name: "web", major: 1 } }),
    ];
    const plan = planRollout({ template: "api", major: 1, minor: 1 }, candidates, defaultRolloutPolicy(["prod", "test"]));
    expect(plan.stages.map((s) => [s.name, s.resources])).toEqual([["test", ["svc/a-test"]], ["prod", ["svc/b-prod", "svc/pipeline"]]]);
    expect(plan.skipped).toEqual([
      { resource: "svc/held", why: "held: rolled back by rollout 3" },
      { resource: "svc/pinned", why: "pinned to 1.0" },
      { resource: "svc/qa", why: 'stage "qa" is not a rollout stage (test, prod)' },
    ]);
  });
});

describe("advance", () => {
  const policy: RolloutPolicy = { stages: [stage("test", { batch: { count: 2 }, soakMs: 10 * 60_000 }), stage("prod", { gate: "comment", batch: { count: 1 } })], autoRollback: false };
  const fleet = [instance("t1", "test"), instance("t2", "test"), instance("t3", "test"), instance("p1", "prod"), instance("p2", "prod")];

  it("deploys test in batches, soaks, waits at the prod gate, then deploys prod one at a time to success", () => {
    const rollout = rolloutOf(fleet, policy);
    const f = new Fleet();
    expect(advance(rollout, f.targets, T0)).toMatchObject({ status: "running", stage: "test", deploy: ["svc/t1", "svc/t2"] });
    f.started(["svc/t1", "svc/t2"]);
    // In flight: nothing more starts.
    expect(advance(rollout, f.targets, T0)).toMatchObject({ status: "running", deploy: [] });
    f.deployed(["svc/t1", "svc/t2"]);
    expect(advance(rollout, f.targets, T0)).toMatchObject({ deploy: ["svc/t3"] });
    f.deployed(["svc/t3"], "succeeded", at(1));
    const soaking = advance(rollout, f.targets, at(5));
    expect(soaking).toMatchObject({ status: "running", stage: "test", deploy: [], wakeAt: at(11) });
    // Paused while it soaks: the pause's reason is kept, and the soak's end still wakes it.
    const pausedSoaking = advance({ ...rollout, status: "paused", reason: "paused by lead" }, f.targets, at(5));
    expect(pausedSoaking).toMatchObject({ status: "paused", stage: "test", deploy: [], wakeAt: at(11), reason: "paused by lead" });
    expect(advance(rollout, f.targets, at(11))).toMatchObject({ status: "waiting", stage: "prod", deploy: [], reason: "waits for an authorized `/rollout prod`" });

    // Paused at the gate, it stays paused, approved or not; resumed, the approval opens it.
    const paused = { ...rollout, status: "paused" as const, reason: "paused by lead" };
    expect(advance(paused, f.targets, at(11))).toMatchObject({ status: "paused", stage: "prod", deploy: [], reason: "paused by lead" });
    expect(advance({ ...paused, approvals: [{ stage: "prod", by: "lead", at: at(12) }] }, f.targets, at(12))).toMatchObject({ status: "paused", deploy: [] });

    const approved = { ...rollout, approvals: [{ stage: "prod", by: "lead", at: at(12) }] };
    expect(advance(approved, f.targets, at(12))).toMatchObject({ status: "running", stage: "prod", deploy: ["svc/p1"] });
    f.deployed(["svc/p1", "svc/p2"]);
    expect(advance(approved, f.targets, at(13))).toEqual({ status: "succeeded", deploy: [], verify: [], rollback: [] });
  });

  it("halts as soon as failures exceed the tolerance: nothing new starts, and the reason names each failure", () => {
    const tolerant: RolloutPolicy = { stages: [stage("test", { batch: { count: 1 }, failureTolerance: { count: 1 } })], autoRollback: false };
    const rollout = rolloutOf(fleet.slice(0, 3), tolerant);
    const f = new Fleet();
    f.deployed(["svc/t1"], "failed");
    expect(advance(rollout, f.targets, T0)).toMatchObject({ status: "running", deploy: ["svc/t2"] });
    f.deployed(["svc/t2"], "failed");
    expect(advance(rollout, f.targets, T0)).toEqual({
      status: "halted", stage: "test", deploy: [], verify: [], rollback: [],
      reason: "2 of 3 in test failed (tolerance 1): svc/t1 (stack rolled back), svc/t2 (stack rolled back)",
    });
  });

  it("verifies each deployed resource; a failed verdict rolls its whole batch back when autoRollback is on", () => {
    const verified: RolloutPolicy = { stages: [stage("prod", { batch: { count: 2 }, verify: { command: "./smoke.sh", timeoutMs: 60_000 } })], autoRollback: true };
    const rollout = rolloutOf([instance("p1", "prod"), instance("p2", "prod"), instance("p3", "prod")], verified);
    const f = new Fleet();
    f.deployed(["svc/p1", "svc/p2"]);
    expect(advance(rollout, f.targets, T0)).toMatchObject({ status: "running", deploy: [], verify: ["svc/p1", "svc/p2"] });
    f.verified("svc/p1", "passed");
    f.verified("svc/p2", "failed");
    const step = advance(rollout, f.targets, T0);
    expect(step).toMatchObject({ status: "rolled_back", deploy: [], rollback: ["svc/p1", "svc/p2"] });
    expect(step.reason).toBe("1 of 3 in prod failed (tolerance 0): svc/p2 (verification failed: smoke.sh exited with 1)");
    // Rollbacks asked for are not asked again.
    f.targets.set("svc/p1", { ...f.targets.get("svc/p1")!, rollback: { id: "r1", status: "pending" } });
    expect(advance(rollout, f.targets, T0).rollback).toEqual(["svc/p2"]);
  });

  it("pauses for a person on an inconclusive verdict, and starts nothing while paused by one", () => {
    const verified: RolloutPolicy = { stages: [stage("test", { batch: { count: 1 }, verify: { http: "https://x/health", expect: 200, timeoutMs: 5000 } })], autoRollback: false };
    const rollout = rolloutOf(fleet.slice(0, 2), verified);
    const f = new Fleet();
    f.deployed(["svc/t1"]);
    f.verified("svc/t1", "inconclusive");
    expect(advance(rollout, f.targets, T0)).toMatchObject({ status: "paused", deploy: [] });
    f.verified("svc/t1", "passed");
    expect(advance(rollout, f.targets, T0)).toMatchObject({ status: "running", deploy: ["svc/t2"] });
    expect(advance({ ...rollout, status: "paused", reason: "paused by lead" }, f.targets, T0)).toMatchObject({ status: "paused", deploy: [], reason: "paused by lead" });
  });

  it("counts a resource already at the version as done, and leaves an ended rollout alone", () => {
    const rollout = rolloutOf(fleet.slice(0, 2), { stages: [stage("test")], autoRollback: false });
    const f = new Fleet();
    f.targets.set("svc/t1", { resource: "svc/t1", attempt: 0, nothingToDo: true });
    expect(advance(rollout, f.targets, T0)).toMatchObject({ deploy: ["svc/t2"] });
    expect(stageProgress(rollout.plan.stages[0]!, f.targets)).toMatchObject({ total: 2, done: 1, failed: 0 });
    expect(advance({ ...rollout, status: "superseded" }, f.targets, T0)).toMatchObject({ status: "superseded", deploy: [] });
  });
});
