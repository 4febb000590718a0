// The `github-deployment` job: mirror one Baryon deployment to GitHub Deployments, so
// GitHub's own UI (a repository's Environments, a pull request's timeline) shows what
// runs where. GitHub's environment is the Baryon environment: an environment's
// deployments and those of the service instances living in it show there; a pipeline
// lives in no environment and is not mirrored.
//   1. read the deployment and where it shows: its resource's repository (`source`),
//      environment and stage; a deleted resource's, from where it was mirrored before
//   2. find its GitHub deployment (task `deploy:baryon-<id>`), or create it on the default branch
//   3. add a status for where the deployment stands now, unless GitHub has that one (or a later one)
//   4. once it succeeded (or a delete did), the resource's previous success goes inactive
// The job reads the registry, not its data: run late or twice, it adds nothing.
// With BARYON_PUBLIC_URL set, each status links to the deployment's log (deployment-log.ts).
import type { DeploymentRecord, DeploymentStatus, DeploymentStore } from "../ports/deployment-store.js";
import { PermanentJobError, type JobQueue } from "../ports/job-queue.js";
import type { Owner } from "../ports/registry.js";
import { enqueue, githubFor, type JobKind } from "./job-kind.js";

type Octokit = Awaited<ReturnType<typeof githubFor>>;

export interface GitHubDeploymentJobData {
  owner: string;
  installationId: number;
  deployment: string;
  resource: string;
  /** The status that asked: each is its own job, which mirrors whatever status the deployment has when it runs. */
  status: DeploymentStatus;
}

/** The GitHub deployment's place: a repository and an environment. */
interface Place {
  owner: string;
  repo: string;
  environment: string;
  production: boolean;
  /** The repository's default branch: the ref its deployments name. */
  ref: string;
}

type GitHubState = "queued" | "in_progress" | "success" | "failure" | "inactive";

/** GitHub refuses a longer status description. */
const DESCRIPTION_LIMIT = 140;

export const githubDeploymentJob: JobKind<GitHubDeploymentJobData> = {
  name: "github-deployment",
  id: (d) => `github-deployment:${d.owner.toLowerCase()}/${d.deployment}@${d.status}`,
  // One resource's mirrors run in order, so a deployment is created once and its statuses never go back.
  key: (d) => `github-deployment:${d.owner.toLowerCase()}/${d.resource}`,
  attempts: 5,
  backoffMs: 5000,
  async run(data, context) {
    if (!context.probot) return "no GitHub App in this process";
    const store = context.adapters.registry.deployments({ login: data.owner, installationId: data.installationId });
    const deployment = await store.getDeployment(data.deployment);
    if (!deployment) return `no deployment ${data.deployment}`;
    const octokit = await githubFor(context, data.installationId);
    try {
      const place = await placeOf(octokit, store, deployment);
      if (typeof place === "string") return `${deployment.resource}: not mirrored, ${place}`;
      const want = stateOf(deployment);
      const { id, created } = await findOrCreate(octokit, place, deployment);
      const logUrl = context.logUrl?.(data.owner, deployment.id);
      const added = await ensureStatus(octokit, place, id, { ...want, ...(logUrl ? { logUrl } : {}) }, created);
      const retired = want.state === "success" || want.state === "inactive" ? await retirePrevious(octokit, place, store, deployment) : undefined;
      return `${deployment.resource} → ${place.owner}/${place.repo} ${place.environment}: ${want.state}${added ? "" : " already"}${retired ? `, ${retired} inactive` : ""}`;
    } catch (error) {
      throw permanentIfForbidden(error);
    }
  },
};

/** Mirrors a deployment's new status (finished, or handed back as running) when its owner has a GitHub installation. */
export function enqueueGitHubDeployment(queue: JobQueue, owner: Owner, deployment: Pick<DeploymentRecord, "id" | "resource" | "status">): Promise<boolean> {
  if (owner.installationId === undefined) return Promise.resolve(false);
  return enqueue(queue, githubDeploymentJob, {
    owner: owner.login, installationId: owner.installationId, deployment: deployment.id, resource: deployment.resource, status: deployment.status,
  });
}

