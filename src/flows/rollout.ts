// Start a rollout when a minor is published, and move it on one step at a time
// (a tick): read what the registry records, let the domain decide (advance.ts),
// record the deployments and rollbacks it asks for. Ticks of one rollout run one
// at a time (one serialization key); deciding again from the same records asks
// for nothing twice. A command that stops the rollout while a tick runs wins: the
// registry asks for no new deployment of a rollout that no longer runs.
import type { DeploymentRecord, DeploymentStore, ResourceRecord } from "../ports/deployment-store.js";
import { RolloutNotRunningError, type VersionStore } from "../ports/registry.js";
import type { RolloutStore } from "../ports/rollout-store.js";
import { advance, type Step } from "../rollout/advance.js";
import type { RolloutOrigin, RolloutRecord } from "../rollout/model.js";
import { planRollout } from "../rollout/plan.js";
import { defaultRolloutPolicy, type RolloutPolicy } from "../rollout/policy.js";

export interface RolloutPorts {
  rollouts: RolloutStore;
  store: DeploymentStore;
  versions: VersionStore;
  now(): Date;
}

export interface StartRolloutInput {
  template: string;
  major: number;
  minor: number;
  origin: RolloutOrigin;
  /** `rollout:` of the publishing repository's config; without one, stages come from the inventory's labels. */
  policy?: RolloutPolicy;
}

export type StartOutcome =
  | { started: true; rollout: RolloutRecord; created: boolean; superseded: RolloutRecord[] }
  | { started: false; why: string };

export async function startRollout(ports: RolloutPorts, input: StartRolloutInput): Promise<StartOutcome> {
  const { template, major, minor } = input;
  if (minor === 0) return { started: false, why: `${template} ${major}.0 is a new major: resources move to it by an upgrade of their spec files` };
  const version = await ports.versions.getVersion(template, major, minor);
  if (version?.status !== "published") return { started: false, why: `${template} ${major}.${minor} is not published` };
  const existing = await ports.rollouts.rolloutOf(template, major, minor);
  if (existing) return { started: true, rollout: existing, created: false, superseded: [] };
  // What an older version's rollback held comes back in: the newer version is the fix.
  await ports.rollouts.releaseOlderHolds(template, major, minor);
  const resources = await ports.store.resources();
  const following = resources.filter((r) => r.template.name === template && r.template.major === major);
  const policy = input.policy ?? defaultRolloutPolicy(following.flatMap((r) => (r.stage ? [r.stage] : [])));
  const plan = planRollout({ template, major, minor }, resources.map(candidate), policy);
  if (!plan.stages.some((s) => s.resources.length)) {
    return { started: false, why: plan.skipped.length ? `every resource of ${template}@${major} is pinned or held` : `no resource follows ${template}@${major}` };
  }
  const started = await ports.rollouts.startRollout({ template, major, minor, plan, autoRollback: policy.autoRollback, origin: input.origin });
  return { started: true, ...started };
}

export interface TickOutcome {
  rollout: RolloutRecord;
  /** Its status before this tick: a change is worth telling people about. */
  was: RolloutRecord["status"];
  step: Step;
  /** Deployments to run (asked for now, or earlier and not yet finished). */
  deployments: DeploymentRecord[];
  /** Resources to verify, with their attempt. */
  verify: Array<{ resource: string; attempt: number; deployment: string }>;
}

