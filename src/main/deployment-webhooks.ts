// Webhooks of infrastructure repositories: a pull-request deployment's pull
// request closing, or a check run or commit status finishing on a commit, queues
// a turn of the deployments it may settle, so they do not wait for the next poll.
// The deploy flow asks the provisioner and decides; a turn that finds nothing new
// costs one status call.
import type { Probot } from "probot";
import { decodeHandle } from "../adapters/provisioners/pull-request-config.js";
import { enqueueDeployment } from "../jobs/lanes.js";
import type { DeploymentRecord } from "../ports/deployment-store.js";
import type { JobQueue } from "../ports/job-queue.js";
import type { Owner, Registry } from "../ports/registry.js";

const BRANCH = /^baryon\/deploy-(.+)$/;
/** How many unfinished deployments (across owners) a check's webhook looks through. */
const SCAN_LIMIT = 1000;

export function onInfrastructureEvents(app: Probot, deps: { queue: JobQueue; registry: Registry }): void {
  app.on("pull_request.closed", async (context) => {
    const { pull_request: pr, repository, installation } = context.payload;
    const id = BRANCH.exec(pr.head.ref)?.[1];
    if (!id || pr.head.repo?.full_name !== repository.full_name) return;
    const owner: Owner = { login: repository.owner.login, ...(installation ? { installationId: installation.id } : {}) };
    const deployment = await deps.registry.deployments(owner).getDeployment(id);
    if (deployment) await wake(context, owner, [deployment]);
  });

  app.on("check_run.completed", async (context) => {
    const { check_run: run, repository, installation } = context.payload;
    await wakeChecked(context, repository, installation?.id, run.name);
  });

  app.on("status", async (context) => {
    const { state, context: name, repository, installation } = context.payload;
    if (state !== "pending") await wakeChecked(context, repository, installation?.id, name);
  });

  /** Unfinished pull-request deployments on this repository that wait for a check of this name. */
  async function wakeChecked(context: Ctx, repository: { full_name: string; owner: { login: string } }, installationId: number | undefined, check: string): Promise<void> {
    const login = repository.owner.login.toLowerCase();
    const waiting = (await deps.registry.unfinishedDeployments(SCAN_LIMIT))
      .filter(({ owner, deployment }) => owner.login.toLowerCase() === login
        && deployment.provisionerSettings.kind === "pull-request" && deployment.provisionerSettings.check === check
        && decodeHandle(deployment.handle ?? "")?.repository.toLowerCase() === repository.full_name.toLowerCase())
      .map(({ deployment }) => deployment);
    await wake(context, { login: repository.owner.login, ...(installationId !== undefined ? { installationId } : {}) }, waiting);
  }

  async function wake(context: Ctx, owner: Owner, deployments: DeploymentRecord[]): Promise<void> {
    for (const deployment of deployments) {
      // One turn per delivery: a redelivery was refused before it got here.
      const added = await enqueueDeployment(deps.queue, owner, deployment, `webhook-${context.id}`);
      context.log.info({ deployment: deployment.id, event: context.name, added }, "deployment turn queued by its infrastructure repository");
    }
  }
}

type Ctx = { id: string; name: string; log: { info(fields: object, message: string): void } };
