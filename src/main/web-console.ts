// The web console: fleet pages and the catalog, each owner's under /<owner>, for
// whoever holds a session naming that owner. `baryon serve` mounts it beside the
// webhooks (GitHub sign-in); `baryon ui` serves it alone on 127.0.0.1 with a
// one-time link (startConsole). No page serves data without a session.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ArtifactStore } from "../ports/artifact-store.js";
import type { InventoryWriter } from "../ports/inventory-writer.js";
import type { Owner, Registry } from "../ports/registry.js";
import type { Renderer } from "../ports/renderer.js";
import { CATALOG_SCRIPT, CATALOG_SCRIPT_PATH } from "../present/web/catalog-script.js";
import { html, page } from "../present/web/html.js";
import { LIVE_SCRIPT, LIVE_SCRIPT_PATH } from "../present/web/live.js";
import { ownersPage } from "../present/web/owners.js";
import { readBody } from "./read-body.js";
import { catalogRoute } from "./web-catalog.js";
import { ownerRoute } from "./web-pages.js";
import { linkSignIn, type SignIn, type WebAnswer } from "./web-sign-in.js";
import { sameSecret, SessionCookies, type Session } from "./web-session.js";

/** A form is small: a larger body is refused rather than read. */
const MAX_FORM_BYTES = 64 * 1024;

export interface ConsoleOptions {
  registry: Registry;
  /** Where deployment logs and bundles are kept. */
  artifacts: ArtifactStore;
  /** Renders the catalog's previews (the sandbox). */
  renderer: Renderer;
  signIn: SignIn;
  sessions: SessionCookies;
  /** GitHub as the signed-in person, for catalog requests' pull requests; without it the catalog only previews. */
  writerFor?: (session: Session) => InventoryWriter | undefined;
}

