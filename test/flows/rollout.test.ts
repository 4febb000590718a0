// Rollouts end to end on a real registry (Postgres), the real sandboxed renderer,
// the real `command` provisioner and the real verifier, driven by the job
// catalogue on an in-process queue: a published minor of `net` travels through
// `net@1` environments. Batches in order, soak, a comment gate; a failed
// verification rolled back and held; failure tolerance; an inconclusive verdict;
// a newer minor superseding; pinned and already-current resources; ticks run twice.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runRolloutCommand } from "../../src/flows/rollout-command.js";
import { requestRollback, startRollout, tickRollout } from "../../src/flows/rollout.js";
import { enqueueDeployment, enqueueTick } from "../../src/jobs/lanes.js";
import type { DeploymentRecord } from "../../src/ports/deployment-store.js";
import { stageProgress } from "../../src/rollout/advance.js";
import type { RolloutRecord } from "../../src/rollout/model.js";
import { ORIGIN, OWNER, policy, rolloutFleetPerTest, stage, type FleetEnvironment, type RolloutFleet } from "../support/rollout-fleet.js";

const openFleet = rolloutFleetPerTest();
const open = (...environments: FleetEnvironment[][]): Promise<RolloutFleet> => openFleet(environments.flat());
const envs = (stageName: string, ...names: string[]): FleetEnvironment[] => names.map((name) => ({ name, stage: stageName }));
const LEAD = { login: "lead" };

/** A person's command, then the tick it asks for, run to the end as the CLI and the app do. */
async function command(f: RolloutFleet, rollout: RolloutRecord, what: Parameters<typeof runRolloutCommand>[2]) {
  const outcome = await runRolloutCommand(f.ports, await f.rollout(rollout.id), what, LEAD);
  for (const d of outcome.deployments) await enqueueDeployment(f.adapters.queue, OWNER, d);
  if (outcome.tick) await enqueueTick(f.adapters.queue, OWNER, rollout.id, `command-${what.action}-${f.steps.length}`);
  await f.adapters.queue.idle();
  return { outcome, rollout: await f.rollout(rollout.id) };
}

/** The one deployment the rollout made of each resource. */
async function onlyDeployments(f: RolloutFleet, rollout: RolloutRecord, keys: string[]): Promise<DeploymentRecord[]> {
  return Promise.all(keys.map(async (key) => {
    const deployments = await f.deploymentsOf(key, rollout.id);
    expect(deployments.map((d) => d.resource), key).toEqual([key]);
    return deployments[0]!;
  }));
}
const at = (d: Date | undefined) => d!.getTime();

