// The web console's HTTP server: fleet pages and the catalog for one owner.
// `baryon ui` serves it on 127.0.0.1 with a one-time token in the URL it prints;
// the token buys a session cookie, signed with a key that lives as long as the
// process. No page serves data without a session except /health.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fleetDashboard, templateOverview } from "../flows/fleet-dashboard.js";
import type { ArtifactStore } from "../ports/artifact-store.js";
import type { Owner, Registry } from "../ports/registry.js";
import { dashboardPage, templatePage } from "../present/web/dashboard.js";
import { deploymentPage, rolloutPage, rolloutsPage } from "../present/web/rollouts.js";
import { html, page } from "../present/web/html.js";
import { LIVE_SCRIPT, LIVE_SCRIPT_PATH } from "../present/web/live.js";
import { CATALOG_SCRIPT, CATALOG_SCRIPT_PATH } from "../present/web/catalog-script.js";
import type { Renderer } from "../ports/renderer.js";
import { readBody } from "./read-body.js";
import { catalogRoute } from "./web-catalog.js";

/** A form is small: a larger body is refused rather than read. */
const MAX_FORM_BYTES = 64 * 1024;

export interface ConsoleOptions {
  registry: Registry;
  /** Where deployment logs and bundles are kept. */
  artifacts: ArtifactStore;
  /** Renders the catalog's previews (the sandbox). */
  renderer: Renderer;
  owner: Owner;
  /** 0 (default) for any free port. */
  port?: number;
  /** How long a session lasts (default 12 hours). */
  sessionMs?: number;
}

export interface RunningConsole {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** The URL to open once: it carries the one-time token. */
  loginUrl: string;
  close(): Promise<void>;
}

const COOKIE = "baryon_session";
const HEADERS = {
  // One script, our own (live.ts); it fetches pages of this origin.
  "content-security-policy": "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  // The login URL carries the token: never in a Referer to another site. (With no-referrer
  // at all, a browser sends `Origin: null` on the console's own forms.)
  "referrer-policy": "same-origin",
  "cache-control": "no-store",
};

