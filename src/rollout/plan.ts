// Which resources a new minor reaches, in which stage, in which order.
import type { TemplateRef } from "../inventory/model.js";
import type { RolloutPlan, SkippedResource } from "./model.js";
import type { RolloutPolicy } from "./policy.js";

/** A resource of the owner, as the registry records it (only what planning reads). */
export interface RolloutCandidate {
  key: string;
  kind: "environment" | "service_instance" | "service_pipeline";
  template: TemplateRef;
  stage?: string;
  service?: string;
  /** Why it is held (a rollback put a hold on it), if it is. */
  held?: string;
}

export interface RolloutVersion {
  template: string;
  major: number;
  minor: number;
}

const KIND_ORDER = { environment: 0, service_instance: 1, service_pipeline: 2 } as const;

/**
 * Every resource following `version`'s major, by stage in the policy's order. Pinned and
 * held resources are skipped and listed, as are resources whose stage has no place in
 * the policy. A pipeline has no stage of its own: it goes with the last stage that holds
 * an instance of its service, so it changes once every instance runs the version.
 */
export function planRollout(version: RolloutVersion, candidates: readonly RolloutCandidate[], policy: RolloutPolicy): RolloutPlan {
  const following = candidates.filter((c) => c.template.name === version.template && c.template.major === version.major);
  const stageIndex = new Map(policy.stages.map((s, i) => [s.name, i]));
  const lastInstanceStage = new Map<string, number>();
  for (const c of following) {
    const index = c.kind === "service_instance" && c.stage !== undefined ? stageIndex.get(c.stage) : undefined;
    if (index !== undefined && c.service !== undefined) lastInstanceStage.set(c.service, Math.max(index, lastInstanceStage.get(c.service) ?? -1));
  }

  const members: string[][] = policy.stages.map(() => []);
  const skipped: SkippedResource[] = [];
  const ordered = [...following].sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.key.localeCompare(b.key));
  for (const c of ordered) {
    if (c.template.minor !== undefined) {
      skipped.push({ resource: c.key, why: `pinned to ${c.template.major}.${c.template.minor}` });
      continue;
    }
    if (c.held !== undefined) {
      skipped.push({ resource: c.key, why: `held: ${c.held}` });
      continue;
    }
    const index = c.kind === "service_pipeline"
      ? lastInstanceStage.get(c.service ?? "") ?? policy.stages.length - 1
      : c.stage !== undefined ? stageIndex.get(c.stage) : undefined;
    if (index === undefined || index < 0) {
      skipped.push({ resource: c.key, why: `stage "${c.stage ?? "none"}" is not a rollout stage (${policy.stages.map((s) => s.name).join(", ")})` });
      continue;
    }
    members[index]!.push(c.key);
  }
  return { stages: policy.stages.map((policy, i) => ({ name: policy.name, policy, resources: members[i]! })), skipped };
}
