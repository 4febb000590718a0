// `baryon serve`: the GitHub App's HTTP server. Webhooks are verified, then
// acknowledged as soon as their job is queued; /health and /metrics for operators.
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createNodeMiddleware, createProbot, ProbotOctokit, type Probot } from "probot";
import type { Logger } from "pino";
import { createRenderPool } from "../jinja/pool.js";
import { artifactStoreConfigFromEnv, createArtifactStore } from "../adapters/artifacts/index.js";
import type { ArtifactStore } from "../ports/artifact-store.js";
import type { VersionMirror } from "../ports/version-mirror.js";
import type { Renderer } from "../ports/renderer.js";
import { createProtonPublisher, protonConfigFromEnv } from "../adapters/proton/index.js";
import { protonMirror } from "../adapters/proton/version-mirror.js";
import { createRegistry } from "../adapters/registry/index.js";
import type { Registry } from "../ports/registry.js";
import { createQueue } from "../adapters/queue/index.js";
import { PermanentJobError, type JobQueue } from "../ports/job-queue.js";
import { baryonApp } from "./webhooks.js";
import { createMetrics, type Metrics } from "../adapters/github/metrics.js";
import { PUBLISH_JOB, runPublishJob, type PublishJobData } from "../jobs/publish.js";
import { REVIEW_JOB, runReviewJob, type ReviewJobData } from "../jobs/review.js";

export const WEBHOOK_PATH = "/api/github/webhooks";
/** GitHub's own cap on a delivery's size; a larger body is not from GitHub. */
const MAX_BODY_BYTES = 25 * 1024 * 1024;

export interface ServeOptions {
  port?: number;
  host?: string;
  /** Environment to read the app's settings from (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET, GHE_HOST, REDIS_URL, ...). */
  env?: NodeJS.ProcessEnv;
  /** Settings that win over the environment (tests: a fake GitHub's baseUrl, a captured logger). */
  probot?: { appId?: number | string; privateKey?: string; secret?: string; baseUrl?: string; log?: Logger };
  /**
   * Space writes as GitHub asks (Octokit's throttling, per installation). Default on;
   * tests against a fake GitHub turn it off so they do not wait seconds between comments.
   */
  githubThrottling?: boolean;
  queue?: JobQueue;
  renderer?: Renderer;
  registry?: Registry;
  artifacts?: ArtifactStore;
  /** Mirror published versions to AWS Proton (default: from BARYON_PROTON_* variables, off when unset). */
  mirror?: VersionMirror;
}

export interface RunningServer {
  url: string;
  probot: Probot;
  queue: JobQueue;
  metrics: Metrics;
  close(): Promise<void>;
}

