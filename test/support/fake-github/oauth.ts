// GitHub's side of a GitHub App's user sign-in (the OAuth web flow): the
// authorize page, answered as if the signed-in user clicked Authorize, and the
// exchange of its code for a user-to-server token. These are github.com pages,
// not REST operations, so server.ts routes them before matching the description.
import { randomBytes } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { FakeResponse } from "./handler.js";
import { USER_TOKEN_SECONDS, type FakeState } from "./state.js";

/** A code is good once, for 10 minutes, as on GitHub. */
const CODE_MS = 10 * 60_000;
/** A refresh token lives six months. */
const REFRESH_TOKEN_SECONDS = 15_811_200;
const TROUBLESHOOTING = "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors";

export interface Page {
  answer: FakeResponse;
  /** Why a correct app would never cause this request, if it would not. */
  unexpected?: string;
}

interface Grant {
  clientId: string;
  redirectUri: string;
  login: string;
  expiresAt: number;
}

const text = (status: number, body: string): FakeResponse => ({ status, text: body, headers: { "content-type": "text/plain; charset=utf-8" } });

/** GitHub's rule: the same scheme, host and port as the callback URL, and a path at or under its path. */
function underCallback(redirectUri: string, callbackUrl: string): boolean {
  try {
    const [given, callback] = [new URL(redirectUri), new URL(callbackUrl)];
    const folder = callback.pathname.endsWith("/") ? callback.pathname : `${callback.pathname}/`;
    return given.origin === callback.origin && (given.pathname === callback.pathname || given.pathname.startsWith(folder));
  } catch {
    return false;
  }
}

/** The body of a token request: JSON or a form, as GitHub takes either. */
function fieldsOf(raw: string, contentType: string | undefined): Record<string, string> | undefined {
  if (raw === "") return {};
  if (/json/.test(contentType ?? "")) {
    try {
      const value: unknown = JSON.parse(raw);
      if (typeof value !== "object" || value === null) return undefined;
      return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => [k, String(v)]));
    } catch {
      return undefined;
    }
  }
  return /x-www-form-urlencoded/.test(contentType ?? "") ? Object.fromEntries(new URLSearchParams(raw)) : undefined;
}

/** Routes `/login/oauth/…` requests; `codes` lives as long as the server. */
export function oauthPages(state: FakeState): (method: string, url: URL, raw: string, headers: IncomingHttpHeaders) => Page {
  const codes = new Map<string, Grant>();

  function authorize(query: URLSearchParams): Page {
    const clientId = query.get("client_id") ?? "";
    if (clientId !== state.app.clientId) return { answer: text(404, "Not Found: no application has this client_id"), unexpected: `fake GitHub: authorize with an unknown client_id "${clientId}"` };
    // GitHub would show its sign-in page first: nothing the app controls, so not recorded.
    if (!state.signedIn) return { answer: text(401, "not signed in to GitHub (the test calls state.signIn(login))") };
    const { callbackUrl } = state.app;
    const redirectUri = query.get("redirect_uri") ?? callbackUrl;
    if (!redirectUri || (callbackUrl !== undefined && !underCallback(redirectUri, callbackUrl))) {
      return { answer: text(400, "redirect_uri mismatch"), unexpected: `fake GitHub: redirect_uri ${redirectUri ?? "(none)"} is not under the app's callback URL ${callbackUrl ?? "(none)"}` };
    }
    const code = randomBytes(10).toString("hex");
    codes.set(code, { clientId, redirectUri, login: state.signedIn, expiresAt: Date.now() + CODE_MS });
    const given = query.get("state");
    const location = `${redirectUri}${redirectUri.includes("?") ? "&" : "?"}code=${code}${given !== null ? `&state=${encodeURIComponent(given)}` : ""}`;
    return { answer: { status: 302, headers: { location } } };
  }

  /** Always 200, errors included, as GitHub answers; a failed exchange is one a correct app meets (a user pressing back). */
  function exchange(raw: string, headers: IncomingHttpHeaders): Page {
    const fields = fieldsOf(raw, headers["content-type"]);
    if (!fields) return { answer: text(400, "Problems parsing the body"), unexpected: `fake GitHub: a token request's body is not JSON or a form (${String(headers["content-type"])})` };
    const answer = (body: Record<string, string | number>): Page =>
      /json/.test(String(headers.accept ?? ""))
        ? { answer: { status: 200, json: body } }
        : { answer: { status: 200, text: new URLSearchParams(Object.entries(body).map(([k, v]) => [k, String(v)])).toString(), headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" } } };
    const failure = (error: string, description: string, anchor: string) => answer({ error, error_description: description, error_uri: `${TROUBLESHOOTING}#${anchor}` });
    if (fields.client_id !== state.app.clientId || fields.client_secret !== state.app.clientSecret) {
      return failure("incorrect_client_credentials", "The client_id and/or client_secret passed are incorrect.", "incorrect-client-credentials");
    }
    const code = fields.code ?? "";
    const grant = codes.get(code);
    if (!grant || grant.clientId !== fields.client_id || grant.expiresAt <= Date.now()) return failure("bad_verification_code", "The code passed is incorrect or expired.", "bad-verification-code");
    if (fields.redirect_uri !== undefined && fields.redirect_uri !== grant.redirectUri) {
      return failure("redirect_uri_mismatch", "The redirect_uri MUST match the registered callback URL for this application.", "redirect-uri-mismatch2");
    }
    codes.delete(code);
    const { token } = state.issueUserToken(grant.login);
    return answer({
      access_token: token, expires_in: USER_TOKEN_SECONDS, refresh_token: `ghr_${randomBytes(38).toString("hex")}`,
      refresh_token_expires_in: REFRESH_TOKEN_SECONDS, token_type: "bearer", scope: "",
    });
  }

  return (method, url, raw, headers) => {
    if (method === "GET" && url.pathname === "/login/oauth/authorize") return authorize(url.searchParams);
    if (method === "POST" && url.pathname === "/login/oauth/access_token") return exchange(raw, headers);
    return { answer: text(404, "Not Found"), unexpected: `fake GitHub: ${method} ${url.pathname} is not a page of GitHub's OAuth web flow the fake knows` };
  };
}
