// `POST /api/proton`: the few AWS Proton API operations that pipelines written for
// Proton call (GetService, GetServiceInstance, UpdateServiceInstance, and what
// `wait service-instance-deployed` polls), in the AWS JSON 1.0 protocol, so that the
// AWS CLI and SDKs work with `--endpoint-url` pointed here and nothing else changed.
// Requests are signed with SigV4 by a Baryon token (api-token.ts): a token sees its
// owner's services only. An update is an ordinary deployment, queued like any other.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { parseAccessKeyId, secretFor } from "../adapters/proton-api/api-token.js";
import { CONTENT_TYPE, protonError, serviceInstanceShape, serviceShape, TARGET_PREFIX, type ProtonErrorCode } from "../adapters/proton-api/shapes.js";
import { verifySignature } from "../adapters/proton-api/verify-signature.js";
import { serviceInstanceStatus, serviceStatus } from "../flows/service-status.js";
import { bundleLoader } from "../flows/stored-bundle.js";
import { DEPLOYMENT_TYPES, updateServiceInstance, type DeploymentType } from "../flows/update-service-instance.js";
import { enqueueDeployment } from "../jobs/lanes.js";
import type { ArtifactStore } from "../ports/artifact-store.js";
import type { JobQueue } from "../ports/job-queue.js";
import type { Owner, Registry } from "../ports/registry.js";
import { readBody } from "./read-body.js";

export const PROTON_API_PATH = /^\/api\/proton\/?$/;
/** A spec is a few kilobytes; Proton's own limit on a spec was 50 KB. */
const MAX_BODY_BYTES = 256 * 1024;

export interface ProtonApiDeps {
  /** The key tokens derive from (tokenKey of BARYON_API_SECRET, else of WEBHOOK_SECRET). */
  key: Buffer;
  registry: Registry;
  queue: JobQueue;
  artifacts: ArtifactStore;
  log: { info(fields: object, message: string): void; warn(fields: object, message: string): void };
  now?: () => Date;
}

interface Caller {
  owner: Owner;
  token: string;
}

type Answer = { status: number; body: object };
/** A refusal the caller can act on, answered as the AWS JSON error `code`. */
class ProtonApiError extends Error {
  override name = "ProtonApiError";
  constructor(readonly code: ProtonErrorCode, message: string) {
    super(message);
  }
}

export async function answerProtonApi(req: IncomingMessage, res: ServerResponse, deps: ProtonApiDeps): Promise<void> {
  const send = ({ status, body }: Answer) => void res.writeHead(status, { "content-type": CONTENT_TYPE, "x-amzn-requestid": randomUUID() }).end(JSON.stringify(body));
  const body = await readBody(req, MAX_BODY_BYTES);
  if (body === undefined) return send(protonError("ValidationException", `the request body is over ${MAX_BODY_BYTES} bytes`));
  const verified = await verifySignature({ method: req.method ?? "POST", url: req.url ?? "/", headers: req.headers, body }, (accessKeyId) => {
    return parseAccessKeyId(accessKeyId) ? secretFor(deps.key, accessKeyId) : undefined;
  }, deps.now?.() ?? new Date());
  if (!verified.ok) {
    // Who it claims to be, never the signature or the body.
    deps.log.warn({ code: verified.code, accessKeyId: accessKeyIdOf(req.headers.authorization) }, "Proton API request refused");
    return send(protonError(verified.code, verified.message));
  }
  const { owner, name } = parseAccessKeyId(verified.accessKeyId)!;
  const caller: Caller = { owner: { login: owner }, token: name };
  const target = String(req.headers["x-amz-target"] ?? "");
  const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : "";
  let input: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(body.toString("utf8") || "{}");
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
    input = parsed as Record<string, unknown>;
  } catch {
    return send(protonError("SerializationException", "the body is not a JSON object"));
  }
  try {
    const answer = await operate(operation, input, caller, deps);
    return send({ status: 200, body: answer });
  } catch (error) {
    if (!(error instanceof ProtonApiError)) throw error;
    return send(protonError(error.code, error.message));
  }
}

