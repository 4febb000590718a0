// The web console's sessions: sealed cookies (AES-256-GCM, so signed and
// unreadable: a session may carry the user's GitHub token), nothing stored on
// the server, so any app process with the same secret reads them. Each session's
// CSRF token is derived from its cookie: it needs no storage and dies with it.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";

export interface Session {
  /** Who signed in: a GitHub login, or the owner `baryon ui` serves. */
  user: string;
  /** The owners whose data this session may see, as GitHub spells them. */
  owners: string[];
  /** The user's GitHub token (the app's OAuth), for writes made as them. */
  token?: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

const COOKIE = "baryon_session";
/** The OAuth round trip's state: short-lived, and sent back by GitHub's cross-site redirect (so SameSite=Lax). */
const STATE_COOKIE = "baryon_oauth";
const STATE_MS = 10 * 60 * 1000;

export class SessionCookies {
  private readonly sealKey: Buffer;
  private readonly csrfKey: Buffer;

  /** `secret`: any length; the keys are derived from it (HKDF), one per use. */
  constructor(secret: Buffer | string, private readonly secure = false) {
    this.sealKey = derive(secret, "baryon console session");
    this.csrfKey = derive(secret, "baryon console csrf");
  }

  /**
   * The Set-Cookie header for a new session. SameSite=Lax, not Strict: a sign-in ends in
   * GitHub's redirect back, which a Strict cookie would not follow; writes are guarded by the
   * CSRF token and the Origin check, and Lax keeps the cookie off other sites' POSTs anyway.
   */
  issue(session: Session): string {
    const maxAge = Math.max(0, Math.floor((session.expiresAt - Date.now()) / 1000));
    return this.cookie(COOKIE, this.seal(JSON.stringify(session)), maxAge, "/");
  }

  /** The session the request's cookies carry, if it is one of ours and has not expired. */
  read(header: string | undefined): Session | undefined {
    const opened = this.open(cookieValue(header, COOKIE));
    if (!opened) return undefined;
    const session = parse<Session>(opened);
    return session && Array.isArray(session.owners) && typeof session.user === "string" && session.expiresAt > Date.now() ? session : undefined;
  }

  /** A Set-Cookie header that ends the session. */
  clear(): string {
    return this.cookie(COOKIE, "", 0, "/");
  }

  csrf(header: string | undefined): string {
    return createHmac("sha256", this.csrfKey).update(cookieValue(header, COOKIE) ?? "").digest("base64url");
  }

  /** The OAuth state cookie for a sign-in that should come back to `back`, and the state to send GitHub. */
  startSignIn(back: string): { state: string; setCookie: string } {
    const state = randomBytes(18).toString("base64url");
    return { state, setCookie: this.cookie(STATE_COOKIE, this.seal(JSON.stringify({ state, back, expiresAt: Date.now() + STATE_MS })), STATE_MS / 1000, "/login") };
  }

  /** Where to go back to when `state` is the one this browser's sign-in sent; undefined for a forged, stale or replayed one. */
  finishSignIn(header: string | undefined, state: string): { back: string; clear: string } | undefined {
    const opened = parse<{ state: string; back: string; expiresAt: number }>(this.open(cookieValue(header, STATE_COOKIE)) ?? "");
    if (!opened || opened.expiresAt <= Date.now() || !sameSecret(state, opened.state)) return undefined;
    return { back: opened.back, clear: this.cookie(STATE_COOKIE, "", 0, "/login") };
  }

  private cookie(name: string, value: string, maxAge: number, path: string): string {
    return `${name}=${value}; Path=${path}; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${this.secure ? "; Secure" : ""}`;
  }

  private seal(text: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.sealKey, iv);
    const sealed = Buffer.concat([cipher.update(text, "utf8"), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString("base64url");
  }

  private open(value: string | undefined): string | undefined {
    if (!value) return undefined;
    const bytes = Buffer.from(value, "base64url");
    if (bytes.length < 29) return undefined;
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.sealKey, bytes.subarray(0, 12));
      decipher.setAuthTag(bytes.subarray(12, 28));
      return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString("utf8");
    } catch {
      return undefined; // tampered with, or sealed with another secret
    }
  }
}

export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function derive(secret: Buffer | string, info: string): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, "baryon", info, 32));
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  return header?.split(/;\s*/).find((c) => c.startsWith(`${name}=`))?.slice(name.length + 1);
}

function parse<T>(text: string): T | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}
