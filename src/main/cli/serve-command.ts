// `baryon serve`: run the GitHub App until SIGINT/SIGTERM, then drain and stop;
// `baryon worker`: the same for a process that only runs jobs.
// `baryon setup`: Probot's registration flow, which creates the app on GitHub
// from app.yml and writes its credentials to .env.
import { copyFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { run } from "probot";
import { startServer } from "../serve.js";
import { startWorker } from "../worker.js";
import { registryExitCode, type Out } from "./output.js";

/** Loads ./.env (written by `baryon setup`) without overriding variables already set. */
function loadDotEnv(): void {
  if (existsSync(".env")) process.loadEnvFile(".env");
}

export async function runServe(options: { port?: string; workers?: boolean }, err: Out): Promise<number> {
  loadDotEnv();
  if (!hasAppCredentials(err)) return 2;
  return runUntilSignal(() => startServer({ ...(options.port ? { port: Number(options.port) } : {}), workers: options.workers ?? true }), err);
}

export async function runWorker(options: { port?: string }, err: Out): Promise<number> {
  loadDotEnv();
  if (!hasAppCredentials(err)) return 2;
  return runUntilSignal(() => startWorker(options.port ? { port: Number(options.port) } : {}), err);
}

function hasAppCredentials(err: Out): boolean {
  if (process.env.APP_ID && (process.env.PRIVATE_KEY || process.env.PRIVATE_KEY_PATH)) return true;
  err.write("baryon: APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH) are not set. Run `baryon setup` to register the GitHub App, or see README.md.\n");
  return false;
}

/** Starts, then runs until SIGINT or SIGTERM, and drains and stops; a start that fails says why in one line (exit 1). */
async function runUntilSignal(start: () => Promise<{ close(): Promise<void> }>, err: Out): Promise<number> {
  let server: { close(): Promise<void> };
  try {
    server = await start();
  } catch (error) {
    // A registry nobody can use has its own exit code and words (cli.ts).
    if (registryExitCode(error) !== undefined) throw error;
    err.write(`baryon: cannot start: ${(error as Error).message}\n`);
    return 1;
  }
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

export async function runSetup(err: Out): Promise<void> {
  loadDotEnv();
  // Probot's setup reads the manifest from the current directory.
  if (!existsSync("app.yml")) copyFileSync(fileURLToPath(new URL("../../../app.yml", import.meta.url)), "app.yml");
  err.write("baryon: open the address below, register the app on GitHub, and its credentials are written to .env; then run `baryon serve`.\n");
  await run(() => {}, { env: { ...process.env, APP_ID: "", PRIVATE_KEY: "", PRIVATE_KEY_PATH: "" } });
}