export async function startServer(options: ServeOptions = {}): Promise<RunningServer> {
  const env = options.env ?? process.env;
  const overrides = stripUndefined({
    ...options.probot,
    ...(options.githubThrottling === false ? { Octokit: ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, throttle: { ...(o.throttle as object), enabled: false } })) } : {}),
  });
  const probot = createProbot({ env, overrides });
  const secret = options.probot?.secret ?? env.WEBHOOK_SECRET;
  if (!secret) throw new Error("WEBHOOK_SECRET is not set: Baryon refuses to accept unsigned webhooks");
  const metrics = createMetrics({ defaultMetrics: true });
  const queue = options.queue ?? createQueue({ ...(env.REDIS_URL ? { redisUrl: env.REDIS_URL } : {}) });
  const ownRenderer = options.renderer === undefined;
  const renderer = options.renderer ?? createRenderPool();
  // Several processes sharing a Redis queue must share one registry too: PGlite belongs to one process.
  if (!options.registry && env.REDIS_URL && !env.DATABASE_URL) {
    throw new Error("REDIS_URL is set but DATABASE_URL is not: Baryon processes that share a queue must share a Postgres registry (the embedded one serves one process)");
  }
  const ownRegistry = options.registry === undefined;
  const registry = options.registry ?? (await createRegistry({ ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}), ...(env.BARYON_DATA_DIR ? { dataDir: env.BARYON_DATA_DIR } : {}) }));
  const artifacts = options.artifacts ?? createArtifactStore(artifactStoreConfigFromEnv(env));
  const mirror = options.mirror ?? protonMirrorFromEnv(env);
  const appId = Number(options.probot?.appId ?? env.APP_ID);
  const deps = { probot, renderer, versions: registry, registry, artifacts, metrics, ...(Number.isInteger(appId) ? { appId } : {}), ...(mirror ? { mirror } : {}) };

  /** Runs a job kind from the queue, counting and logging each attempt's outcome. */
  const processJobs = <T>(name: string, event: string, run: (data: T) => Promise<unknown>, concurrency?: number) =>
    queue.process<T>(name, async (job) => {
      try {
        await run(job.data);
        metrics.webhooksProcessed.inc({ event });
      } catch (error) {
        metrics.webhooksFailed.inc({ event });
        probot.log.error({ err: error, job: job.id, attempt: job.attempt }, `${name} failed`);
        // GitHub no longer knows the installation or repository: retrying cannot help.
        const status = (error as { status?: number }).status;
        if (status === 401 || status === 404) throw new PermanentJobError(`GitHub answered ${status}: ${(error as Error).message}`, { cause: error });
        throw error;
      }
    }, concurrency ? { concurrency } : undefined);
  // Reviews of one pull request run one after another in a process, so two pushes
  // in quick succession cannot both create the living comment.
  const perPullRequest = serialized();
  processJobs<ReviewJobData>(REVIEW_JOB, "pull_request", (data) => perPullRequest(`${data.owner}/${data.repo}#${data.number}`, () => runReviewJob(data, deps)));
  // One publish at a time per process: merges of one template are then published in the order they arrive.
  processJobs<PublishJobData>(PUBLISH_JOB, "publish", (data) => runPublishJob(data, deps), 1);

  const middleware = await createNodeMiddleware(baryonApp({ queue, metrics }), { probot, webhooksPath: WEBHOOK_PATH });
  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      probot.log.error({ err: error }, "request failed");
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (req.method === "GET" && (path === "/health" || path === "/healthz")) {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "ok" }));
      return;
    }
    if (req.method === "GET" && path === "/metrics") {
      res.writeHead(200, { "content-type": metrics.registry.contentType }).end(await metrics.registry.metrics());
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
      const body = await readBody(req);
      if (body === undefined || !signatureMatches(secret!, body, req.headers["x-hub-signature-256"])) {
        // Never log the payload of a delivery that is not GitHub's: only who it claims to be.
        probot.log.warn({ event: req.headers["x-github-event"], delivery: req.headers["x-github-delivery"], bytes: body?.length }, "webhook refused: bad signature");
        res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: "signature does not match" }));
        return;
      }
      // The middleware reads a string body as is, so it verifies the same bytes.
      (req as IncomingMessage & { body?: string }).body = body.toString("utf8");
    }
    await middleware(req, res, () => void res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "not found" })));
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? Number(env.PORT ?? 3000), options.host ?? env.HOST ?? "0.0.0.0", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    probot,
    queue,
    metrics,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await queue.close();
      // What was passed in belongs to the caller.
      if (ownRenderer) await renderer.close();
      if (ownRegistry) await registry.close();
    },
  };
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export function signatureMatches(secret: string, body: Buffer, header: string | string[] | undefined): boolean {
  if (typeof header !== "string" || !header.startsWith("sha256=")) return false;
  const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(body).digest("hex")}`);
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Runs tasks with the same key one after another; different keys run concurrently. */
function serialized(): <T>(key: string, task: () => Promise<T>) => Promise<T> {
  const tails = new Map<string, Promise<unknown>>();
  return (key, task) => {
    const run = (tails.get(key) ?? Promise.resolve()).catch(() => undefined).then(task);
    tails.set(key, run);
    void run.catch(() => undefined).then(() => {
      if (tails.get(key) === run) tails.delete(key);
    });
    return run;
  };
}

/** The optional AWS Proton mirror; a half-configured one stops the server rather than silently doing nothing. */
function protonMirrorFromEnv(env: NodeJS.ProcessEnv): VersionMirror | undefined {
  const config = protonConfigFromEnv(env);
  if (config.errors.length) throw new Error(`AWS Proton publisher: ${config.errors.join("; ")}`);
  return config.value ? protonMirror(createProtonPublisher(config.value)) : undefined;
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