describe("a rollout through test and a gated prod", () => {
  it("deploys test batch by batch, soaks, waits at the prod gate, and finishes prod once approved", async () => {
    const f = await open(envs("test", "web-test-1", "web-test-2", "web-test-3"), envs("prod", "web-prod-1", "web-prod-2"));
    const SOAK_MS = 300;
    const rolloutPolicy = policy([stage("test", { batch: { count: 2 }, soakMs: SOAK_MS }), stage("prod", { gate: "comment", batch: { count: 1 } })]);
    const waiting = await f.roll(await f.publishNet(1), rolloutPolicy);
    expect(waiting).toMatchObject({ template: "net", major: 1, minor: 1, status: "waiting", stage: "prod", reason: "waits for an authorized `/rollout prod`" });
    expect(waiting.plan.stages.map((s) => [s.name, s.resources])).toEqual([["test", ["web-test-1", "web-test-2", "web-test-3"]], ["prod", ["web-prod-1", "web-prod-2"]]]);

    // Two at a time: the second batch is asked for only once the first has finished.
    const [first1, first2, second] = await onlyDeployments(f, waiting, ["web-test-1", "web-test-2", "web-test-3"]);
    for (const d of [first1!, first2!, second!]) expect(d).toMatchObject({ status: "succeeded", minor: 1, rollout: { id: waiting.id, attempt: 0, rollback: false } });
    expect(Math.max(at(first1!.createdAt), at(first2!.createdAt))).toBeLessThanOrEqual(Math.min(at(first1!.finishedAt), at(first2!.finishedAt)));
    expect(at(second!.createdAt)).toBeGreaterThanOrEqual(Math.max(at(first1!.finishedAt), at(first2!.finishedAt)));
    expect(await f.deploymentsOf("web-prod-1", waiting.id)).toEqual([]);

    // The gate was reached only once test had soaked.
    const test = stageProgress(waiting.plan.stages[0]!, await f.rollouts.targets(waiting.id));
    expect(at(test.settledAt)).toBe(at(second!.finishedAt));
    expect(at(test.soakEndsAt) - at(test.settledAt)).toBe(SOAK_MS);
    const steps = f.steps.filter((s) => s.rollout === waiting.id);
    expect(steps).toContainEqual(expect.objectContaining({ status: "running", stage: "test", reason: `test soaks until ${test.soakEndsAt!.toISOString()}` }));
    expect(at(steps.find((s) => s.status === "waiting")!.at)).toBeGreaterThanOrEqual(at(test.soakEndsAt));

    const { outcome, rollout: done } = await command(f, waiting, { action: "approve", stage: "prod" });
    expect(outcome).toMatchObject({ ok: true, reply: "Opened prod for net 1.1: 2 resource(s), 1 at a time." });
    expect(done).toMatchObject({ status: "succeeded", approvals: [{ stage: "prod", by: "lead" }] });
    expect(done.finishedAt).toBeInstanceOf(Date);
    const [prod1, prod2] = await onlyDeployments(f, waiting, ["web-prod-1", "web-prod-2"]);
    expect(at(prod1!.createdAt)).toBeGreaterThanOrEqual(at(test.soakEndsAt));
    expect(at(prod2!.createdAt)).toBeGreaterThanOrEqual(at(prod1!.finishedAt));

    expect(await f.versions()).toEqual({ "web-prod-1": "1.1", "web-prod-2": "1.1", "web-test-1": "1.1", "web-test-2": "1.1", "web-test-3": "1.1" });
    const rolled = f.deployed().filter((line) => line.endsWith(" 1.1"));
    expect([rolled.slice(0, 2).sort(), rolled.slice(2)]).toEqual([["web-test-1 1.1", "web-test-2 1.1"], ["web-test-3 1.1", "web-prod-1 1.1", "web-prod-2 1.1"]]);
    expect(f.jobErrors).toEqual([]);
  });
});

