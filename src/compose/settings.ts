// Settings: everything Baryon reads from its environment, in one place, checked
// once at start. The composition root builds adapters from these and nothing else.
import { artifactStoreConfigFromEnv, type ArtifactStoreConfig } from "../adapters/artifacts/index.js";
import { protonConfigFromEnv, type ProtonConfigResult } from "../adapters/proton/config.js";
import { RENDER_ENGINES, type RenderEngine } from "../jinja/engines.js";

export interface Settings {
  /** REDIS_URL: jobs go through BullMQ on this Redis; unset, they run in this process. */
  redisUrl?: string;
  /** BARYON_QUEUE_PREFIX: the Redis keys' prefix (default "baryon"), for installations sharing one Redis. */
  queuePrefix?: string;
  /** BARYON_JOB_LOCK_SECONDS: how long the jobs of a process that died wait before another process takes them (default 30). */
  jobLockMs?: number;
  /** DATABASE_URL: the registry is this Postgres database; unset, embedded PGlite in `dataDir`. */
  databaseUrl?: string;
  /** BARYON_DATA_DIR: PGlite's folder (default `.baryon/registry`). */
  dataDir?: string;
  artifacts: ArtifactStoreConfig;
  /** The legacy AWS Proton mirror (BARYON_PROTON_*), when configured: the publisher's options and the one owner it serves. */
  proton?: NonNullable<ProtonConfigResult["value"]>;
  /** BARYON_RESYNC_SECONDS: how often unfinished work recorded in the registry is re-enqueued (default 300). */
  resyncEveryMs: number;
  /** BARYON_DRIFT_HOURS: how often every resource is checked for drift (default 24; 0 turns the schedule off). */
  driftEveryMs: number;
  /**
   * BARYON_CALLBACK_SECRET and BARYON_PUBLIC_URL: the pull-request provisioner's callback
   * (`POST <url>/api/deployments/:id/status`), whose per-deployment tokens derive from the secret.
   */
  callback?: { secret: string; url: string };
  /** BARYON_PUBLIC_URL: Baryon's address as GitHub's users reach it (the log links of GitHub Deployments). */
  publicUrl?: string;
  /**
   * The web console on `baryon serve`, signed into with the GitHub App's OAuth: GITHUB_CLIENT_ID and
   * GITHUB_CLIENT_SECRET (the app's settings page, as Probot names them) with BARYON_PUBLIC_URL, where
   * GitHub sends the browser back (`<url>/login/callback`, the app's callback URL). Its sessions are
   * sealed with BARYON_SESSION_SECRET, or else a key derived from the client secret.
   */
  console?: { clientId: string; clientSecret: string; publicUrl: string; sessionSecret: string };
  /**
   * BARYON_RENDER_ENGINE: what renders templates from the repositories' own branches,
   * "v8" (default) or "quickjs". Pull requests from forks always render on QuickJS.
   */
  renderEngine: RenderEngine;
  /** LOG_LEVEL (default info). */
  logLevel: string;
  /** BARYON_API_SECRET: what Proton API tokens derive from (`baryon token create`); unset, WEBHOOK_SECRET (under its own label). */
  apiSecret?: string;
}

export const DEFAULT_RESYNC_MS = 5 * 60 * 1000;
export const DEFAULT_DRIFT_MS = 24 * 60 * 60 * 1000;

