// `baryon serve`: run the GitHub App until SIGINT/SIGTERM, then drain and stop.
import { startServer } from "../github/server.js";
import type { Out } from "./output.js";

export async function runServe(options: { port?: string }, err: Out): Promise<number> {
  const server = await startServer(options.port ? { port: Number(options.port) } : {});
  server.probot.log.info(`Baryon listening on ${server.url} (webhooks at /api/github/webhooks, /health, /metrics)`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      err.write(`baryon: ${signal}, shutting down\n`);
      resolve();
    };
    process.once("SIGINT", () => stop("SIGINT"));
    process.once("SIGTERM", () => stop("SIGTERM"));
  });
  await server.close();
  return 0;
}