export async function startConsole(options: ConsoleOptions): Promise<RunningConsole> {
  const key = randomBytes(32);
  let token: string | undefined = randomBytes(24).toString("base64url");
  const sessionMs = options.sessionMs ?? 12 * 60 * 60 * 1000;
  const sessions = new SessionCookies(key, sessionMs);
  const owner = options.owner.login;

  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, page("Error", owner, html`<h1>Something went wrong</h1><p>${(error as Error).message}</p>`));
      else response.destroy();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://localhost");
    const parts = pathParts(url.pathname);
    const catalog = parts?.[1] === "catalog";
    const writes = request.method === "POST" && catalog;
    if (request.method !== "GET" && request.method !== "HEAD" && !writes) return send(response, 405, "this page only reads\n", { allow: "GET, HEAD" }, "text/plain");
    if (url.pathname === "/health") return send(response, 200, "ok\n", {}, "text/plain");
    if (url.pathname === LIVE_SCRIPT_PATH) return send(response, 200, LIVE_SCRIPT, {}, "text/javascript");
    if (url.pathname === CATALOG_SCRIPT_PATH) return send(response, 200, CATALOG_SCRIPT, {}, "text/javascript");
    if (url.pathname === "/login") {
      // Only a GET signs in: a link preview's HEAD must not use the link up.
      if (request.method !== "GET") return send(response, 405, "open the link in a browser\n", { allow: "GET" }, "text/plain");
      const given = url.searchParams.get("token") ?? "";
      if (token === undefined || !sameSecret(given, token)) return send(response, 401, signInPage(owner, "This sign-in link was used already or is wrong."));
      token = undefined; // one time
      return send(response, 303, "", { location: "/", "set-cookie": sessions.issue(owner) }, "text/plain");
    }
    if (!sessions.valid(request.headers.cookie, owner)) return send(response, 401, signInPage(owner, "Sign in with the link `baryon ui` printed."));
    const csrf = sessions.csrf(request.headers.cookie);
    let form: Record<string, string> | undefined;
    if (writes) {
      const body = await readBody(request, MAX_FORM_BYTES);
      if (!body) return send(response, 413, "a form is at most 64 KB\n", {}, "text/plain");
      form = Object.fromEntries(new URLSearchParams(body.toString("utf8")));
      // The token comes in the form; a form on another site cannot know it (and its Origin says where it is).
      const origin = request.headers.origin;
      if ((origin !== undefined && origin !== `http://${request.headers.host}`) || typeof form.csrf !== "string" || !sameSecret(form.csrf, csrf)) {
        return send(response, 403, page("Refused", owner, html`<h1>Refused</h1><p>This form was not sent from this console (its CSRF token is missing or wrong). Open the page again and send it from there.</p>`));
      }
    }
    if (catalog && parts) {
      const answered = await catalogRoute(parts, { registry: options.registry, artifacts: options.artifacts, renderer: options.renderer, owner: options.owner, csrf }, form);
      if (answered) return send(response, answered.status, answered.body);
      return send(response, 404, page("Not found", owner, html`<h1>Not found</h1><p>No published version at ${url.pathname}. <a href="/catalog">The catalog</a>.</p>`));
    }
    const found = await route(url, options);
    if (found) return send(response, 200, found);
    return send(response, 404, page("Not found", owner, html`<h1>Not found</h1><p>Nothing at ${url.pathname}. <a href="/">The fleet</a>.</p>`));
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    loginUrl: `${url}/login?token=${token}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** The page at `url` for the console's owner, or undefined for none. */
async function route(url: URL, { registry, owner, artifacts }: ConsoleOptions): Promise<string | undefined> {
  const login = owner.login;
  const ports = { versions: registry.versions(owner), deployments: registry.deployments(owner), rollouts: registry.rollouts(owner) };
  const parts = pathParts(url.pathname);
  if (!parts || parts.length > 3) return undefined;
  const [, section, id] = parts;
  if (url.pathname === "/") {
    // An empty choice in the filter form is no filter.
    const filter = { template: url.searchParams.get("template") || undefined, stage: url.searchParams.get("stage") || undefined };
    const from = Number(url.searchParams.get("from") ?? 0);
    const offset = Number.isSafeInteger(from) && from > 0 ? Math.min(from, 1e9) : 0;
    return dashboardPage(login, await fleetDashboard(ports, filter, offset), filter);
  }
  if (section === "templates" && id) {
    const template = await templateOverview(ports, id);
    return template && templatePage(login, template);
  }
  const { rollouts } = ports;
  if (section === "rollouts" && id === undefined) return rolloutsPage(login, await rollouts.rollouts({ limit: 50 }));
  if (section === "rollouts" && id) {
    const rollout = await rollouts.getRollout(id);
    return rollout && rolloutPage(login, { rollout, targets: await rollouts.targets(id), now: new Date() });
  }
  if (section === "deployments" && id) {
    const deployment = await ports.deployments.getDeployment(id);
    const log = deployment?.log ? new TextDecoder().decode(await artifacts.get(deployment.log)) : undefined;
    return deployment && deploymentPage(login, deployment, log);
  }
  return undefined;
}

/** The path's segments, decoded; undefined for one that does not decode. */
function pathParts(path: string): string[] | undefined {
  try {
    return path.split("/").map((p) => decodeURIComponent(p));
  } catch {
    return undefined;
  }
}

function send(response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}, type = "text/html"): void {
  response.writeHead(status, { ...HEADERS, "content-type": `${type}; charset=utf-8`, ...headers });
  response.end(response.req.method === "HEAD" ? undefined : body);
}

function signInPage(owner: string, why: string): string {
  return page("Sign in", owner, html`<h1>Sign in</h1><p>${why}</p><p>Run <code>baryon ui</code> again for a new link.</p>`);
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieValue(header: string | undefined): string | undefined {
  return header?.split(/;\s*/).find((c) => c.startsWith(`${COOKIE}=`))?.slice(COOKIE.length + 1);
}

/** Sessions as signed cookies: `<owner, base64url>.<expiry>.<HMAC of both>`, HttpOnly and SameSite=Strict. */
class SessionCookies {
  constructor(private readonly key: Buffer, private readonly lifetimeMs: number) {}

  issue(owner: string): string {
    const value = this.sign(`${Buffer.from(owner).toString("base64url")}.${Date.now() + this.lifetimeMs}`);
    return `${COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(this.lifetimeMs / 1000)}`;
  }

  /** The session's CSRF token: derived from its cookie, so it needs no storage and dies with it. */
  csrf(header: string | undefined): string {
    return createHmac("sha256", this.key).update(`csrf.${cookieValue(header) ?? ""}`).digest("base64url");
  }

  valid(header: string | undefined, owner: string): boolean {
    const value = cookieValue(header);
    const parts = value?.split(".");
    if (!parts || parts.length !== 3) return false;
    const [who, expiry] = parts as [string, string, string];
    return sameSecret(value!, this.sign(`${who}.${expiry}`)) && Buffer.from(who, "base64url").toString() === owner && Number(expiry) > Date.now();
  }

  private sign(payload: string): string {
    return `${payload}.${createHmac("sha256", this.key).update(payload).digest("base64url")}`;
  }
}
