// `baryon serve`: run the GitHub App until SIGINT/SIGTERM, then drain and stop.
// `baryon setup`: Probot's registration flow, which creates the app on GitHub
// from app.yml and writes its credentials to .env.
import { copyFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { run } from "probot";
import { startServer } from "../serve.js";
import type { Out } from "./output.js";

/** Loads ./.env (written by `baryon setup`) without overriding variables already set. */
function loadDotEnv(): void {
  if (existsSync(".env")) process.loadEnvFile(".env");
}

export async function runServe(options: { port?: string }, err: Out): Promise<number> {
  loadDotEnv();
  if (!process.env.APP_ID || !(process.env.PRIVATE_KEY || process.env.PRIVATE_KEY_PATH)) {
    err.write("baryon: APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH) are not set. Run `baryon setup` to register the GitHub App, or see README.md.\n");
    return 2;
  }
  const server = await startServer(options.port ? { port: Number(options.port) } : {});
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
