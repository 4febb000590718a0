// Verify one resource of a rollout: run its stage's `verify:` check against the
// deployment that just succeeded, and record the verdict for that attempt. A
// verdict already recorded, or an attempt no longer current, is left alone.
import type { DeploymentStore } from "../ports/deployment-store.js";
import type { RolloutStore } from "../ports/rollout-store.js";
import type { Verifier } from "../ports/verifier.js";

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
  const target = (await ports.rollouts.targets(input.rollout)).get(input.resource);
  if (!target || target.attempt !== input.attempt || target.verification) return "verified already";
  const [deployment, resource] = await Promise.all([ports.store.getDeployment(input.deployment), ports.store.resource(input.resource)]);
  if (deployment?.status !== "succeeded" || !resource) return "nothing to verify";
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
