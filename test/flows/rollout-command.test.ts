// What a person's `/rollout …` command answers when it cannot be done, on a real
// registry (Postgres) and the rollout test fleet: a stage the rollout lacks, an
// auto stage, a gate approved already or passed by, a stage not reachable yet
// (soaking, still deploying), a paused or halted rollout, and rollbacks of what the
// rollout never deployed. Each answer is the exact reply a person reads, and the
// registry records the same rollout, targets and deployments as before.
import { describe, expect, it, vi } from "vitest";
import { runRolloutCommand, type RolloutCommand } from "../../src/flows/rollout-command.js";
import { startRollout, tickRollout, type RolloutPorts } from "../../src/flows/rollout.js";
import { enqueueDeployment, enqueueTick } from "../../src/jobs/lanes.js";
import { startRollouts } from "../../src/jobs/rollout.js";
import { duration } from "../../src/present/rollout-progress.js";
import { stageProgress } from "../../src/rollout/advance.js";
import { ORIGIN, OWNER, policy, rolloutFleetPerTest, stage, type FleetEnvironment, type RolloutFleet } from "../support/rollout-fleet.js";

const openFleet = rolloutFleetPerTest();
const envs = (stageName: string, ...names: string[]): FleetEnvironment[] => names.map((name) => ({ name, stage: stageName }));
const FLEET = [...envs("test", "web-test-1"), ...envs("prod", "web-prod-1")];
const LEAD = { login: "lead" };
const GATED = { gate: "comment" } as const;

/** The command as the CLI and the app run it, then the tick (and rollbacks) it asks for; a refusal asks for none. */
async function command(f: RolloutFleet, id: string, what: RolloutCommand, ports: RolloutPorts = f.ports) {
  const outcome = await runRolloutCommand(ports, await f.rollout(id), what, LEAD);
  for (const d of outcome.deployments) await enqueueDeployment(f.adapters.queue, OWNER, d);
  if (outcome.tick) await enqueueTick(f.adapters.queue, OWNER, id, `command-${what.action}-${f.steps.length}`);
  if (outcome.tick || outcome.deployments.length) await f.adapters.queue.idle();
  return outcome;
}

/** What the registry records of a rollout: itself, its targets, and every resource it plans with its deployments. */
async function recorded(f: RolloutFleet, id: string) {
  const rollout = await f.rollout(id);
  const keys = rollout.plan.stages.flatMap((s) => s.resources);
  return {
    rollout, targets: await f.rollouts.targets(id), versions: await f.versions(),
    resources: await Promise.all(keys.map(async (key) => ({ resource: await f.store.resource(key), deployments: await f.store.deploymentsOf(key, 100) }))),
  };
}

/** `what` is answered with `reply`, not ok, asks for no tick and no deployment, and the registry records what it did before. */
async function expectRefused(f: RolloutFleet, id: string, what: RolloutCommand, reply: string, ports?: RolloutPorts) {
  expect(reply).toMatch(/ Nothing was done\.$/);
  const before = await recorded(f, id);
  expect(await command(f, id, what, ports)).toEqual({ ok: false, reply, tick: false, deployments: [] });
  expect(await recorded(f, id)).toEqual(before);
}

/** net 1.1 through test, past a gated canary stage no resource is in, waiting at the prod gate. */
async function waitingAtProd() {
  const f = await openFleet(FLEET);
  const rollout = await f.roll(await f.publishNet(1), policy([stage("test"), stage("canary", GATED), stage("prod", GATED)]));
  expect(rollout).toMatchObject({ status: "waiting", stage: "prod", approvals: [] });
  expect(rollout.plan.stages.map((s) => [s.name, s.resources])).toEqual([["test", ["web-test-1"]], ["canary", []], ["prod", ["web-prod-1"]]]);
  return { f, id: rollout.id };
}

/** net 1.1 with its first tick taken: web-test-1's deployment asked for and not run yet. */
async function deployingTest() {
  const f = await openFleet(FLEET);
  await f.publishNet(1);
  const started = await startRollout(f.ports, { template: "net", major: 1, minor: 1, origin: ORIGIN, policy: policy([stage("test"), stage("prod", GATED)]) });
  if (!started.started) throw new Error(started.why);
  const tick = await tickRollout(f.ports, started.rollout.id);
  expect(tick!.deployments.map((d) => [d.resource, d.status])).toEqual([["web-test-1", "pending"]]);
  expect(await f.rollout(started.rollout.id)).toMatchObject({ status: "running", stage: "test" });
  return { f, id: started.rollout.id };
}

