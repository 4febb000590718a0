// Checks the Authorization header the way GitHub sorts callers: the app's JWT
// for /app endpoints, an installation or user-to-server token the fake issued for the rest.
import type { IncomingHttpHeaders } from "node:http";
import type { FakeState } from "./state.js";

/** `installationId` for an installation token, `user` for a user-to-server token (the app acting for that user). */
export type AuthResult = { ok: true; installationId?: number; user?: string } | { ok: false; message: string };

function credentials(headers: IncomingHttpHeaders): { scheme: string; value: string } | undefined {
  const match = /^(\w+)\s+(\S+)$/.exec(String(headers.authorization ?? "").trim());
  return match ? { scheme: (match[1] as string).toLowerCase(), value: match[2] as string } : undefined;
}

function decodePart(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Any signature is accepted (the fake has no key); the shape and claims GitHub checks are not. */
export function checkJwt(headers: IncomingHttpHeaders, appId: number): AuthResult {
  const given = credentials(headers);
  if (!given || given.scheme !== "bearer") return { ok: false, message: "an app endpoint needs `Authorization: Bearer <JWT>`" };
  const parts = given.value.split(".");
  if (parts.length !== 3 || parts.some((p) => p === "")) return { ok: false, message: "the bearer token is not a JWT (header.payload.signature)" };
  const header = decodePart(parts[0] as string);
  const payload = decodePart(parts[1] as string);
  if (!header || !payload) return { ok: false, message: "A JSON web token could not be decoded" };
  if (header.alg !== "RS256") return { ok: false, message: `the JWT is signed with ${String(header.alg)}, GitHub wants RS256` };
  const now = Math.floor(Date.now() / 1000);
  const { iss, iat, exp } = payload;
  if (String(iss) !== String(appId) && !(typeof iss === "string" && iss.startsWith("Iv"))) {
    return { ok: false, message: `the JWT's iss (${String(iss)}) is not the app id ${appId}` };
  }
  if (typeof iat !== "number" || typeof exp !== "number") return { ok: false, message: "the JWT needs numeric iat and exp claims" };
  if (exp <= now) return { ok: false, message: "the JWT has expired" };
  if (exp - now > 600 + 30) return { ok: false, message: "the JWT's exp is more than 10 minutes in the future" };
  if (iat > now + 60) return { ok: false, message: "the JWT's iat is in the future" };
  return { ok: true };
}

export function checkToken(headers: IncomingHttpHeaders, state: FakeState): AuthResult {
  const given = credentials(headers);
  if (!given || (given.scheme !== "token" && given.scheme !== "bearer")) {
    return { ok: false, message: "Requires authentication: send an installation or user token (`Authorization: token ghs_…`)" };
  }
  const user = state.userTokens.get(given.value);
  if (user) {
    if (Date.parse(user.expiresAt) <= Date.now()) return { ok: false, message: "Bad credentials: the user token has expired" };
    return { ok: true, user: user.login };
  }
  const token = state.tokens.get(given.value);
  if (!token) {
    const looksLikeJwt = given.value.split(".").length === 3;
    return { ok: false, message: looksLikeJwt ? "Bad credentials: a JWT authenticates only as the app, use an installation token here" : "Bad credentials" };
  }
  if (Date.parse(token.expiresAt) <= Date.now()) return { ok: false, message: "Bad credentials: the installation token has expired" };
  return { ok: true, installationId: token.installationId };
}