describe("a failing verification with autoRollback", () => {
  const PROD = envs("prod", "web-prod-1", "web-prod-2", "web-prod-3");

  /** Publishes 1.1 with a prod check that fails for whatever the `broken` file lists; 1.1 halts in prod's first batch. */
  async function rolledBack(broken: string) {
    const f = await open(envs("test", "web-test-1"), PROD);
    const check = { command: `! grep -qx "$BARYON_RESOURCE" '${broken}'`, timeoutMs: 10_000 };
    const rollout = await f.roll(await f.publishNet(1), policy([stage("test"), stage("prod", { batch: { count: 2 }, verify: check })], true));
    expect(rollout).toMatchObject({ status: "rolled_back", stage: "prod" });
    expect(rollout.reason).toBe(`1 of 3 in prod failed (tolerance 0): web-prod-2 (verification failed: \`${check.command}\` exited with 1)`);
    return { f, rollout };
  }

  it("rolls the failed batch back to the previous version as rollbacks and holds it, until a newer minor takes it back in", async () => {
    const broken = join(mkdtempSync(join(tmpdir(), "baryon-broken-")), "broken");
    writeFileSync(broken, "web-prod-2\n");
    const { f, rollout } = await rolledBack(broken);

    // prod's first batch (web-prod-1 passed, web-prod-2 failed) goes back to 1.0; web-prod-3 never started.
    for (const key of ["web-prod-1", "web-prod-2"]) {
      const deployments = await f.deploymentsOf(key, rollout.id);
      expect(deployments.map((d) => [`${d.major}.${d.minor}`, d.status, d.rollout, d.requestedBy.reason])).toEqual([
        ["1.1", "succeeded", { id: rollout.id, attempt: 0, rollback: false }, "rollout"],
        ["1.0", "succeeded", { id: rollout.id, attempt: 0, rollback: true }, "rollback"],
      ]);
      expect((await f.store.resource(key))!.held).toBe("rolled back to 1.0 by the rollout of net 1.1");
    }
    expect(await f.deploymentsOf("web-prod-3", rollout.id)).toEqual([]);
    expect(await f.versions()).toEqual({ "web-prod-1": "1.0", "web-prod-2": "1.0", "web-prod-3": "1.0", "web-test-1": "1.1" });
    expect((await f.rollouts.targets(rollout.id)).get("web-prod-2")!.verification).toMatchObject({ verdict: "failed" });

    // The next minor (the fix) takes them back in: their holds are lifted, and they reach 1.2 with the rest.
    const later = await f.roll(await f.publishNet(2), policy([stage("test"), stage("prod")]));
    expect(later.plan.skipped).toEqual([]);
    expect(later.status).toBe("succeeded");
    for (const key of ["web-prod-1", "web-prod-2"]) expect((await f.store.resource(key))!.held, key).toBeUndefined();
    expect(await f.versions()).toEqual({ "web-prod-1": "1.2", "web-prod-2": "1.2", "web-prod-3": "1.2", "web-test-1": "1.2" });
    expect(await f.rollout(rollout.id)).toMatchObject({ status: "superseded", reason: "superseded by 1.2" });
    expect(f.jobErrors).toEqual([]);
  });

  it("goes on once resumed after the cause is fixed: the batch is deployed again, verified, released, and the rollout succeeds", async () => {
    const broken = join(mkdtempSync(join(tmpdir(), "baryon-broken-")), "broken");
    writeFileSync(broken, "web-prod-2\n");
    const { f, rollout } = await rolledBack(broken);

    writeFileSync(broken, ""); // fixed
    const { outcome, rollout: resumed } = await command(f, rollout, { action: "resume" });
    expect(outcome).toMatchObject({ ok: true });
    expect(outcome.reply).toMatch(/^Resumed the rollout of net 1\.1; retrying .*`web-prod-2`/);
    expect(resumed).toMatchObject({ status: "succeeded" });
    for (const key of ["web-prod-1", "web-prod-2"]) expect((await f.store.resource(key))!.held, key).toBeUndefined();
    expect((await f.rollouts.targets(rollout.id)).get("web-prod-2")).toMatchObject({ attempt: 1, deployment: { status: "succeeded" }, verification: { verdict: "passed" } });
    // Succeeded means every resource it reached runs 1.1, the ones rolled back included.
    expect(await f.versions()).toEqual({ "web-prod-1": "1.1", "web-prod-2": "1.1", "web-prod-3": "1.1", "web-test-1": "1.1" });
    expect(f.jobErrors).toEqual([]);
  });
});

describe("failure tolerance", () => {
  it("goes on past one failed deploy with a tolerance of 1, and halts naming both when two fail", async () => {
    const f = await open(envs("test", "web-test-1", "web-test-2", "web-test-3"), envs("prod", "web-prod-1"));
    const tolerant = policy([stage("test", { failureTolerance: { count: 1 } }), stage("prod")]);
    f.failDeploys("web-test-2 1.1");
    const first = await f.roll(await f.publishNet(1), tolerant);
    expect(first.status).toBe("succeeded");
    const [failed] = await onlyDeployments(f, first, ["web-test-2"]);
    expect(failed).toMatchObject({ status: "failed", reason: expect.stringContaining("exited with code 3") });
    expect(await f.versions()).toEqual({ "web-prod-1": "1.1", "web-test-1": "1.1", "web-test-2": "1.0", "web-test-3": "1.1" });

    f.failDeploys("web-test-1 1.2", "web-test-3 1.2");
    const second = await f.roll(await f.publishNet(2), tolerant);
    expect(second).toMatchObject({ status: "halted", stage: "test" });
    expect(second.reason).toMatch(/^2 of 3 in test failed \(tolerance 1\): web-test-1 \([^)]*exited with code 3[^)]*\), web-test-3 \([^)]*exited with code 3[^)]*\)$/);
    expect(await f.deploymentsOf("web-prod-1", second.id)).toEqual([]);
    expect(await f.versions()).toEqual({ "web-prod-1": "1.1", "web-test-1": "1.1", "web-test-2": "1.2", "web-test-3": "1.1" });
    expect(f.jobErrors).toEqual([]);
  });
});

