// `GET /api/deployments/:id/log?token=…`: a deployment's log, for the "View logs" link of
// its GitHub Deployment status. The token grants reading this one deployment's log
// (deployment-token.ts, under the webhook secret), so whoever sees the deployment on
// GitHub can open its log, and nothing else: no other deployment, no other owner.
import type { IncomingMessage, ServerResponse } from "node:http";
import { deploymentToken, verifyDeploymentToken } from "../adapters/deployment-token.js";
import type { ArtifactStore } from "../ports/artifact-store.js";
import type { Registry } from "../ports/registry.js";

export const LOG_PATH = /^\/api\/deployments\/([A-Za-z0-9_-]{1,100})\/log$/;

/** The log link of a deployment, under Baryon's public address. */
export function deploymentLogUrl(base: string, secret: string, owner: string, deploymentId: string): string {
  const token = deploymentToken(secret, "log", owner, deploymentId);
  return `${base.replace(/\/+$/, "")}/api/deployments/${encodeURIComponent(deploymentId)}/log?token=${encodeURIComponent(token)}`;
}

export interface LogDeps {
  secret: string;
  registry: Registry;
  artifacts: ArtifactStore;
}

export async function answerDeploymentLog(req: IncomingMessage, res: ServerResponse, deploymentId: string, deps: LogDeps): Promise<void> {
  const answer = (status: number, text: string) =>
    void res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff", "cache-control": "no-store" }).end(text);
  const token = new URL(req.url ?? "/", "http://localhost").searchParams.get("token") ?? undefined;
  const owner = verifyDeploymentToken(deps.secret, "log", deploymentId, token);
  if (!owner) return answer(401, "This link is not valid for this deployment's log: open it again from the deployment on GitHub.\n");
  const deployment = await deps.registry.deployments({ login: owner }).getDeployment(deploymentId);
  if (!deployment) return answer(404, `No deployment ${deploymentId}.\n`);
  const heading = `# deployment ${deployment.id}: ${deployment.action} ${deployment.resource} at ${deployment.template} ${deployment.major}.${deployment.minor}: ${deployment.status}${deployment.reason ? ` (${deployment.reason})` : ""}\n`;
  if (!deployment.log) return answer(200, `${heading}# no log yet: it is kept when the deployment finishes\n`);
  return answer(200, heading + new TextDecoder().decode(await deps.artifacts.get(deployment.log)));
}
