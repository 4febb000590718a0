// The callback of the pull-request provisioner: the infrastructure repository's CI
// reports a deployment's outcome to `POST /api/deployments/:id/status` with a
// bearer token that is valid for that one deployment only (deployment-token.ts,
// under BARYON_CALLBACK_SECRET): a token read from one deployment's file reports
// nothing else.
import type { DeploymentOutputs } from "../../ports/provisioner.js";
import { deploymentToken, verifyDeploymentToken } from "../deployment-token.js";
import type { CallbackReport } from "./pull-request-config.js";

export const CALLBACK_PATH = /^\/api\/deployments\/([A-Za-z0-9_-]{1,100})\/status$/;

export interface CallbackSettings {
  /** Baryon's address as the infrastructure repository's CI reaches it (BARYON_PUBLIC_URL). */
  url?: string;
  /** BARYON_CALLBACK_SECRET. */
  secret: string;
}

/** `<owner>.<hmac>`, valid for reporting on this one deployment. */
export function callbackToken(secret: string, owner: string, deploymentId: string): string {
  return deploymentToken(secret, "callback", owner, deploymentId);
}

/** The owner a bearer token was made for, when it is this deployment's; undefined otherwise. */
export function verifyCallbackToken(secret: string, deploymentId: string, authorization: string | undefined): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? "");
  return bearer ? verifyDeploymentToken(secret, "callback", deploymentId, bearer[1]) : undefined;
}

export function callbackUrl(base: string, deploymentId: string): string {
  return `${base.replace(/\/+$/, "")}/api/deployments/${encodeURIComponent(deploymentId)}/status`;
}

/**
 * The callback's JSON body: `{ "status": "succeeded", "outputs": {...} }` or
 * `{ "status": "failed", "reason": "..." }`; outputs are strings, numbers or booleans.
 */
export function parseCallbackBody(text: string): { report: CallbackReport } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { error: `the body is not JSON: ${(error as Error).message}` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { error: "the body must be a JSON object with a status" };
  const body = value as { status?: unknown; outputs?: unknown; reason?: unknown };
  const unknown = Object.keys(body).filter((k) => !["status", "outputs", "reason"].includes(k));
  if (unknown.length) return { error: `unknown field ${unknown.map((k) => JSON.stringify(k)).join(", ")} (the body takes status, outputs, reason)` };
  if (body.reason !== undefined && typeof body.reason !== "string") return { error: "reason must be a string" };
  if (body.status === "failed") return { report: { status: "failed", reason: (body.reason as string | undefined)?.trim() || "the infrastructure repository reported a failure" } };
  if (body.status !== "succeeded") return { error: `status must be "succeeded" or "failed" (got ${JSON.stringify(body.status)})` };
  if (body.outputs === undefined || body.outputs === null) return { report: { status: "succeeded", outputs: {} } };
  if (typeof body.outputs !== "object" || Array.isArray(body.outputs)) return { error: "outputs must be an object of names to strings, numbers or booleans" };
  const outputs: DeploymentOutputs = {};
  for (const [name, v] of Object.entries(body.outputs)) {
    if (typeof v === "string") outputs[name] = v;
    else if (typeof v === "number" || typeof v === "boolean") outputs[name] = String(v);
    else return { error: `output "${name}" is ${v === null ? "null" : Array.isArray(v) ? "an array" : typeof v}; outputs are strings, numbers or booleans` };
  }
  return { report: { status: "succeeded", outputs } };
}
