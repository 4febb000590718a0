// Baryon's resources in the shapes of AWS Proton's API (AWS JSON 1.0), as
// @aws-sdk/client-proton reads them: timestamps in epoch seconds, versions as
// strings, specs as YAML text, errors as `__type` + `message` with the HTTP
// status each error is modeled with (so the SDK throws its named exception class).
import { stringify } from "yaml";
import type { DeploymentStatus } from "../../inventory/deployment-status.js";
import type { ServiceResourceStatus } from "../../flows/service-status.js";
import type { SignatureFailure } from "./verify-signature.js";

/** `X-Amz-Target: AwsProton20200720.<Operation>`. */
export const TARGET_PREFIX = "AwsProton20200720.";
export const CONTENT_TYPE = "application/x-amz-json-1.0";

/** Proton's modeled errors (com.amazonaws.proton) and the protocol's own. */
const MODELED = { ValidationException: 400, AccessDeniedException: 403, ResourceNotFoundException: 404, ConflictException: 409, InternalServerException: 500 } as const;
const PROTOCOL = {
  MissingAuthenticationTokenException: 403, UnrecognizedClientException: 403, InvalidSignatureException: 403,
  UnknownOperationException: 400, SerializationException: 400,
} as const satisfies Record<SignatureFailure | "UnknownOperationException" | "SerializationException", number>;

export type ProtonErrorCode = keyof typeof MODELED | keyof typeof PROTOCOL;

export function protonError(code: ProtonErrorCode, message: string): { status: number; body: { __type: string; message: string } } {
  const modeled = code in MODELED;
  return {
    status: modeled ? MODELED[code as keyof typeof MODELED] : PROTOCOL[code as keyof typeof PROTOCOL],
    body: { __type: modeled ? `com.amazonaws.proton#${code}` : code, message },
  };
}

/** Pending and running are both IN_PROGRESS: the waiters poll until SUCCEEDED or FAILED. */
const STATUS: Record<DeploymentStatus, string> = {
  pending: "IN_PROGRESS", in_progress: "IN_PROGRESS", succeeded: "SUCCEEDED", failed: "FAILED", cancelled: "CANCELLED",
  delete_pending: "DELETE_IN_PROGRESS", delete_in_progress: "DELETE_IN_PROGRESS", delete_succeeded: "DELETE_COMPLETE", delete_failed: "DELETE_FAILED",
};

const seconds = (date: Date | undefined) => (date ? date.getTime() / 1000 : undefined);
const arn = (owner: string, path: string) => `arn:baryon:proton::${owner}:service/${path}`;

/** A ServiceSpec holding the given resources: `proton`, `pipeline` (when the service has one), `instances`. */
export function serviceSpecText(statuses: readonly ServiceResourceStatus[]): string {
  const pipeline = statuses.find((s) => s.resource.kind === "service_pipeline");
  const instances = statuses.filter((s) => s.resource.kind === "service_instance")
    .map(({ resource: r }) => ({ name: r.name, environment: r.environment, spec: r.inputs }));
  return stringify({ proton: "ServiceSpec", ...(pipeline ? { pipeline: pipeline.resource.inputs } : {}), instances });
}

/** Fields a service instance and a pipeline share: version, deployment status and times. */
function deployed(s: ServiceResourceStatus): Record<string, unknown> {
  const version = s.running ?? s.latest;
  const latest = s.latest;
  const failed = latest && (latest.status === "failed" || latest.status === "cancelled" || latest.status === "delete_failed");
  return {
    createdAt: seconds(s.earliest?.createdAt),
    lastDeploymentAttemptedAt: seconds(latest?.createdAt),
    lastDeploymentSucceededAt: seconds(s.running?.finishedAt),
    templateName: s.resource.template.name,
    templateMajorVersion: String(version?.major ?? s.resource.template.major),
    templateMinorVersion: String(version?.minor ?? s.resource.template.minor ?? 0),
    // A resource without any deployment has nothing under way: none is asked for.
    deploymentStatus: latest ? STATUS[latest.status] : "FAILED",
    ...(failed ? { deploymentStatusMessage: latest.reason ?? latest.status } : {}),
    ...(!latest ? { deploymentStatusMessage: "no deployment was ever asked for" } : {}),
    ...(latest ? { lastAttemptedDeploymentId: latest.id } : {}),
    ...(s.running ? { lastSucceededDeploymentId: s.running.id } : {}),
  };
}

export function serviceInstanceShape(owner: string, s: ServiceResourceStatus): Record<string, unknown> {
  const r = s.resource;
  return {
    name: r.name, arn: arn(owner, `${r.service}/service-instance/${r.name}`), serviceName: r.service, environmentName: r.environment,
    ...deployed(s), spec: serviceSpecText([s]),
  };
}

export function serviceShape(owner: string, service: string, statuses: readonly ServiceResourceStatus[]): Record<string, unknown> {
  const pipeline = statuses.find((s) => s.resource.kind === "service_pipeline");
  const times = statuses.flatMap((s) => [s.earliest?.createdAt, s.latest?.createdAt]).filter((d): d is Date => d !== undefined).map((d) => d.getTime());
  return {
    name: service, arn: arn(owner, service), templateName: statuses[0]!.resource.template.name,
    createdAt: times.length ? Math.min(...times) / 1000 : undefined, lastModifiedAt: times.length ? Math.max(...times) / 1000 : undefined,
    // A service has no deployment of its own in Baryon: its instances and pipeline do.
    status: "ACTIVE",
    spec: serviceSpecText(statuses),
    ...(pipeline ? { pipeline: { arn: arn(owner, `${service}/pipeline`), ...deployed(pipeline), spec: serviceSpecText([pipeline]) } } : {}),
  };
}
