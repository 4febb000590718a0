// JSON for deployments and deployment statuses, with every field GitHub's description requires.
import { appJson, HTML, nodeId, userJson, type Ctx } from "./objects-repos.js";
import type { DeploymentRecord, DeploymentStatusRecord } from "./state.js";

const deploymentUrl = (ctx: Ctx, d: DeploymentRecord) => `${ctx.api}/repos/${d.repo.fullName}/deployments/${d.id}`;

/** The `deployment` schema. */
export function deploymentJson(ctx: Ctx, d: DeploymentRecord): Record<string, unknown> {
  const url = deploymentUrl(ctx, d);
  return {
    url,
    id: d.id,
    node_id: nodeId("Deployment", d.id),
    sha: d.sha,
    ref: d.ref,
    task: d.task,
    payload: d.payload,
    original_environment: d.environment,
    environment: d.environment,
    description: d.description,
    creator: userJson(ctx, d.creator),
    created_at: d.createdAt,
    updated_at: d.updatedAt,
    statuses_url: `${url}/statuses`,
    repository_url: `${ctx.api}/repos/${d.repo.fullName}`,
    transient_environment: d.transientEnvironment,
    production_environment: d.productionEnvironment,
    performed_via_github_app: appJson(ctx),
  };
}

/**
 * The `deployment-status` schema. GitHub answers `target_url: ""` for a status made without a
 * log URL, which its own description (`format: uri`) refuses; the fake answers the environment's
 * deployments page instead, so its answers stay valid. `log_url` and `environment_url` are left
 * out when empty (they are optional).
 */
export function deploymentStatusJson(ctx: Ctx, d: DeploymentRecord, s: DeploymentStatusRecord): Record<string, unknown> {
  const deployment = deploymentUrl(ctx, d);
  return {
    url: `${deployment}/statuses/${s.id}`,
    id: s.id,
    node_id: nodeId("DeploymentStatus", s.id),
    state: s.state,
    creator: userJson(ctx, s.creator),
    description: s.description,
    environment: s.environment,
    target_url: s.logUrl || `${HTML}/${d.repo.fullName}/deployments/${encodeURIComponent(s.environment)}`,
    ...(s.logUrl ? { log_url: s.logUrl } : {}),
    ...(s.environmentUrl ? { environment_url: s.environmentUrl } : {}),
    created_at: s.createdAt,
    updated_at: s.createdAt,
    deployment_url: deployment,
    repository_url: `${ctx.api}/repos/${d.repo.fullName}`,
    performed_via_github_app: appJson(ctx),
  };
}