async function operate(operation: string, input: Record<string, unknown>, caller: Caller, deps: ProtonApiDeps): Promise<object> {
  const store = deps.registry.deployments(caller.owner);
  const owner = caller.owner.login;
  switch (operation) {
    case "GetService": {
      const name = text(input, "name");
      const statuses = await serviceStatus(store, name);
      if (statuses.length === 0) throw new ProtonApiError("ResourceNotFoundException", `no service ${name}`);
      return { service: serviceShape(owner, name, statuses) };
    }
    case "GetServiceInstance": {
      const status = await serviceInstanceStatus(store, text(input, "serviceName"), text(input, "name"));
      if (!status) throw new ProtonApiError("ResourceNotFoundException", `no service instance ${text(input, "name")} of service ${text(input, "serviceName")}`);
      return { serviceInstance: serviceInstanceShape(owner, status) };
    }
    case "UpdateServiceInstance":
      return update(input, caller, deps);
    default:
      throw new ProtonApiError("UnknownOperationException", `${operation || "(no X-Amz-Target)"} is not served by Baryon: only GetService, GetServiceInstance and UpdateServiceInstance are (docs/proton-api.md)`);
  }
}

async function update(input: Record<string, unknown>, caller: Caller, deps: ProtonApiDeps): Promise<object> {
  const service = text(input, "serviceName");
  const instance = text(input, "name");
  const deploymentType = text(input, "deploymentType") as DeploymentType;
  if (!DEPLOYMENT_TYPES.includes(deploymentType)) throw new ProtonApiError("ValidationException", `deploymentType must be one of ${DEPLOYMENT_TYPES.join(", ")}`);
  // The token names the owner, not its installation: the registry knows it, and the deploy job mirrors to GitHub Deployments with it.
  const known = (await deps.registry.ownersWithResources()).find((o) => o.login.toLowerCase() === caller.owner.login.toLowerCase());
  const owner = known ?? caller.owner;
  const store = deps.registry.deployments(owner);
  const outcome = await updateServiceInstance({ store, versions: deps.registry.versions(owner), bundleOf: bundleLoader(deps.artifacts) }, {
    service, instance, deploymentType,
    ...optional(input, "spec"), ...optional(input, "templateMajorVersion"), ...optional(input, "templateMinorVersion"),
    requestedBy: { actor: `token:${caller.token}`, reason: `Proton API UpdateServiceInstance ${deploymentType}` },
  });
  if (!outcome.ok) {
    const code = outcome.problem === "not found" ? "ResourceNotFoundException" : outcome.problem === "conflict" ? "ConflictException" : "ValidationException";
    throw new ProtonApiError(code, outcome.message);
  }
  if (outcome.deployment) {
    await enqueueDeployment(deps.queue, owner, outcome.deployment);
    deps.log.info({ owner: owner.login, token: caller.token, resource: outcome.resource.key, deployment: outcome.deployment.id, created: outcome.created },
      "Proton API: service instance update queued");
  }
  const status = await serviceInstanceStatus(store, service, instance);
  return { serviceInstance: serviceInstanceShape(owner.login, status!) };
}

/** A required string member; its absence is Proton's ValidationException. */
function text(input: Record<string, unknown>, member: string): string {
  const value = input[member];
  if (typeof value !== "string" || value === "") throw new ProtonApiError("ValidationException", `${member} is required (a string)`);
  return value;
}

function optional(input: Record<string, unknown>, member: string): Record<string, string> {
  const value = input[member];
  if (value === undefined || value === null) return {};
  if (typeof value !== "string") throw new ProtonApiError("ValidationException", `${member} must be a string`);
  return { [member]: value };
}

function accessKeyIdOf(header: string | undefined): string | undefined {
  return /Credential=([^/,\s]{1,200})\//.exec(header ?? "")?.[1];
}