const taskOf = (deploymentId: string) => `deploy:baryon-${deploymentId}`;

/** Undefined when the repository is gone or out of the installation's reach (GitHub answers 404). */
async function defaultBranch(octokit: Octokit, owner: string, repo: string): Promise<string | undefined> {
  try {
    return (await octokit.rest.repos.get({ owner, repo })).data.default_branch;
  } catch (error) {
    if ((error as { status?: number }).status === 404) return undefined;
    throw error;
  }
}

/**
 * Where the deployment shows. A resource whose delete succeeded is gone from the registry:
 * it shows where its delete, or else its last success, was mirrored, in the repository that asked.
 */
async function placeOf(octokit: Octokit, store: DeploymentStore, deployment: DeploymentRecord): Promise<Place | string> {
  const resource = await store.resource(deployment.resource);
  if (resource) {
    if (resource.kind === "service_pipeline") return "a pipeline lives in no environment";
    const [owner, repo] = resource.source.split("/") as [string, string];
    const ref = await defaultBranch(octokit, owner, repo);
    if (ref === undefined) return `${owner}/${repo} cannot be read (it does not exist, or the app is not installed on it)`;
    return { owner, repo, ref, environment: resource.kind === "environment" ? resource.key : resource.environment!, production: resource.stage === "prod" };
  }
  const [owner, repo] = deployment.requestedBy.repository?.split("/") ?? [];
  if (!owner || !repo) return "its resource is gone and no repository asked for it";
  const ref = await defaultBranch(octokit, owner, repo);
  if (ref === undefined) return `${owner}/${repo} cannot be read (it does not exist, or the app is not installed on it)`;
  const previous = await store.lastSucceeded(deployment.resource);
  for (const id of [deployment.id, previous?.id]) {
    if (id === undefined) continue;
    const { data: [found] } = await octokit.rest.repos.listDeployments({ owner, repo, task: taskOf(id), per_page: 1 });
    if (found) return { owner, repo, ref, environment: found.environment, production: found.production_environment ?? false };
  }
  return "its resource is gone and was never mirrored";
}

async function findOrCreate(octokit: Octokit, place: Place, deployment: DeploymentRecord): Promise<{ id: number; created: boolean }> {
  const { owner, repo, environment } = place;
  const task = taskOf(deployment.id);
  const { data: [found] } = await octokit.rest.repos.listDeployments({ owner, repo, environment, task, per_page: 1 });
  if (found) return { id: found.id, created: false };
  const version = `${deployment.major}.${deployment.minor}`;
  const { data: created } = await octokit.rest.repos.createDeployment({
    owner, repo, ref: place.ref, task, environment,
    // Baryon deploys what the registry holds, not a commit: nothing to merge, no checks to wait for.
    auto_merge: false, required_contexts: [],
    description: deployment.action === "delete" ? `delete ${deployment.resource} (${deployment.template} ${version})` : `${deployment.resource} → ${deployment.template} ${version}`,
    payload: { baryon: { deployment: deployment.id, resource: deployment.resource, template: deployment.template, version } },
    production_environment: place.production, transient_environment: false,
  });
  if (!("id" in created)) throw new Error(`GitHub did not create a deployment in ${owner}/${repo}: ${created.message ?? "no reason given"}`);
  return { id: created.id, created: true };
}

/** A status moves forward only: queued, in progress, an outcome, inactive. */
const RANK: Record<string, number> = { queued: 0, pending: 0, in_progress: 1, success: 2, failure: 2, error: 2, inactive: 3 };