/** Answers a console request; false when the path is not the console's (the app's own /api/…). */
export type ConsoleHandler = (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;

const HEADERS = {
  // Two scripts, our own (live.ts, catalog-script.ts); they fetch pages of this origin.
  "content-security-policy": "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  // The login URL carries a token: never in a Referer to another site. (With no-referrer
  // at all, a browser sends `Origin: null` on the console's own forms.)
  "referrer-policy": "same-origin",
  "cache-control": "no-store",
};

export function consoleHandler(options: ConsoleOptions): ConsoleHandler {
  const { sessions } = options;
  return async (request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    if (url.pathname.startsWith("/api/")) return false;
    const answer = await answerConsole(request, url, options).catch((error: unknown): WebAnswer => {
      if (response.headersSent) throw error;
      return { status: 500, body: page("Error", "", html`<h1>Something went wrong</h1><p>${(error as Error).message}</p>`) };
    });
    send(response, answer);
    return true;
  };

  async function answerConsole(request: IncomingMessage, url: URL, options: ConsoleOptions): Promise<WebAnswer> {
    const parts = pathParts(url.pathname);
    const method = request.method ?? "GET";
    const writes = method === "POST" && (parts?.[2] === "catalog" || url.pathname === "/logout");
    if (method !== "GET" && method !== "HEAD" && !writes) return text(405, "this page only reads\n", { allow: "GET, HEAD" });
    if (url.pathname === LIVE_SCRIPT_PATH) return { status: 200, body: LIVE_SCRIPT, headers: { "content-type": "text/javascript; charset=utf-8" } };
    if (url.pathname === CATALOG_SCRIPT_PATH) return { status: 200, body: CATALOG_SCRIPT, headers: { "content-type": "text/javascript; charset=utf-8" } };
    if (url.pathname === "/login" || url.pathname.startsWith("/login/")) {
      // Only a GET signs in: a link preview's HEAD must not use a one-time link up.
      if (method !== "GET") return text(405, "open the link in a browser\n", { allow: "GET" });
      return (await options.signIn.answer(url, request.headers.cookie, sessions)) ?? notFound("", url.pathname);
    }
    const session = sessions.read(request.headers.cookie);
    if (!session) return options.signIn.required(url.pathname + url.search);
    const csrf = sessions.csrf(request.headers.cookie);
    let form: Record<string, string> | undefined;
    if (writes) {
      const body = await readBody(request, MAX_FORM_BYTES);
      if (!body) return text(413, "a form is at most 64 KB\n");
      form = Object.fromEntries(new URLSearchParams(body.toString("utf8")));
      // The token comes in the form; a form on another site cannot know it (and its Origin says where it is).
      const origin = request.headers.origin;
      if ((origin !== undefined && origin !== `${originScheme(request)}://${request.headers.host}`) || typeof form.csrf !== "string" || !sameSecret(form.csrf, csrf)) {
        return { status: 403, body: page("Refused", "", html`<h1>Refused</h1><p>This form was not sent from this console (its CSRF token is missing or wrong). Open the page again and send it from there.</p>`) };
      }
    }
    if (url.pathname === "/logout" && form) {
      return { status: 200, body: page("Signed out", "", html`<h1>Signed out</h1><p><a href="/">Sign in again</a></p>`), headers: { "set-cookie": sessions.clear() } };
    }
    if (url.pathname === "/") {
      // One owner: their fleet is the whole console.
      if (session.owners.length === 1) return { status: 303, body: "", headers: { location: `/${encodeURIComponent(session.owners[0]!)}/` } };
      return { status: 200, body: ownersPage(session.user, session.owners, csrf) };
    }
    const login = parts && session.owners.find((o) => o.toLowerCase() === parts[1]?.toLowerCase());
    // Not one of the session's owners: the same answer as an owner that does not exist.
    if (!parts || !login) return notFound("", url.pathname);
    const owner: Owner = { login };
    const rest = ["", ...parts.slice(2)];
    if (rest[1] === "catalog") {
      const writer = options.writerFor?.(session);
      const answered = await catalogRoute(rest, { ...options, owner, csrf, user: session.user, ...(writer ? { writer } : {}) }, form);
      return answered ?? notFound(login, url.pathname);
    }
    const found = await ownerRoute(rest, url.searchParams, { ...options, owner });
    return found === undefined ? notFound(login, url.pathname) : { status: 200, body: found };
  }
}

export interface UiOptions {
  registry: Registry;
  artifacts: ArtifactStore;
  renderer: Renderer;
  owner: Owner;
  /** 0 (default) for any free port. */
  port?: number;
}

export interface RunningConsole {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** The URL to open once: it carries the one-time token. */
  loginUrl: string;
  close(): Promise<void>;
}

/** `baryon ui`: the console alone, on 127.0.0.1, signed into with a one-time link; sessions die with the process. */
export async function startConsole(options: UiOptions): Promise<RunningConsole> {
  const token = randomBytes(24).toString("base64url");
  const handler = consoleHandler({ ...options, signIn: linkSignIn(options.owner.login, token), sessions: new SessionCookies(randomBytes(32)) });
  const server = createServer((request, response) => {
    if (request.url === "/health") return send(response, text(200, "ok\n"));
    void handler(request, response).then((handled) => handled || send(response, notFound("", request.url ?? "")), () => response.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    loginUrl: `${url}/login?token=${token}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

function notFound(owner: string, path: string): WebAnswer {
  return { status: 404, body: page("Not found", owner, html`<h1>Not found</h1><p>Nothing at ${path}. <a href="/">The console's start</a>.</p>`) };
}

function text(status: number, body: string, headers: Record<string, string> = {}): WebAnswer {
  return { status, body, headers: { "content-type": "text/plain; charset=utf-8", ...headers } };
}

/** Behind a TLS proxy the browser's Origin is https; the proxy says so. */
function originScheme(request: IncomingMessage): string {
  const forwarded = request.headers["x-forwarded-proto"];
  return typeof forwarded === "string" ? forwarded.split(",")[0]!.trim() : "http";
}

/** The path's segments, decoded; undefined for one that does not decode. */
function pathParts(path: string): string[] | undefined {
  try {
    return path.split("/").map((p) => decodeURIComponent(p));
  } catch {
    return undefined;
  }
}

function send(response: ServerResponse, answer: WebAnswer): void {
  response.writeHead(answer.status, { ...HEADERS, "content-type": "text/html; charset=utf-8", ...answer.headers });
  response.end(response.req.method === "HEAD" ? undefined : answer.body);
}
