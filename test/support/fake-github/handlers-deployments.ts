// Deployments and their statuses, with the rules GitHub applies beyond the schema:
// the ref must resolve, required status contexts must be green, a status description
// is at most 140 characters, and a success marks earlier successes inactive (`auto_inactive`).
import { actor, notFound, paginate, Rejection, repoOf, validationFailed, type FakeRequest, type FakeResponse, type HandlerCtx, type HandlerSpec } from "./handler.js";
import { deploymentJson, deploymentStatusJson } from "./objects-deployments.js";
import type { DeploymentRecord, DeploymentStatusRecord, RepoRecord } from "./state.js";

/** GitHub refuses a deployment status description over this many characters. */
export const STATUS_DESCRIPTION_LIMIT = 140;

interface CreateDeploymentBody {
  ref: string;
  task?: string;
  auto_merge?: boolean;
  required_contexts?: string[];
  payload?: Record<string, unknown> | string;
  environment?: string;
  description?: string | null;
  transient_environment?: boolean;
  production_environment?: boolean;
}

interface CreateStatusBody {
  state: DeploymentStatusRecord["state"];
  target_url?: string;
  log_url?: string;
  description?: string;
  environment?: string;
  environment_url?: string;
  auto_inactive?: boolean;
}

function requireRepo(req: FakeRequest, ctx: HandlerCtx): RepoRecord | FakeResponse {
  return repoOf(req, ctx) ?? notFound(req);
}

function deploymentOf(req: FakeRequest, ctx: HandlerCtx, repo: RepoRecord): DeploymentRecord | undefined {
  return ctx.state.deploymentList.find((d) => d.repo === repo && d.id === Number(req.params.deployment_id));
}

/** The contexts asked for (all the commit's when none are named) whose latest status is not a success. */
function failingContexts(ctx: HandlerCtx, repo: RepoRecord, sha: string, required: string[] | undefined): string[] {
  const statuses = ctx.state.statuses(repo, sha);
  const contexts = required ?? [...new Set(statuses.map((s) => s.context))];
  return contexts.filter((c) => statuses.filter((s) => s.context === c).at(-1)?.state !== "success");
}

const latestState = (d: DeploymentRecord) => d.statuses.at(-1)?.state;

export const deploymentHandlers: Record<string, HandlerSpec> = {
  "repos/create-deployment": {
    auth: "token",
    handle(req, ctx) {
      const repo = requireRepo(req, ctx);
      if ("status" in repo) return repo;
      const body = req.body as CreateDeploymentBody;
      const sha = ctx.state.resolve(repo, body.ref);
      if (!sha) throw new Rejection(422, `No ref found for: ${body.ref}`);
      const failing = failingContexts(ctx, repo, sha, body.required_contexts);
      if (failing.length > 0) {
        throw new Rejection(409, `Conflict: Commit status checks failed for ${body.ref}.`, [{ contexts: failing, resource: "Deployment", field: "required_contexts", code: "invalid" }]);
      }
      const environment = body.environment ?? "production";
      const now = ctx.state.now();
      const deployment: DeploymentRecord = {
        id: ctx.state.id(), repo, sha, ref: body.ref, task: body.task ?? "deploy", environment,
        description: body.description ?? "", payload: body.payload ?? {}, creator: actor(req, ctx),
        productionEnvironment: body.production_environment ?? environment === "production",
        transientEnvironment: body.transient_environment ?? false,
        createdAt: now, updatedAt: now, statuses: [],
      };
      ctx.state.deploymentList.push(deployment);
      return { status: 201, json: deploymentJson(ctx, deployment) };
    },
  },

  "repos/list-deployments": {
    auth: "token",
    handle(req, ctx) {
      const repo = requireRepo(req, ctx);
      if ("status" in repo) return repo;
      const { sha, ref, task, environment } = req.params as Record<string, string | undefined>;
      const found = ctx.state.deployments(repo)
        .filter((d) => (sha === undefined || d.sha === sha) && (ref === undefined || d.ref === ref) && (task === undefined || d.task === task) && (environment === undefined || d.environment === environment))
        .reverse();
      const page = paginate(req, found);
      return { status: 200, json: page.items.map((d) => deploymentJson(ctx, d)), headers: page.headers };
    },
  },

  "repos/create-deployment-status": {
    auth: "token",
    handle(req, ctx) {
      const repo = requireRepo(req, ctx);
      if ("status" in repo) return repo;
      const deployment = deploymentOf(req, ctx, repo);
      if (!deployment) return notFound(req);
      const body = req.body as CreateStatusBody;
      const description = body.description ?? "";
      if (description.length > STATUS_DESCRIPTION_LIMIT) {
        throw validationFailed(`description is too long (maximum is ${STATUS_DESCRIPTION_LIMIT} characters)`, "description");
      }
      const status = addStatus(ctx, deployment, {
        creator: actor(req, ctx), state: body.state, description, environment: body.environment ?? deployment.statuses.at(-1)?.environment ?? deployment.environment,
        logUrl: body.log_url ?? body.target_url ?? "", environmentUrl: body.environment_url ?? "", automatic: false,
      });
      if (body.state === "success" && body.auto_inactive !== false) {
        // Earlier successes in the same environment go inactive, unless they are production or transient ones.
        for (const other of ctx.state.deployments(repo, { environment: status.environment })) {
          if (other.id < deployment.id && !other.productionEnvironment && !other.transientEnvironment && latestState(other) === "success") {
            addStatus(ctx, other, { creator: ctx.state.botLogin, state: "inactive", description: "", environment: status.environment, logUrl: "", environmentUrl: "", automatic: true });
          }
        }
      }
      return { status: 201, json: deploymentStatusJson(ctx, deployment, status) };
    },
  },

  "repos/list-deployment-statuses": {
    auth: "token",
    handle(req, ctx) {
      const repo = requireRepo(req, ctx);
      if ("status" in repo) return repo;
      const deployment = deploymentOf(req, ctx, repo);
      if (!deployment) return notFound(req);
      // Newest first, as GitHub lists them.
      const page = paginate(req, [...deployment.statuses].reverse());
      return { status: 200, json: page.items.map((s) => deploymentStatusJson(ctx, deployment, s)), headers: page.headers };
    },
  },
};

function addStatus(ctx: HandlerCtx, deployment: DeploymentRecord, status: Omit<DeploymentStatusRecord, "id" | "createdAt">): DeploymentStatusRecord {
  const record: DeploymentStatusRecord = { id: ctx.state.id(), createdAt: ctx.state.now(), ...status };
  deployment.statuses.push(record);
  deployment.updatedAt = record.createdAt;
  return record;
}
