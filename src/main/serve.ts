// `baryon serve`: the GitHub App's HTTP server. Webhooks are verified, then
// acknowledged as soon as their job is queued; /health and /metrics for operators.
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createNodeMiddleware, type Probot } from "probot";
import type { Metrics } from "../adapters/metrics.js";
import { githubUserAccess } from "../adapters/github/user-sign-in.js";
import { CALLBACK_PATH } from "../adapters/provisioners/pull-request-callback.js";
import { tokenKey } from "../adapters/proton-api/api-token.js";
import type { Adapters } from "../compose/adapters.js";
import type { Settings } from "../compose/settings.js";
import type { JobQueue } from "../ports/job-queue.js";
import { startBackend, type BackendOptions } from "./backend.js";
import { answerDeploymentCallback } from "./deployment-callback.js";
import { answerDeploymentLog, LOG_PATH } from "./deployment-log.js";
import { answerOperator } from "./operator-routes.js";
import { answerProtonApi, PROTON_API_PATH } from "./proton-api.js";
import { readBody } from "./read-body.js";
import { consoleHandler, type ConsoleHandler } from "./web-console.js";
import { SessionCookies } from "./web-session.js";
import { githubSignIn } from "./web-sign-in.js";
import { baryonApp } from "./webhooks.js";

export const WEBHOOK_PATH = "/api/github/webhooks";
/** GitHub's own cap on a delivery's size; a larger body is not from GitHub. */
const MAX_BODY_BYTES = 25 * 1024 * 1024;

export interface ServeOptions extends BackendOptions {
  port?: number;
  host?: string;
  /** Run the job workers in this process too (default); false when `baryon worker` processes run them. */
  workers?: boolean;
}

export interface RunningServer {
  url: string;
  probot: Probot;
  queue: JobQueue;
  metrics: Metrics;
  adapters: Adapters;
  close(): Promise<void>;
}

