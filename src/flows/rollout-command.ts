// What a person's command does to a rollout (`/rollout prod` on the pull request,
// `baryon rollout approve prod` in a terminal): checked against where the rollout
// stands now, applied to the registry, and answered in words that say what
// happened or exactly why nothing did. Who may give it is decided before
// (src/rollout/authorize.ts); the caller queues a tick when `tick` is set.
import type { DeploymentRecord } from "../ports/deployment-store.js";
import { advance } from "../rollout/advance.js";
import { ENDED, type RolloutRecord } from "../rollout/model.js";
import { batchSize } from "../rollout/policy.js";
import { duration, rolloutMarkdown } from "../present/rollout-progress.js";
import { requestRollback, type RolloutPorts } from "./rollout.js";

export type RolloutCommand =
  | { action: "approve"; stage: string }
  | { action: "status" | "pause" | "resume" | "abort" }
  | { action: "rollback"; resource?: string };

export interface CommandOutcome {
  /** False when nothing was done (the reply says why). */
  ok: boolean;
  reply: string;
  /** The rollout should be ticked: something changed. */
  tick: boolean;
  /** Deployments to run (rollbacks). */
  deployments: DeploymentRecord[];
}

export async function runRolloutCommand(ports: RolloutPorts, rollout: RolloutRecord, command: RolloutCommand, actor: { login: string; commentUrl?: string }): Promise<CommandOutcome> {
  const name = `${rollout.template} ${rollout.major}.${rollout.minor}`;
  const done = (reply: string, more: Partial<CommandOutcome> = {}): CommandOutcome => ({ ok: true, reply, tick: true, deployments: [], ...more });
  const refuse = (reply: string): CommandOutcome => ({ ok: false, reply: `${reply} Nothing was done.`, tick: false, deployments: [] });
  const now = ports.now();
  const targets = await ports.rollouts.targets(rollout.id);
  if (command.action === "status") return done(rolloutMarkdown({ rollout, targets, now }), { tick: false });
  if (ENDED.has(rollout.status)) return refuse(`The rollout of ${name} has ended (${rollout.status.replace("_", " ")}).`);
  const inFlight = [...targets.values()].filter((t) => t.deployment && !["succeeded", "failed", "cancelled"].includes(t.deployment.status)).length;
  const flying = inFlight ? ` ${inFlight} deployment(s) in flight finish.` : "";

  switch (command.action) {
    case "approve": {
      const stages = rollout.plan.stages;
      const stage = stages.find((s) => s.name === command.stage);
      if (!stage) return refuse(`The rollout of ${name} has no stage "${command.stage}"; its stages: ${stages.map((s) => s.name).join(", ")}.`);
      if (stage.policy.gate === "auto") return refuse(`${stage.name} has no gate: it starts by itself once the stages before it are done and soaked.`);
      const given = rollout.approvals.find((a) => a.stage === stage.name);
      if (given) return refuse(`${stage.name} was approved already, by @${given.by}.`);
      const step = advance(rollout, targets, now);
      if (step.status === "waiting" && step.stage === stage.name) {
        const approved = await ports.rollouts.approve(rollout.id, { stage: stage.name, by: actor.login, at: now, ...(actor.commentUrl ? { commentUrl: actor.commentUrl } : {}) });
        // Someone else opened it, or the rollout ended, since it was read.
        if (!approved) return refuse("The rollout moved on meanwhile; try again.");
        const size = batchSize(stage.policy.batch, stage.resources.length);
        return done(`Opened ${stage.name} for ${name}: ${stage.resources.length} resource(s), ${size} at a time.`);
      }
      const here = stages.findIndex((s) => s.name === step.stage);
      if (stages.indexOf(stage) < here || step.status === "succeeded") return refuse(`${stage.name} is past already.`);
      if (step.wakeAt) return refuse(`\`/rollout ${stage.name}\` is not possible yet: ${step.stage} soaks for ${duration(step.wakeAt.getTime() - now.getTime())} more.`);
      if (rollout.status === "paused" || rollout.status === "halted" || rollout.status === "rolled_back") {
        return refuse(`\`/rollout ${stage.name}\` is not possible while the rollout is ${rollout.status.replace("_", " ")} (${rollout.reason ?? "no reason given"}); \`/rollout resume\` first.`);
      }
      return refuse(`\`/rollout ${stage.name}\` is not possible yet: ${step.stage ?? "an earlier stage"} is still deploying.`);
    }
    case "pause":
      if (rollout.status === "paused") return refuse(`The rollout of ${name} is paused already (${rollout.reason ?? ""}).`);
      if (rollout.status !== "running" && rollout.status !== "waiting") return refuse(`The rollout of ${name} is ${rollout.status.replace("_", " ")}: nothing is starting.`);
      if (!(await ports.rollouts.updateRollout(rollout.id, { status: "paused", reason: `paused by @${actor.login}`, from: rollout.status }))) return refuse("The rollout moved on meanwhile; try again.");
      return done(`Paused the rollout of ${name}: nothing new starts.${flying} \`/rollout resume\` continues.`, { tick: false });
    case "resume": {
      if (rollout.status === "running" || rollout.status === "waiting") return refuse(`The rollout of ${name} is ${rollout.status}, not paused or halted.`);
      const retried = await ports.rollouts.resume(rollout.id, actor.login);
      await ports.rollouts.updateRollout(rollout.id, { status: "running", reason: null, from: rollout.status });
      return done(`Resumed the rollout of ${name}${retried.length ? `; retrying ${retried.map((r) => `\`${r}\``).join(", ")}` : ""}.`);
    }
    case "abort":
      await ports.rollouts.updateRollout(rollout.id, { status: "aborted", reason: `aborted by @${actor.login}` });
      return done(`Aborted the rollout of ${name}: nothing new starts;${flying} every resource keeps the version it runs.`, { tick: false });
    case "rollback": {
      const keys = command.resource !== undefined ? [command.resource] : [...targets.keys()];
      const known = keys.filter((k) => targets.get(k)?.deployment?.finishedAt !== undefined && !targets.get(k)!.rollback);
      if (command.resource !== undefined && !known.length) {
        return refuse(targets.has(command.resource) ? `\`${command.resource}\` has no finished deployment of this rollout to roll back (or is rolled back already).` : `\`${command.resource}\` is not part of the rollout of ${name}.`);
      }
      if (!known.length) return refuse(`The rollout of ${name} has no finished deployment to roll back (none has finished yet, or each is rolled back already).`);
      const deployments: DeploymentRecord[] = [];
      const none: string[] = [];
      for (const key of known) {
        const d = await requestRollback(ports, rollout, key, targets.get(key)!.attempt, { actor: actor.login, reason: "rollback", rollout: rollout.id, repository: rollout.origin.repository });
        if (d) deployments.push(d);
        else none.push(key);
      }
      if (!deployments.length) return refuse(`Nothing this rollout deployed has an earlier version to go back to${none.length ? ` (${none.join(", ")} started at ${rollout.major}.${rollout.minor})` : ""}.`);
      // Every resource back: the rollout stops too; one resource: it goes on without it.
      if (command.resource === undefined) await ports.rollouts.updateRollout(rollout.id, { status: "rolled_back", reason: `rolled back by @${actor.login}` });
      return done(`Rolling back ${deployments.map((d) => `\`${d.resource}\` to ${d.major}.${d.minor} (#${d.id})`).join(", ")}; held from later rollouts until \`/rollout resume\`.`, { deployments });
    }
  }
}