/** Every mistake is collected, so an operator fixes them in one go; `settings` is only given when there are none. */
export function settingsFromEnv(env: Record<string, string | undefined>): { settings?: Settings; errors: string[] } {
  const errors: string[] = [];
  const proton = protonConfigFromEnv(env);
  errors.push(...proton.errors.map((e) => `AWS Proton mirror: ${e}`));
  let resyncEveryMs = DEFAULT_RESYNC_MS;
  const resync = env.BARYON_RESYNC_SECONDS?.trim();
  if (resync) {
    const seconds = Number(resync);
    if (!Number.isFinite(seconds) || seconds < 1) errors.push(`BARYON_RESYNC_SECONDS must be a number of seconds, at least 1 (got ${JSON.stringify(resync)})`);
    else resyncEveryMs = seconds * 1000;
  }
  // Several processes sharing a Redis queue must share one registry too: PGlite belongs to one process.
  if (env.REDIS_URL && !env.DATABASE_URL) {
    errors.push("REDIS_URL is set but DATABASE_URL is not: Baryon processes that share a queue must share a Postgres registry (the embedded one serves one process)");
  }
  const driftHours = env.BARYON_DRIFT_HOURS?.trim();
  const driftEveryMs = driftHours ? Math.round(Number(driftHours) * 60 * 60 * 1000) : DEFAULT_DRIFT_MS;
  if (!(Number.isFinite(driftEveryMs) && driftEveryMs >= 0)) errors.push(`BARYON_DRIFT_HOURS must be a number of hours, or 0 for no scheduled drift checks (got ${JSON.stringify(driftHours)})`);
  const queuePrefix = env.BARYON_QUEUE_PREFIX?.trim();
  if (queuePrefix && !/^[\w.-]+$/.test(queuePrefix)) errors.push(`BARYON_QUEUE_PREFIX must be letters, digits, ".", "_" or "-" (got ${JSON.stringify(queuePrefix)})`);
  const lock = env.BARYON_JOB_LOCK_SECONDS?.trim();
  const jobLockMs = lock ? Number(lock) * 1000 : undefined;
  if (jobLockMs !== undefined && !(Number.isInteger(jobLockMs) && jobLockMs >= 1000)) errors.push(`BARYON_JOB_LOCK_SECONDS must be a whole number of seconds, at least 1 (got ${JSON.stringify(lock)})`);
  const callbackSecret = env.BARYON_CALLBACK_SECRET?.trim();
  const publicUrl = env.BARYON_PUBLIC_URL?.trim();
  if (callbackSecret && callbackSecret.length < 32) errors.push("BARYON_CALLBACK_SECRET must be at least 32 characters (for example `openssl rand -hex 32`)");
  if (callbackSecret && !publicUrl) errors.push("BARYON_CALLBACK_SECRET is set but BARYON_PUBLIC_URL is not: the callback needs the address the infrastructure repository's CI reaches Baryon at");
  if (publicUrl && !/^https?:\/\/[^\s/]+/.test(publicUrl)) errors.push(`BARYON_PUBLIC_URL must be an http(s) URL (got ${JSON.stringify(publicUrl)})`);
  const clientId = env.GITHUB_CLIENT_ID?.trim();
  const clientSecret = env.GITHUB_CLIENT_SECRET?.trim();
  const sessionSecret = env.BARYON_SESSION_SECRET?.trim();
  if (Boolean(clientId) !== Boolean(clientSecret)) errors.push("the web console needs both GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET (the GitHub App's settings page), or neither");
  if (clientId && !publicUrl) errors.push("GITHUB_CLIENT_ID is set but BARYON_PUBLIC_URL is not: GitHub sends the console's users back to <BARYON_PUBLIC_URL>/login/callback");
  if (sessionSecret && sessionSecret.length < 32) errors.push("BARYON_SESSION_SECRET must be at least 32 characters (for example `openssl rand -hex 32`)");
  const renderEngine = (env.BARYON_RENDER_ENGINE?.trim() || "v8") as RenderEngine;
  if (!RENDER_ENGINES.includes(renderEngine)) errors.push(`BARYON_RENDER_ENGINE must be one of ${RENDER_ENGINES.join(", ")} (got ${JSON.stringify(renderEngine)})`);
  const apiSecret = apiSecretFromEnv(env);
  if (apiSecret.error) errors.push(apiSecret.error);
  if (errors.length) return { errors };
  const settings: Settings = { artifacts: artifactStoreConfigFromEnv(env), resyncEveryMs, driftEveryMs, renderEngine, logLevel: env.LOG_LEVEL?.trim() || "info" };
  if (env.REDIS_URL) settings.redisUrl = env.REDIS_URL;
  if (env.DATABASE_URL) settings.databaseUrl = env.DATABASE_URL;
  if (env.BARYON_DATA_DIR) settings.dataDir = env.BARYON_DATA_DIR;
  if (proton.value) settings.proton = proton.value;
  if (publicUrl) settings.publicUrl = publicUrl;
  if (queuePrefix) settings.queuePrefix = queuePrefix;
  if (jobLockMs) settings.jobLockMs = jobLockMs;
  if (clientId && clientSecret && publicUrl) settings.console = { clientId, clientSecret, publicUrl, sessionSecret: sessionSecret || clientSecret };
  if (callbackSecret && publicUrl) settings.callback = { secret: callbackSecret, url: publicUrl };
  if (apiSecret.value) settings.apiSecret = apiSecret.value;
  return { settings, errors };
}

/** BARYON_API_SECRET, checked; read by `serve` and by `baryon token create`, which must agree. */
export function apiSecretFromEnv(env: Record<string, string | undefined>): { value?: string; error?: string } {
  const value = env.BARYON_API_SECRET?.trim();
  if (!value) return {};
  return value.length < 32 ? { error: "BARYON_API_SECRET must be at least 32 characters (for example `openssl rand -hex 32`)" } : { value };
}

/** A URL without its password or query (where `?password=` and tokens hide), for logs. */
export function redacted(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    u.search = "";
    return u.toString();
  } catch {
    return "(unparseable URL)";
  }
}
