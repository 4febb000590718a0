// `baryon rollout status|approve|pause|resume|abort|rollback`: the pull request's
// rollout commands from a terminal, on the registry `publish` and `apply` use. A
// command that moves the rollout runs it on in this process (the in-process queue)
// until it waits at a gate, halts or finishes, printing each step.
import type { Adapters } from "../../compose/adapters.js";
import { runRolloutCommand as applyCommand, type RolloutCommand } from "../../flows/rollout-command.js";
import { enqueueDeployment, enqueueTick } from "../../jobs/lanes.js";
import type { JobContext } from "../../jobs/job-kind.js";
import type { Owner } from "../../ports/registry.js";
import { stageProgress } from "../../rollout/advance.js";
import type { RolloutRecord } from "../../rollout/model.js";
import { rolloutText } from "../../present/rollout-progress.js";
import { localActor, topOf, withFleet } from "./fleet-commands.js";
import { UsageError, type Out } from "./output.js";

export async function runRolloutStatus(template: string | undefined, options: { dir: string; format: "text" | "json" }, out: Out): Promise<number> {
  return withFleet(await topOf(options.dir), async (adapters, owner) => {
    const store = adapters.registry.rollouts(owner);
    const rollouts = await store.rollouts({ ...(template ? { template } : {}), limit: 20 });
    // The newest of each template: older ones are history.
    const latest = rollouts.filter((r, i) => rollouts.findIndex((o) => o.template === r.template) === i);
    const now = new Date();
    const views = await Promise.all(latest.map(async (rollout) => ({ rollout, targets: await store.targets(rollout.id), now })));
    if (options.format === "json") {
      out.write(`${JSON.stringify({ rollouts: views.map((v) => rolloutJson(v.rollout, v.targets, now)) }, null, 2)}\n`);
      return 0;
    }
    out.write(views.length ? views.map(rolloutText).join("\n") : `No rollouts${template ? ` of ${template}` : ""} in the registry of ${owner.login}.\n`);
    return 0;
  }, { workers: false });
}

/** `approve <stage>`, `pause`, `resume`, `abort`, `rollback <resource>`; 1 when nothing was done or the rollout ends badly. */
export async function runRolloutVerb(command: RolloutCommand, options: { dir: string; template?: string }, out: Out): Promise<number> {
  const top = await topOf(options.dir);
  // Steps are printed from the command on: the start-up resync's tick of where it stood says nothing new.
  let armed = false;
  const print = printSteps(out);
  return withFleet(top, async (adapters, owner) => {
    const rollout = await pickRollout(adapters, owner, options.template);
    const ports = { rollouts: adapters.registry.rollouts(owner), store: adapters.registry.deployments(owner), versions: adapters.registry.versions(owner), now: () => new Date() };
    const outcome = await applyCommand(ports, rollout, command, { login: (await localActor(top, "")).actor });
    out.write(`${outcome.reply.replaceAll("`", "")}\n`);
    if (!outcome.ok) return 1;
    armed = true;
    for (const d of outcome.deployments) await enqueueDeployment(adapters.queue, owner, d);
    if (outcome.tick) await enqueueTick(adapters.queue, owner, rollout.id, `terminal-${Date.now()}`);
    return followRollouts(adapters, owner, [rollout.id], out);
  }, { workers: true, onRolloutStep: (owner, outcome) => (armed ? print(owner, outcome) : undefined) });
}

/** Runs the queue until nothing is left (a gate, a halt, the end), then prints where each rollout stands; 1 when one halted. */
export async function followRollouts(adapters: Adapters, owner: Owner, ids: readonly string[], out: Out): Promise<number> {
  await adapters.queue.idle();
  const store = adapters.registry.rollouts(owner);
  let bad = 0;
  for (const id of ids) {
    const rollout = (await store.getRollout(id))!;
    if (rollout.status === "halted" || rollout.status === "rolled_back") bad++;
    out.write(rolloutText({ rollout, targets: await store.targets(id), now: new Date() }));
  }
  return bad ? 1 : 0;
}

/** One line each time a rollout changes status or stage. */
export function printSteps(out: Out): NonNullable<JobContext["onRolloutStep"]> {
  const last = new Map<string, string>();
  return (_owner, { rollout, step }) => {
    const line = `rollout ${rollout.id} (${rollout.template} ${rollout.major}.${rollout.minor}): ${step.status.replace("_", " ")}${step.stage ? ` at ${step.stage}` : ""}${step.reason ? `: ${step.reason.replaceAll("`", "")}` : ""}`;
    if (last.get(rollout.id) === line) return;
    last.set(rollout.id, line);
    out.write(`${line}\n`);
  };
}

/** The one rollout under way (of the template); with none under way, the last one, which answers that it has ended. */
async function pickRollout(adapters: Adapters, owner: Owner, template: string | undefined): Promise<RolloutRecord> {
  const store = adapters.registry.rollouts(owner);
  const rollouts = await store.rollouts({ ...(template ? { template } : {}), unfinished: true });
  if (rollouts.length === 1) return rollouts[0]!;
  const [last] = rollouts.length ? [] : await store.rollouts({ ...(template ? { template } : {}), limit: 1 });
  if (last) return last;
  if (!rollouts.length) throw new UsageError(`no rollout under way${template ? ` for ${template}` : ""} (\`baryon rollout status\` shows the last ones)`);
  throw new UsageError(`several rollouts are under way (${rollouts.map((r) => `${r.template} ${r.major}.${r.minor}`).join(", ")}): name the template`);
}

function rolloutJson(rollout: RolloutRecord, targets: Parameters<typeof stageProgress>[1], now: Date) {
  return {
    id: rollout.id, template: rollout.template, version: `${rollout.major}.${rollout.minor}`, status: rollout.status,
    stage: rollout.stage ?? null, reason: rollout.reason ?? null, origin: rollout.origin,
    stages: rollout.plan.stages.map((stage) => {
      const p = stageProgress(stage, targets);
      const approval = rollout.approvals.find((a) => a.stage === stage.name);
      return {
        name: stage.name, total: p.total, done: p.done, failed: p.failed, inFlight: p.inFlight, pending: p.total - p.done - p.failed - p.inFlight,
        gate: stage.policy.gate, approvedBy: approval?.by ?? null,
        soakEndsAt: p.soakEndsAt && p.soakEndsAt > now ? p.soakEndsAt.toISOString() : null,
      };
    }),
    skipped: rollout.plan.skipped,
  };
}