describe("an inconclusive verification", () => {
  it("pauses the rollout, and a resume accepts the verdict and goes on", async () => {
    const f = await open(envs("test", "web-test-1"), envs("prod", "web-prod-1"));
    const unsure = { command: 'echo "health of $BARYON_RESOURCE unknown yet"; exit 75', timeoutMs: 10_000 };
    const paused = await f.roll(await f.publishNet(1), policy([stage("test", { verify: unsure }), stage("prod")]));
    expect(paused).toMatchObject({ status: "paused", stage: "test" });
    expect(paused.reason).toBe(`verification was inconclusive for web-test-1 (\`${unsure.command}\` exited with 75: health of web-test-1 unknown yet): a person decides (\`/rollout resume\` accepts it)`);
    expect(await f.deploymentsOf("web-prod-1", paused.id)).toEqual([]);

    const { outcome, rollout } = await command(f, paused, { action: "resume" });
    expect(outcome).toMatchObject({ ok: true, reply: "Resumed the rollout of net 1.1." });
    expect(rollout.status).toBe("succeeded");
    expect((await f.rollouts.targets(paused.id)).get("web-test-1")!.verification).toMatchObject({ verdict: "passed", detail: "inconclusive, accepted by lead" });
    await onlyDeployments(f, paused, ["web-test-1", "web-prod-1"]);
    expect(await f.versions()).toEqual({ "web-prod-1": "1.1", "web-test-1": "1.1" });
  });
});

describe("a newer minor", () => {
  it("supersedes the rollout waiting at the prod gate, and prod goes straight to the newer minor", async () => {
    const f = await open(envs("test", "web-test-1"), envs("prod", "web-prod-1"));
    const gated = policy([stage("test"), stage("prod", { gate: "comment" })]);
    const older = await f.roll(await f.publishNet(1), gated);
    expect(older).toMatchObject({ minor: 1, status: "waiting", stage: "prod" });

    const newer = await f.roll(await f.publishNet(2), gated);
    expect(newer).toMatchObject({ minor: 2, status: "waiting", stage: "prod" });
    expect(await f.rollout(older.id)).toMatchObject({ status: "superseded", reason: "superseded by 1.2" });
    const late = await command(f, older, { action: "approve", stage: "prod" });
    expect(late.outcome).toMatchObject({ ok: false, reply: "The rollout of net 1.1 has ended (superseded). Nothing was done." });

    const { rollout } = await command(f, newer, { action: "approve", stage: "prod" });
    expect(rollout.status).toBe("succeeded");
    expect(f.deployed().filter((line) => line.startsWith("web-prod-1 "))).toEqual(["web-prod-1 1.0", "web-prod-1 1.2"]);
    expect(await f.versions()).toEqual({ "web-prod-1": "1.2", "web-test-1": "1.2" });
  });
});

describe("a rollback", () => {
  it("goes back to the version before the rollout, past a success at the rollout's own version from elsewhere", async () => {
    const f = await open(envs("test", "web-test-1"));
    const rollout = await f.roll(await f.publishNet(1), policy([stage("test")]));
    expect(await f.versions()).toEqual({ "web-test-1": "1.1" });
    // After the rollout, the resource deployed again at 1.1 outside it (as a pipeline does for its instances' outputs).
    const [done] = await f.deploymentsOf("web-test-1", rollout.id);
    const { deployment: again } = await f.store.requestDeployment(undefined, {
      resource: "web-test-1", action: "deploy", template: "net", major: 1, minor: 1, inputs: { count: 2 },
      provisioner: done!.provisioner, provisionerSettings: done!.provisionerSettings, requestedBy: { actor: "baryon", reason: "instance outputs changed: x" },
    });
    await f.store.startDeployment(again.id, "digest");
    await f.store.finishDeployment(again.id, { status: "succeeded", outputs: {} });

    const rollback = await requestRollback(f.ports, rollout, "web-test-1", 0, { actor: "lead", reason: "rollback" });
    expect(rollback).toMatchObject({ major: 1, minor: 0, rollout: { id: rollout.id, rollback: true } });
  });
});