export async function tickRollout(ports: RolloutPorts, id: string): Promise<TickOutcome | undefined> {
  const rollout = await ports.rollouts.getRollout(id);
  if (!rollout) return undefined;
  const targets = await ports.rollouts.targets(id);
  const step = advance(rollout, targets, ports.now());
  const deployments: DeploymentRecord[] = [];
  const requestedBy = {
    actor: "baryon", reason: "rollout", rollout: id, repository: rollout.origin.repository,
    ...(rollout.origin.pullRequest !== undefined ? { pullRequest: rollout.origin.pullRequest } : {}),
  };

  for (const key of step.deploy) {
    const resource = await ports.store.resource(key);
    const settings = resource && (await ports.store.deploymentsOf(key, 1))[0]?.provisionerSettings;
    if (!resource || !settings) continue; // gone meanwhile: the next tick sees it as nothing to do
    try {
      const { deployment } = await ports.store.requestDeployment(undefined, {
        resource: key, action: "deploy", template: rollout.template, major: rollout.major, minor: rollout.minor,
        inputs: resource.inputs, provisioner: resource.provisioner, provisionerSettings: settings, requestedBy,
        rollout: { id, attempt: targets.get(key)?.attempt ?? 0, rollback: false },
      });
      deployments.push(deployment);
    } catch (error) {
      if (!(error instanceof RolloutNotRunningError)) throw error;
      // A command stopped it meanwhile: decide again from what it recorded; what was asked for runs.
      const again = await tickRollout(ports, id);
      return again && { ...again, deployments: [...deployments, ...again.deployments] };
    }
  }
  for (const key of step.rollback) {
    const rollback = await requestRollback(ports, rollout, key, targets.get(key)?.attempt ?? 0, requestedBy);
    if (rollback) deployments.push(rollback);
  }

  const reason = step.reason ?? null;
  if (step.status !== rollout.status || reason !== (rollout.reason ?? null) || (step.stage ?? null) !== (rollout.stage ?? null)) {
    // A command that moved it meanwhile wins; the tick it queued decides again.
    await ports.rollouts.updateRollout(id, { status: step.status, reason, stage: step.stage ?? null, from: rollout.status });
  }
  const after: RolloutRecord = { ...rollout, status: step.status, ...(step.stage ? { stage: step.stage } : {}) };
  if (step.reason) after.reason = step.reason;
  const verify = step.verify.flatMap((resource) => {
    const t = targets.get(resource);
    return t?.deployment ? [{ resource, attempt: t.attempt, deployment: t.deployment.id }] : [];
  });
  return { rollout: after, was: rollout.status, step, deployments, verify };
}

/**
 * Back to the version that ran before this rollout reached the resource (its newest success
 * from elsewhere), marked as a rollback, and a hold so later rollouts skip it. Nothing to go
 * back to (the resource was created by this version): no rollback, the halt says why.
 */
export async function requestRollback(ports: RolloutPorts, rollout: RolloutRecord, key: string, attempt: number, requestedBy: DeploymentRecord["requestedBy"]): Promise<DeploymentRecord | undefined> {
  const resource = await ports.store.resource(key);
  const history = await ports.store.deploymentsOf(key, 50);
  // Not a success at this rollout's own version from elsewhere (a pipeline redeployed for its instances' outputs).
  const previous = history.find((d) => d.action === "deploy" && d.status === "succeeded" && d.rollout?.id !== rollout.id
    && !(d.template === rollout.template && d.major === rollout.major && d.minor === rollout.minor));
  if (!resource || !previous) return undefined;
  const { deployment } = await ports.store.requestDeployment(undefined, {
    resource: key, action: "deploy", template: previous.template, major: previous.major, minor: previous.minor,
    inputs: resource.inputs, provisioner: resource.provisioner, provisionerSettings: previous.provisionerSettings,
    requestedBy: { ...requestedBy, reason: "rollback" }, rollout: { id: rollout.id, attempt, rollback: true },
    hold: `rolled back to ${previous.major}.${previous.minor} by the rollout of ${rollout.template} ${rollout.major}.${rollout.minor}`,
  });
  return deployment;
}

function candidate(r: ResourceRecord) {
  return {
    key: r.key, kind: r.kind, template: r.template,
    ...(r.stage !== undefined ? { stage: r.stage } : {}), ...(r.service !== undefined ? { service: r.service } : {}), ...(r.held !== undefined ? { held: r.held } : {}),
  };
}
