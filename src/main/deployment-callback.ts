// `POST /api/deployments/:id/status`: the infrastructure repository's CI reports a
// pull-request deployment's outcome. The report is kept in the deployment's handle
// and a deploy job turn is queued, so the deploy flow finishes the deployment (and
// releases what waits for it) as it does for any other provisioner answer.
import type { IncomingMessage, ServerResponse } from "node:http";
import { parseCallbackBody, verifyCallbackToken, type CallbackSettings } from "../adapters/provisioners/pull-request-callback.js";
import { decodeHandle, encodeHandle } from "../adapters/provisioners/pull-request-config.js";
import { isFinished } from "../inventory/deployment-status.js";
import { enqueueDeployment } from "../jobs/lanes.js";
import type { JobQueue } from "../ports/job-queue.js";
import type { Registry } from "../ports/registry.js";
import { readBody } from "./read-body.js";

const MAX_BODY_BYTES = 1024 * 1024;

export interface CallbackDeps {
  callback?: CallbackSettings;
  registry: Registry;
  queue: JobQueue;
  log: { info(fields: object, message: string): void; warn(fields: object, message: string): void };
}

export async function answerDeploymentCallback(req: IncomingMessage, res: ServerResponse, deploymentId: string, deps: CallbackDeps): Promise<void> {
  const answer = (status: number, body: object) => void res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  if (!deps.callback) {
    req.resume();
    return answer(404, { error: "the deployment callback is not enabled on this Baryon (BARYON_CALLBACK_SECRET and BARYON_PUBLIC_URL)" });
  }
  const owner = verifyCallbackToken(deps.callback.secret, deploymentId, req.headers.authorization);
  if (!owner) {
    req.resume();
    deps.log.warn({ deployment: deploymentId }, "deployment callback refused: bad or missing token");
    return answer(401, { error: "the bearer token is not this deployment's" });
  }
  const text = (await readBody(req, MAX_BODY_BYTES))?.toString("utf8");
  if (text === undefined) return answer(413, { error: `the body is over ${MAX_BODY_BYTES} bytes` });
  const parsed = parseCallbackBody(text);
  if ("error" in parsed) return answer(400, { error: parsed.error });

  const store = deps.registry.deployments({ login: owner });
  const deployment = await store.getDeployment(deploymentId);
  if (!deployment) return answer(404, { error: `no deployment ${deploymentId}` });
  if (isFinished(deployment.status)) return answer(409, { error: `deployment ${deploymentId} is ${deployment.status} already` });
  const handle = decodeHandle(deployment.handle ?? "");
  if (deployment.provisionerSettings.kind !== "pull-request" || !handle) {
    return answer(409, { error: `deployment ${deploymentId} has no pull request in flight to report on` });
  }
  if (handle.callback) return answer(409, { error: `deployment ${deploymentId} was reported ${handle.callback.status} already` });
  await store.setHandle(deploymentId, encodeHandle({ ...handle, callback: parsed.report }));
  await enqueueDeployment(deps.queue, store.owner, deployment, `callback-${Date.now()}`);
  deps.log.info({ deployment: deploymentId, owner, status: parsed.report.status }, "deployment callback accepted");
  return answer(202, { status: "accepted", deployment: deploymentId, reported: parsed.report.status });
}