describe("what a rollout leaves alone", () => {
  it("skips and lists a pinned resource, and counts one already at the version as done without deploying it", async () => {
    const f = await open([{ name: "web-test-1", stage: "test" }, { name: "web-test-pinned", stage: "test", template: "net@1.0" }]);
    const published = await f.publishNet(1);
    // Created after 1.1 was published: it starts at 1.1.
    const [created] = await f.reconcile([{ name: "web-test-new", stage: "test" }]);
    expect(created).toMatchObject({ resource: "web-test-new", minor: 1 });

    const rollout = await f.roll(published, policy([stage("test")]));
    expect(rollout.status).toBe("succeeded");
    expect(rollout.plan.skipped).toEqual([{ resource: "web-test-pinned", why: "pinned to 1.0" }]);
    expect((await f.rollouts.targets(rollout.id)).get("web-test-new")).toEqual({ resource: "web-test-new", attempt: 0, nothingToDo: true });
    expect(await f.deploymentsOf("web-test-new", rollout.id)).toEqual([]);
    expect(await f.deploymentsOf("web-test-pinned", rollout.id)).toEqual([]);
    expect(f.deployed().filter((line) => line.endsWith(" 1.1"))).toEqual(["web-test-new 1.1", "web-test-1 1.1"]);
    expect(await f.versions()).toEqual({ "web-test-1": "1.1", "web-test-new": "1.1", "web-test-pinned": "1.0" });
  });
});

describe("ticks per batch", () => {
  it("tick once a batch is over, not after each of its deployments", async () => {
    const names = Array.from({ length: 8 }, (_, i) => `web-test-${i + 1}`);
    const f = await open(envs("test", ...names));
    const done = await f.roll(await f.publishNet(1), policy([stage("test")]));
    expect(done.status).toBe("succeeded");
    await onlyDeployments(f, done, names);
    // The start, then the batch's end (two when its last two deployments finish in different slots).
    const ticks = f.steps.filter((s) => s.rollout === done.id);
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    expect(ticks.length).toBeLessThanOrEqual(3);
  });
});

describe("ticks run twice", () => {
  it("ask for one deployment per resource and attempt, however often and however concurrently a rollout is ticked", async () => {
    const f = await open(envs("test", "web-test-1", "web-test-2"));
    await f.publishNet(1);
    const started = await startRollout(f.ports, { template: "net", major: 1, minor: 1, origin: ORIGIN, policy: policy([stage("test")]) });
    if (!started.started) throw new Error(started.why);
    const id = started.rollout.id;

    const ticks = await Promise.all([tickRollout(f.ports, id), tickRollout(f.ports, id)]);
    const asked = ticks.flatMap((t) => t!.deployments);
    expect([...new Map(asked.map((d) => [d.id, d.resource])).values()].sort()).toEqual(["web-test-1", "web-test-2"]);
    expect((await tickRollout(f.ports, id))!.deployments).toEqual([]); // asked for, not finished: nothing new

    // The same turn queued twice is one job; each deployment queued twice runs once.
    expect(await enqueueTick(f.adapters.queue, OWNER, id, "again")).toBe(true);
    expect(await enqueueTick(f.adapters.queue, OWNER, id, "again")).toBe(false);
    for (const d of asked) await enqueueDeployment(f.adapters.queue, OWNER, d, `twice-${d.id}`);
    for (const d of asked) await enqueueDeployment(f.adapters.queue, OWNER, d);
    await f.adapters.queue.idle();

    expect((await f.rollout(id)).status).toBe("succeeded");
    await onlyDeployments(f, started.rollout, ["web-test-1", "web-test-2"]);
    expect(f.deployed().filter((line) => line.endsWith(" 1.1")).sort()).toEqual(["web-test-1 1.1", "web-test-2 1.1"]);
    const after = await tickRollout(f.ports, id);
    expect(after).toMatchObject({ deployments: [], step: { status: "succeeded" } });
    expect(f.jobErrors).toEqual([]);
  });
});
