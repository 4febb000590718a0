// Console sessions live in the browser: sealed so that nobody reads the GitHub
// token inside or forges an owner, and worthless past their expiry or under
// another secret. The OAuth state cookie binds a sign-in to the browser that began it.
import { describe, expect, it } from "vitest";
import { SessionCookies, type Session } from "../../src/main/web-session.js";

const cookieOf = (setCookie: string) => setCookie.split(";")[0]!;
const session = (over: Partial<Session> = {}): Session => ({ user: "alice", owners: ["acme"], token: "ghu_secret", expiresAt: Date.now() + 60_000, ...over });

describe("SessionCookies", () => {
  const sessions = new SessionCookies("a secret of the console, long enough");

  it("reads back what it issued, HttpOnly and SameSite=Lax, with the token unreadable", () => {
    const header = sessions.issue(session());
    expect(header).toMatch(/; Path=\/; HttpOnly; SameSite=Lax; Max-Age=(59|60)$/);
    expect(header).not.toContain("ghu_secret");
    expect(Buffer.from(cookieOf(header).split("=")[1]!, "base64url").toString("latin1")).not.toContain("acme");
    expect(sessions.read(cookieOf(header))).toEqual(session({ expiresAt: expect.any(Number) as number }));
    expect(new SessionCookies("s".repeat(32), true).issue(session())).toContain("; Secure");
  });

  it("refuses a cookie changed by one bit, sealed with another secret, or expired", () => {
    const value = cookieOf(sessions.issue(session())).split("=")[1]!;
    const bytes = Buffer.from(value, "base64url");
    bytes[bytes.length - 1]! ^= 1;
    expect(sessions.read(`baryon_session=${bytes.toString("base64url")}`)).toBeUndefined();
    expect(new SessionCookies("another secret entirely, also long").read(`baryon_session=${value}`)).toBeUndefined();
    expect(sessions.read(cookieOf(sessions.issue(session({ expiresAt: Date.now() - 1 }))))).toBeUndefined();
    expect(sessions.read("baryon_session=not-base64-at-all!")).toBeUndefined();
    expect(sessions.read(undefined)).toBeUndefined();
  });

  it("derives a CSRF token per session", () => {
    const a = cookieOf(sessions.issue(session()));
    const b = cookieOf(sessions.issue(session()));
    expect(sessions.csrf(a)).toBe(sessions.csrf(a));
    expect(sessions.csrf(a)).not.toBe(sessions.csrf(b));
  });

  it("finishes only the sign-in this browser started, once it came back with its state", () => {
    const { state, setCookie } = sessions.startSignIn("/acme/rollouts");
    expect(setCookie).toMatch(/^baryon_oauth=[^;]+; Path=\/login; HttpOnly; SameSite=Lax; Max-Age=600$/);
    expect(sessions.finishSignIn(cookieOf(setCookie), state)).toEqual({ back: "/acme/rollouts", clear: expect.stringContaining("Max-Age=0") as string });
    expect(sessions.finishSignIn(cookieOf(setCookie), `${state}x`)).toBeUndefined();
    expect(sessions.finishSignIn(undefined, state)).toBeUndefined();
  });
});
