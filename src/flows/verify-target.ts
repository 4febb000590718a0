// Verify one resource of a rollout: run its stage's `verify:` check against the
// deployment that just succeeded, and record the verdict for that attempt.
//   1. Read the rollout and the target: an attempt no longer current, or one with a
//      verdict already, is left alone; so is a stage without a check.
//   2. Read the deployment and the resource. If the check cannot be carried out (the
//      resource left the inventory), record `inconclusive` saying why: the stage
//      would otherwise wait for a verdict for ever. A person decides (`/rollout resume`).
//   3. Run the check and record its verdict.
// A verification that keeps throwing ends with `giveUpVerification` on its last try.
import type { DeploymentStore } from "../ports/deployment-store.js";
import type { RolloutStore } from "../ports/rollout-store.js";
import type { Verifier } from "../ports/verifier.js";
import type { TargetState } from "../rollout/model.js";

export interface VerifyPorts {
  rollouts: RolloutStore;
  store: DeploymentStore;
  verifier: Verifier;
  now(): Date;
}

export interface VerifyTargetInput {
  rollout: string;
  resource: string;
  attempt: number;
  deployment: string;
}

export async function verifyTarget(ports: VerifyPorts, input: VerifyTargetInput): Promise<string> {
  const rollout = await ports.rollouts.getRollout(input.rollout);
  const stage = rollout?.plan.stages.find((s) => s.resources.includes(input.resource));
  if (!rollout || !stage?.policy.verify) return "nothing to verify";
  const target = await awaitingVerdict(ports, input);
  if (!target) return "verified already";
  // Only the attempt's own deployment, once it succeeded, is verified (the tick asks for nothing else).
  if (target.deployment?.id !== input.deployment || target.deployment.status !== "succeeded") return "nothing to verify";

  const [deployment, resource] = await Promise.all([ports.store.getDeployment(input.deployment), ports.store.resource(input.resource)]);
  if (!resource) return inconclusive(ports, input, `${input.resource} left the inventory after its deployment succeeded: there is nothing to check`);
  if (!deployment) return inconclusive(ports, input, `deployment ${input.deployment} of ${input.resource} is not in the registry: there is nothing to check`);

  const result = await ports.verifier.verify({
    check: stage.policy.verify,
    resource: {
      key: resource.key, kind: resource.kind, name: resource.name,
      ...(resource.service ? { service: resource.service } : {}), ...(resource.environment ? { environment: resource.environment } : {}),
    },
    template: { name: deployment.template, version: `${deployment.major}.${deployment.minor}` },
    outputs: deployment.outputs,
    deploymentId: deployment.id,
  });
  await ports.rollouts.recordVerification(input.rollout, input.resource, input.attempt, { verdict: result.verdict, at: ports.now(), detail: result.detail });
  return `${result.verdict} (${result.detail})`;
}

/**
 * The last try of a verification threw: its attempt, if still current and without a verdict,
 * is recorded `inconclusive` with the error, so the rollout pauses for a person instead of
 * waiting for a verdict that never comes.
 */
export async function giveUpVerification(ports: Pick<VerifyPorts, "rollouts" | "now">, input: VerifyTargetInput, error: unknown): Promise<string> {
  if (!(await awaitingVerdict(ports, input))) return "verified already";
  const message = error instanceof Error ? error.message : String(error);
  return inconclusive(ports, input, `the check could not be carried out: ${message}`);
}

/** The target's attempt, when it is still current and has no verdict yet. */
async function awaitingVerdict(ports: Pick<VerifyPorts, "rollouts">, input: VerifyTargetInput): Promise<TargetState | undefined> {
  const target = (await ports.rollouts.targets(input.rollout)).get(input.resource);
  return target && target.attempt === input.attempt && !target.verification ? target : undefined;
}

async function inconclusive(ports: Pick<VerifyPorts, "rollouts" | "now">, input: VerifyTargetInput, detail: string): Promise<string> {
  await ports.rollouts.recordVerification(input.rollout, input.resource, input.attempt, { verdict: "inconclusive", at: ports.now(), detail });
  return `inconclusive (${detail})`;
}
