// Tokens that grant one thing about one deployment: reporting its outcome (the
// pull-request provisioner's callback) or reading its log (the link on GitHub
// Deployments). Each is an HMAC of its purpose, the owner and the deployment id,
// so Baryon keeps no token table and a token grants nothing else.
import { createHmac, timingSafeEqual } from "node:crypto";

export type TokenPurpose = "callback" | "log";

function mac(secret: string, purpose: TokenPurpose, owner: string, deploymentId: string): string {
  return createHmac("sha256", secret).update(`baryon deployment ${purpose}\0${owner.toLowerCase()}\0${deploymentId}`).digest("hex");
}

/** `<owner>.<hmac>`: the owner is named in the token because deployment stores are per owner. */
export function deploymentToken(secret: string, purpose: TokenPurpose, owner: string, deploymentId: string): string {
  return `${owner}.${mac(secret, purpose, owner, deploymentId)}`;
}

/** The owner `token` was made for, when it is this deployment's for this purpose; undefined otherwise. */
export function verifyDeploymentToken(secret: string, purpose: TokenPurpose, deploymentId: string, token: string | undefined): string | undefined {
  const parts = /^([A-Za-z0-9-]+)\.([0-9a-f]{64})$/i.exec(token?.trim() ?? "");
  if (!parts) return undefined;
  const [, owner, given] = parts;
  const expected = Buffer.from(mac(secret, purpose, owner!, deploymentId));
  return timingSafeEqual(Buffer.from(given!.toLowerCase()), expected) ? owner : undefined;
}