export async function startServer(options: ServeOptions = {}): Promise<RunningServer> {
  const backend = await startBackend(options);
  const { env, settings, probot, metrics, adapters, webhookSecret } = backend;
  const { queue, registry } = adapters;
  if (options.workers ?? true) await backend.startWorkers();
  const apiKey = tokenKey(settings.apiSecret ?? webhookSecret);

  // The web console, when the app's OAuth is configured: every path but the app's own.
  const webConsole = settings.console && githubConsole(settings.console, adapters, backend.baseUrl);
  const middleware = await createNodeMiddleware(baryonApp({ queue, registry, metrics }), { probot, webhooksPath: WEBHOOK_PATH });
  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      probot.log.error({ err: error }, "request failed");
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (await answerOperator(req, res, path, metrics)) return;
    const callback = CALLBACK_PATH.exec(path);
    if (req.method === "POST" && callback) {
      await answerDeploymentCallback(req, res, callback[1]!, { registry, queue, log: probot.log, ...(settings!.callback ? { callback: settings!.callback } : {}) });
      return;
    }
    if (req.method === "POST" && PROTON_API_PATH.test(path)) {
      // Pipelines written for Proton, signed with a Baryon token (`baryon token create`).
      await answerProtonApi(req, res, { key: apiKey, registry, queue, artifacts: adapters.artifacts, log: probot.log });
      return;
    }
    const logOf = LOG_PATH.exec(path);
    if (req.method === "GET" && logOf) {
      await answerDeploymentLog(req, res, logOf[1]!, { secret: webhookSecret, registry, artifacts: adapters.artifacts });
      return;
    }
    if (req.method === "POST" && path === WEBHOOK_PATH) {
      // Refuse what cannot be a GitHub delivery before reading its body.
      const declared = Number(req.headers["content-length"] ?? 0);
      if (typeof req.headers["x-hub-signature-256"] !== "string" || declared > MAX_BODY_BYTES) {
        probot.log.warn({ event: req.headers["x-github-event"], delivery: req.headers["x-github-delivery"], bytes: declared }, "webhook refused: unsigned or too large");
        res.writeHead(declared > MAX_BODY_BYTES ? 413 : 401, { "content-type": "application/json", connection: "close" })
          .end(JSON.stringify({ error: declared > MAX_BODY_BYTES ? "payload too large" : "signature missing" }));
        req.resume();
        return;
      }
      const body = await readBody(req, MAX_BODY_BYTES);
      if (body === undefined || !signatureMatches(webhookSecret, body, req.headers["x-hub-signature-256"])) {
        // Never log the payload of a delivery that is not GitHub's: only who it claims to be.
        probot.log.warn({ event: req.headers["x-github-event"], delivery: req.headers["x-github-delivery"], bytes: body?.length }, "webhook refused: bad signature");
        res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: "signature does not match" }));
        return;
      }
      // GitHub redelivers on request, with the same delivery id: a delivery acts once, across restarts too.
      const delivery = req.headers["x-github-delivery"];
      const event = String(req.headers["x-github-event"] ?? "unknown");
      if (typeof delivery === "string" && !(await registry.markDeliveryProcessed(delivery, event))) {
        metrics.duplicateDeliveries.inc({ event });
        probot.log.info({ event, delivery }, "webhook already processed: ignored");
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "already processed" }));
        return;
      }
      // The middleware reads a string body as is, so it verifies the same bytes.
      (req as IncomingMessage & { body?: string }).body = body.toString("utf8");
    }
    // A delivery that was not handled may be redelivered, and must then be acted on.
    const delivery = req.headers["x-github-delivery"];
    if (req.method === "POST" && path === WEBHOOK_PATH && typeof delivery === "string") {
      forgetOnFailure(res, () => registry.forgetDelivery(delivery), (err) => probot.log.error({ err, delivery }, "could not forget a failed delivery: its redelivery will be ignored"));
    }
    if (webConsole && (await webConsole(req, res))) return;
    await middleware(req, res, () => void res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "not found" })));
  }

  const host = options.host ?? env.HOST ?? "0.0.0.0";
  await new Promise<void>((resolve) => server.listen(options.port ?? Number(env.PORT ?? 3000), host, resolve));
  const { port } = server.address() as AddressInfo;
  probot.log.info({ port, host }, `Baryon listening on http://${host}:${port} (webhooks at ${WEBHOOK_PATH}, /health, /metrics, deployment logs at /api/deployments/:id/log${settings.callback ? ", deployment callbacks at /api/deployments/:id/status" : ""}${webConsole ? `, the web console at ${settings.console!.publicUrl}` : ", no web console (GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET unset)"}); ${adapters.description}`);
  return {
    url: `http://127.0.0.1:${port}`,
    probot,
    queue,
    metrics,
    adapters,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await adapters.close();
    },
  };
}


/** The web console signed into with the GitHub App's OAuth; catalog requests open pull requests as the signed-in person. */
function githubConsole(settings: NonNullable<Settings["console"]>, adapters: Adapters, baseUrl: string | undefined): ConsoleHandler {
  const access = githubUserAccess({ clientId: settings.clientId, clientSecret: settings.clientSecret, ...(baseUrl ? { baseUrl } : {}) });
  return consoleHandler({
    registry: adapters.registry,
    artifacts: adapters.artifacts,
    renderer: adapters.renderer,
    signIn: githubSignIn(access, settings.publicUrl),
    sessions: new SessionCookies(settings.sessionSecret, settings.publicUrl.startsWith("https:")),
    writerFor: (session) => (session.token ? access.writer(session.token) : undefined),
  });
}

/**
 * Forgets the delivery before a failure is answered, not after: GitHub (or a person) may
 * redeliver as soon as the answer arrives, and must not find it still marked processed.
 */
function forgetOnFailure(res: ServerResponse, forget: () => Promise<void>, failed: (error: unknown) => void): void {
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.end = ((...args: unknown[]) => {
    if (res.statusCode < 300) return end(...args);
    void forget().catch(failed).finally(() => end(...args));
    return res;
  }) as ServerResponse["end"];
}

export function signatureMatches(secret: string, body: Buffer, header: string | string[] | undefined): boolean {
  if (typeof header !== "string" || !header.startsWith("sha256=")) return false;
  const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(body).digest("hex")}`);
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
