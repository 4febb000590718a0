// A verification that cannot be carried out still ends in a verdict, so the rollout
// pauses for a person instead of "verifying" for ever: a resource that left the
// inventory after its deployment succeeded, and a verifier that throws on every try
// (the queue retries it; the last try records `inconclusive`). On a real registry
// (Postgres) with the job catalogue on an in-process queue (test/support/rollout-fleet.ts).
import { describe, expect, it } from "vitest";
import { createMetrics } from "../../src/adapters/metrics.js";
import { runRolloutCommand } from "../../src/flows/rollout-command.js";
import { startRollout, tickRollout } from "../../src/flows/rollout.js";
import { enqueueTick, ownerData } from "../../src/jobs/lanes.js";
import { verifyJob, type VerifyJobData } from "../../src/jobs/rollout.js";
import type { Verifier } from "../../src/ports/verifier.js";
import type { RolloutRecord } from "../../src/rollout/model.js";
import { ORIGIN, OWNER, policy, rolloutFleetPerTest, stage, type RolloutFleet } from "../support/rollout-fleet.js";

const open = rolloutFleetPerTest();

const CHECK = { command: "true", timeoutMs: 10_000 };
const VERIFIED = policy([stage("test", { verify: CHECK }), stage("prod")]);
const broken: Verifier = { verify: async () => { throw new Error("mkdtemp: no space left on device"); } };
const PAUSED_FOR = (detail: string) => `verification was inconclusive for web-test-1 (${detail}): a person decides (\`/rollout resume\` accepts it)`;

/**
 * net 1.1 rolling out to web-test-1 (then web-prod-1): its deployment succeeded and its
 * verification is due, not yet run. The steps are taken here, not by the queue, so that
 * a test can change the world before the verification runs.
 */
async function awaitingVerification(): Promise<{ f: RolloutFleet; rollout: RolloutRecord; job: VerifyJobData }> {
  const f = await open([{ name: "web-test-1", stage: "test" }, { name: "web-prod-1", stage: "prod" }]);
  await f.publishNet(1);
  const started = await startRollout(f.ports, { template: "net", major: 1, minor: 1, origin: ORIGIN, policy: VERIFIED });
  if (!started.started) throw new Error(started.why);
  const { deployments: [deployment] } = (await tickRollout(f.ports, started.rollout.id))!;
  expect(deployment).toMatchObject({ resource: "web-test-1", minor: 1 });
  expect(await f.store.startDeployment(deployment!.id, "sha256:test")).toBe(true);
  expect(await f.store.finishDeployment(deployment!.id, { status: "succeeded", outputs: { Url: "http://web-test-1.example" } })).toBe(true);
  const due = (await tickRollout(f.ports, started.rollout.id))!;
  expect(due.verify).toEqual([{ resource: "web-test-1", attempt: 0, deployment: deployment!.id }]);
  return { f, rollout: due.rollout, job: { ...ownerData(OWNER), rollout: started.rollout.id, ...due.verify[0]! } };
}

describe("a resource that left the inventory before its verification", () => {
  it("gets an inconclusive verdict saying so, and the rollout pauses for a person", async () => {
    const { f, rollout, job } = await awaitingVerification();
    // Removed from the inventory meanwhile: its delete ran in its lane before the verification.
    const [deployed] = await f.store.deploymentsOf("web-test-1", 1);
    const { template, major, minor, inputs, provisioner, provisionerSettings } = deployed!;
    const { deployment: removal } = await f.store.requestDeployment(undefined, {
      resource: "web-test-1", action: "delete", template, major, minor, inputs, provisioner, provisionerSettings, requestedBy: { actor: "octocat", reason: "inventory change" },
    });
    await f.store.startDeployment(removal.id, "sha256:test");
    await f.store.finishDeployment(removal.id, { status: "delete_succeeded", outputs: {} });
    expect(await f.store.resource("web-test-1")).toBeUndefined();

    await enqueueTick(f.adapters.queue, OWNER, rollout.id, "after-removal");
    await f.adapters.queue.idle();
    const detail = "web-test-1 left the inventory after its deployment succeeded: there is nothing to check";
    expect((await f.rollouts.targets(rollout.id)).get("web-test-1")!.verification).toMatchObject({ verdict: "inconclusive", detail });
    expect(await f.rollout(rollout.id)).toMatchObject({ status: "paused", stage: "test", reason: PAUSED_FOR(detail) });
    expect(await f.deploymentsOf("web-prod-1", job.rollout)).toEqual([]);
    expect(f.jobErrors).toEqual([]);
  });
});

describe("a verifier that throws every time", () => {
  it("is retried by the queue, and its last try records an inconclusive verdict; a second record changes nothing", async () => {
    const { f, rollout, job } = await awaitingVerification();
    const context = { adapters: { ...f.adapters, verifier: broken }, metrics: createMetrics(), log: { info: () => undefined, warn: () => undefined, error: () => undefined } };
    const verification = async () => (await f.rollouts.targets(rollout.id)).get("web-test-1")!.verification;

    for (const attempt of [1, 2]) {
      await expect(verifyJob.run(job, context, { attempt })).rejects.toThrow("mkdtemp: no space left on device");
      expect(await verification(), `try ${attempt}`).toBeUndefined();
    }
    const detail = "the check could not be carried out: mkdtemp: no space left on device";
    expect(await verifyJob.run(job, context, { attempt: verifyJob.attempts! })).toBe(`web-test-1: inconclusive (${detail})`);
    const recorded = await verification();
    expect(recorded).toMatchObject({ verdict: "inconclusive", detail });
    await f.adapters.queue.idle();
    expect(await f.rollout(rollout.id)).toMatchObject({ status: "paused", stage: "test", reason: PAUSED_FOR(detail) });

    // Run again (a redelivery): the verdict stands as recorded.
    expect(await verifyJob.run(job, context, { attempt: verifyJob.attempts! })).toBe("web-test-1: verified already");
    expect(await verification()).toEqual(recorded);
  });

  it("pauses a rollout run by the queue instead of leaving it verifying, and `/rollout resume` carries it on", async () => {
    const f = await open([{ name: "web-test-1", stage: "test" }, { name: "web-prod-1", stage: "prod" }]);
    f.adapters.verifier = broken;
    const paused = await f.roll(await f.publishNet(1), VERIFIED);
    expect(paused).toMatchObject({ status: "paused", stage: "test", reason: PAUSED_FOR("the check could not be carried out: mkdtemp: no space left on device") });
    expect(await f.deploymentsOf("web-prod-1", paused.id)).toEqual([]);

    // A person accepts the verdict, as the app and the CLI do it: the command, then the tick it asks for.
    const outcome = await runRolloutCommand(f.ports, paused, { action: "resume" }, { login: "lead" });
    expect(outcome).toMatchObject({ ok: true, tick: true });
    await enqueueTick(f.adapters.queue, OWNER, paused.id, "command-resume");
    await f.adapters.queue.idle();
    expect(await f.rollout(paused.id)).toMatchObject({ status: "succeeded" });
    expect(await f.versions()).toEqual({ "web-prod-1": "1.1", "web-test-1": "1.1" });
  });
});
