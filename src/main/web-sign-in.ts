// How a person gets a console session. `baryon ui`: a one-time link, printed on
// the terminal, for the one owner it serves. `baryon serve`: the GitHub App's
// OAuth, whose user sees the owners where they can see the app installed.
import type { GitHubUserAccess } from "../adapters/github/user-sign-in.js";
import { html, page } from "../present/web/html.js";
import { sameSecret, type Session, type SessionCookies } from "./web-session.js";

/** What the console sends back: a status, a body, and headers (a redirect, a cookie). */
export interface WebAnswer {
  status: number;
  body: string;
  headers?: Record<string, string | string[]>;
}

export interface SignIn {
  /** Answers GET /login and what follows it (/login/callback); undefined for another path. */
  answer(url: URL, cookies: string | undefined, sessions: SessionCookies): Promise<WebAnswer | undefined>;
  /** The answer to someone without a session who asked for `path`. */
  required(path: string): WebAnswer;
}

/** Sessions last at most this long; a GitHub token that expires sooner ends its session sooner. */
export const SESSION_MS = 12 * 60 * 60 * 1000;

/** The sign-in of `baryon ui`: the token in the printed link works once. */
export function linkSignIn(owner: string, token: string): SignIn {
  let unused: string | undefined = token;
  const again = (why: string): WebAnswer => ({ status: 401, body: page("Sign in", "", html`<h1>Sign in</h1><p>${why}</p><p>Run <code>baryon ui</code> again for a new link.</p>`) });
  return {
    async answer(url, _cookies, sessions) {
      if (url.pathname !== "/login") return undefined;
      const given = url.searchParams.get("token") ?? "";
      if (unused === undefined || !sameSecret(given, unused)) return again("This sign-in link was used already or is wrong.");
      unused = undefined;
      const session: Session = { user: owner, owners: [owner], expiresAt: Date.now() + SESSION_MS };
      return { status: 303, body: "", headers: { location: "/", "set-cookie": sessions.issue(session) } };
    },
    required: () => again("Sign in with the link `baryon ui` printed."),
  };
}

/** The GitHub App's web flow; `publicUrl` is where GitHub sends the browser back (the app's callback URL without /login/callback). */
export function githubSignIn(access: GitHubUserAccess, publicUrl: string): SignIn {
  const callback = `${publicUrl.replace(/\/+$/, "")}/login/callback`;
  const refused = (why: string): WebAnswer => ({ status: 401, body: page("Sign in", "", html`<h1>Not signed in</h1><p>${why}</p><p><a href="/login">Sign in with GitHub</a></p>`) });
  return {
    async answer(url, cookies, sessions) {
      if (url.pathname === "/login") {
        const { state, setCookie } = sessions.startSignIn(localPath(url.searchParams.get("back")));
        return { status: 302, body: "", headers: { location: access.authorizeUrl(callback, state), "set-cookie": setCookie } };
      }
      if (url.pathname !== "/login/callback") return undefined;
      const error = url.searchParams.get("error");
      if (error) return refused(`GitHub did not sign you in: ${url.searchParams.get("error_description") ?? error}.`);
      const started = sessions.finishSignIn(cookies, url.searchParams.get("state") ?? "");
      if (!started) return refused("This sign-in did not start here, or took longer than ten minutes.");
      const user = await access.signIn(url.searchParams.get("code") ?? "", callback).catch((e: unknown) => e as Error);
      if (user instanceof Error) return { ...refused(`GitHub refused the sign-in: ${user.message}`), headers: { "set-cookie": started.clear } };
      const session: Session = { user: user.login, owners: user.owners, token: user.token, expiresAt: Math.min(user.expiresAt ?? Infinity, Date.now() + SESSION_MS) };
      // Two cookies: the session, and the spent state cleared.
      return { status: 303, body: "", headers: { location: started.back, "set-cookie": [sessions.issue(session), started.clear] } };
    },
    required: (path) => ({ status: 303, body: "", headers: { location: `/login?back=${encodeURIComponent(path)}` } }),
  };
}

/** Only a path of this site: `//evil.example` or `https://…` would send the browser elsewhere after signing in. */
function localPath(back: string | null): string {
  return back && back.startsWith("/") && !back.startsWith("//") && !back.includes("\\") ? back : "/";
}
