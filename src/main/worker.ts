// `baryon worker`: a process that only runs jobs — reviews, publishes,
// deployments, rollouts, the resync — taken from the Redis queue that the app
// (`baryon serve --no-workers`) and the other workers share. It answers /health
// and /metrics on its port for the orchestrator, and on SIGTERM lets its jobs
// reach a safe point before it exits; a job of a worker that died is taken up
// by another once its lock expires (BARYON_JOB_LOCK_SECONDS).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Adapters } from "../compose/adapters.js";
import { redacted } from "../compose/settings.js";
import { startBackend, type BackendOptions } from "./backend.js";
import { answerOperator } from "./operator-routes.js";

export interface WorkerOptions extends BackendOptions {
  /** /health and /metrics (default $PORT or 3001). */
  port?: number;
  host?: string;
}

export interface RunningWorker {
  url: string;
  adapters: Adapters;
  close(): Promise<void>;
}

export async function startWorker(options: WorkerOptions = {}): Promise<RunningWorker> {
  const backend = await startBackend(options);
  const { env, settings, probot, metrics, adapters } = backend;
  if (!settings.redisUrl && !options.adapters?.queue) {
    await adapters.close();
    throw new Error("baryon worker needs REDIS_URL (and DATABASE_URL): it takes its jobs from the queue that `baryon serve --no-workers` fills. On one machine, `baryon serve` runs the jobs itself");
  }
  await backend.startWorkers();
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    void answerOperator(req, res, path, metrics).then(
      (answered) => answered || void res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "a worker serves /health and /metrics only" })),
      () => void res.writeHead(500).end(),
    );
  });
  const host = options.host ?? env.HOST ?? "0.0.0.0";
  await new Promise<void>((resolve) => server.listen(options.port ?? Number(env.PORT ?? 3001), host, resolve));
  const { port } = server.address() as AddressInfo;
  probot.log.info({ port, host }, `Baryon worker taking jobs from ${settings.redisUrl ? redacted(settings.redisUrl) : "the given queue"}; /health and /metrics on http://${host}:${port}; ${adapters.description}`);
  return {
    url: `http://127.0.0.1:${port}`,
    adapters,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await adapters.close();
    },
  };
}