/** prod opened by @lead, and halted there: web-prod-1's deploy of 1.1 failed. A gated dr stage comes after. */
async function haltedInProd() {
  const f = await openFleet([...FLEET, ...envs("dr", "web-dr-1")]);
  f.failDeploys("web-prod-1 1.1");
  const waiting = await f.roll(await f.publishNet(1), policy([stage("test"), stage("prod", GATED), stage("dr", GATED)]));
  expect(waiting).toMatchObject({ status: "waiting", stage: "prod" });
  expect(await command(f, waiting.id, { action: "approve", stage: "prod" })).toMatchObject({ ok: true });
  const halted = await f.rollout(waiting.id);
  expect(halted).toMatchObject({ status: "halted", stage: "prod", approvals: [{ stage: "prod", by: "lead" }] });
  expect(halted.reason).toMatch(/^1 of 1 in prod failed \(tolerance 0\): web-prod-1 \(.*exited with code 3/);
  return { f, id: waiting.id, reason: halted.reason! };
}

// Refusals that need nothing but where the rollout stands: the situation, the command, the reply word for word.
const SIMPLE_REFUSALS: [string, () => Promise<{ f: RolloutFleet; id: string }>, RolloutCommand, string][] = [
  ["names the rollout's stages when the stage asked for is not one of them", waitingAtProd, { action: "approve", stage: "staging" },
    'The rollout of net 1.1 has no stage "staging"; its stages: test, canary, prod. Nothing was done.'],
  ["says an auto stage has no gate and starts by itself", waitingAtProd, { action: "approve", stage: "test" },
    "test has no gate: it starts by itself once the stages before it are done and soaked. Nothing was done."],
  ["says a gated stage the rollout went past is past already", waitingAtProd, { action: "approve", stage: "canary" },
    "canary is past already. Nothing was done."],
  ["says who approved a gate that was approved already", haltedInProd, { action: "approve", stage: "prod" },
    "prod was approved already, by @lead. Nothing was done."],
  ["says the stage before is still deploying", deployingTest, { action: "approve", stage: "prod" },
    "`/rollout prod` is not possible yet: test is still deploying. Nothing was done."],
  ["says a halted rollout starts nothing to pause", haltedInProd, { action: "pause" },
    "The rollout of net 1.1 is halted: nothing is starting. Nothing was done."],
  ["says a waiting rollout is not paused or halted", waitingAtProd, { action: "resume" },
    "The rollout of net 1.1 is waiting, not paused or halted. Nothing was done."],
  ["says a resource outside the rollout is not part of it", waitingAtProd, { action: "rollback", resource: "web-staging-9" },
    "`web-staging-9` is not part of the rollout of net 1.1. Nothing was done."],
  ["says a resource the rollout has not reached yet has no finished deployment to roll back", waitingAtProd, { action: "rollback", resource: "web-prod-1" },
    "`web-prod-1` has no finished deployment of this rollout to roll back (or is rolled back already). Nothing was done."],
  ["says a resource whose deployment is still running has no finished deployment to roll back", deployingTest, { action: "rollback", resource: "web-test-1" },
    "`web-test-1` has no finished deployment of this rollout to roll back (or is rolled back already). Nothing was done."],
  ["says there is nothing to roll back when the rollout has finished no deployment yet", deployingTest, { action: "rollback" },
    "The rollout of net 1.1 has no finished deployment to roll back (none has finished yet, or each is rolled back already). Nothing was done."],
];

describe("a command that cannot be carried out where the rollout stands", () => {
  it.each(SIMPLE_REFUSALS)("%s", async (_, situation, what, reply) => {
    const { f, id } = await situation();
    await expectRefused(f, id, what, reply);
  });
});

describe("opening a stage that cannot be opened", () => {
  it("says how much longer the stage before soaks, while it soaks", async () => {
    const f = await openFleet(FLEET);
    const SOAK_MS = 10 * 60 * 1000;
    const starts = await startRollouts(f.adapters, OWNER, await f.publishNet(1), ORIGIN, policy([stage("test", { soakMs: SOAK_MS }), stage("prod", GATED)]));
    const id = starts.flatMap((s) => ("rollout" in s ? [s.rollout.id] : []))[0]!;
    // The tick after test's deployment queues the next one in 10 minutes: wait for the soak to be recorded, not for the queue.
    await vi.waitFor(async () => expect(await f.rollout(id)).toMatchObject({ status: "running", stage: "test", reason: expect.stringMatching(/^test soaks until /) }), { timeout: 15_000 });
    const soaking = await f.rollout(id);
    const test = stageProgress(soaking.plan.stages[0]!, await f.rollouts.targets(id));
    expect(test.soakEndsAt!.getTime() - test.settledAt!.getTime()).toBe(SOAK_MS);
    expect(soaking.reason).toBe(`test soaks until ${test.soakEndsAt!.toISOString()}`);

    // The command comes a minute and a half into the soak (its clock, given): 8m 30s are left.
    const now = new Date(test.settledAt!.getTime() + 90_000);
    expect(duration(test.soakEndsAt!.getTime() - now.getTime())).toBe("8m 30s");
    await expectRefused(f, id, { action: "approve", stage: "prod" }, "`/rollout prod` is not possible yet: test soaks for 8m 30s more. Nothing was done.", { ...f.ports, now: () => now });
  });

  it("asks for a resume first while the rollout is paused", async () => {
    const { f, id } = await deployingTest();
    expect(await command(f, id, { action: "pause" })).toEqual({
      ok: true, tick: false, deployments: [], reply: "Paused the rollout of net 1.1: nothing new starts. 1 deployment(s) in flight finish. `/rollout resume` continues.",
    });
    expect(await f.rollout(id)).toMatchObject({ status: "paused", reason: "paused by @lead" });
    await expectRefused(f, id, { action: "approve", stage: "prod" }, "`/rollout prod` is not possible while the rollout is paused (paused by @lead); `/rollout resume` first. Nothing was done.");
  });

  it("asks for a resume first while the rollout is halted, and gives the halt's reason", async () => {
    const { f, id, reason } = await haltedInProd();
    await expectRefused(f, id, { action: "approve", stage: "dr" }, `\`/rollout dr\` is not possible while the rollout is halted (${reason}); \`/rollout resume\` first. Nothing was done.`);
  });
});

describe("pausing and resuming when there is nothing to pause or resume", () => {
  it("says a paused rollout is paused already, and by whom", async () => {
    const { f, id } = await deployingTest();
    expect(await command(f, id, { action: "pause" })).toMatchObject({ ok: true });
    await expectRefused(f, id, { action: "pause" }, "The rollout of net 1.1 is paused already (paused by @lead). Nothing was done.");
  });

});