/** Adds the status unless GitHub's latest one is it or comes after it; true when added. */
async function ensureStatus(octokit: Octokit, place: Place, id: number, want: { state: GitHubState; description: string; logUrl?: string }, fresh: boolean): Promise<boolean> {
  const { owner, repo } = place;
  if (!fresh) {
    const { data: [latest] } = await octokit.rest.repos.listDeploymentStatuses({ owner, repo, deployment_id: id, per_page: 1 });
    if (latest && RANK[latest.state]! >= RANK[want.state]!) return false;
  }
  // auto_inactive off: an instance's success must not mark its environment's deployment inactive (step 4 retires per resource).
  await octokit.rest.repos.createDeploymentStatus({
    owner, repo, deployment_id: id, state: want.state, description: want.description, auto_inactive: false, ...(want.logUrl ? { log_url: want.logUrl } : {}),
  });
  return true;
}

/** The resource's previous successful deployment, still shown as active, goes inactive; returns its id when it did. */
async function retirePrevious(octokit: Octokit, place: Place, store: DeploymentStore, deployment: DeploymentRecord): Promise<string | undefined> {
  const history = await store.deploymentsOf(deployment.resource, 20);
  const at = history.findIndex((d) => d.id === deployment.id);
  const previous = at < 0 ? undefined : history.slice(at + 1).find((d) => d.status === "succeeded");
  if (!previous) return undefined;
  const { owner, repo, environment } = place;
  const { data: [found] } = await octokit.rest.repos.listDeployments({ owner, repo, environment, task: taskOf(previous.id), per_page: 1 });
  if (!found) return undefined;
  const { data: [latest] } = await octokit.rest.repos.listDeploymentStatuses({ owner, repo, deployment_id: found.id, per_page: 1 });
  if (latest?.state !== "success") return undefined;
  const description = deployment.action === "delete" ? `${deployment.resource} was deleted` : `replaced by ${deployment.template} ${deployment.major}.${deployment.minor} (deployment ${deployment.id})`;
  await octokit.rest.repos.createDeploymentStatus({ owner, repo, deployment_id: found.id, state: "inactive", description: clip(description), auto_inactive: false });
  return previous.id;
}

/** The GitHub state and description of where a Baryon deployment stands. */
export function stateOf(d: Pick<DeploymentRecord, "status" | "template" | "major" | "minor" | "reason">): { state: GitHubState; description: string } {
  const version = `${d.template} ${d.major}.${d.minor}`;
  switch (d.status) {
    case "pending": return { state: "queued", description: `${version}: waiting to deploy` };
    case "delete_pending": return { state: "queued", description: "waiting to delete" };
    case "in_progress": return { state: "in_progress", description: `deploying ${version}` };
    case "delete_in_progress": return { state: "in_progress", description: "deleting" };
    case "succeeded": return { state: "success", description: `${version} deployed` };
    case "delete_succeeded": return { state: "inactive", description: "deleted" };
    case "failed": case "cancelled": case "delete_failed": {
      const what = d.status === "cancelled" ? "cancelled" : d.status === "delete_failed" ? "delete failed" : "failed";
      return { state: "failure", description: clip(d.reason ? `${what}: ${d.reason}` : what) };
    }
  }
}

function clip(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > DESCRIPTION_LIMIT ? `${line.slice(0, DESCRIPTION_LIMIT - 1)}…` : line;
}

/**
 * A 403 that is no rate limit: the installation has not granted `deployments: write` (an
 * installation made before Baryon asked for it must accept the new permission). Retrying cannot help.
 */
function permanentIfForbidden(error: unknown): unknown {
  const { status, response } = error as { status?: number; response?: { headers?: Record<string, string | undefined> } };
  const headers = response?.headers ?? {};
  if (status !== 403 || headers["retry-after"] !== undefined || headers["x-ratelimit-remaining"] === "0") return error;
  return new PermanentJobError(
    `GitHub refused a deployment (403): the installation must grant the app "deployments: write" (accept the new permission in its settings): ${(error as Error).message}`,
    { cause: error },
  );
}
