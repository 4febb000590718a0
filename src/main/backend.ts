// What `baryon serve` and `baryon worker` both build from the environment: the
// settings, the log, Probot (GitHub as the app), metrics and the adapters; and
// the job workers, which the app process runs too unless told not to.
import { createProbot, ProbotOctokit, type Probot } from "probot";
import { pino, type Logger } from "pino";
import { createMetrics, type Metrics } from "../adapters/metrics.js";
import { RegistryUnavailableError } from "../adapters/registry/index.js";
import { composeAdapters, type Adapters, type GivenAdapters } from "../compose/adapters.js";
import { provisionerRegistry } from "../compose/provisioners.js";
import { settingsFromEnv, type Settings } from "../compose/settings.js";
import { startWorkers } from "../jobs/catalogue.js";
import { deploymentLogUrl } from "./deployment-log.js";

export interface BackendOptions {
  /** Environment to read the app's settings from (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET, GHE_HOST, REDIS_URL, ...). */
  env?: NodeJS.ProcessEnv;
  /** Settings that win over the environment (tests: a fake GitHub's baseUrl, a captured logger). */
  probot?: { appId?: number | string; privateKey?: string; secret?: string; baseUrl?: string; log?: Logger };
  /**
   * Space writes as GitHub asks (Octokit's throttling, per installation). Default on;
   * tests against a fake GitHub turn it off so they do not wait seconds between comments.
   */
  githubThrottling?: boolean;
  /** Adapters the caller already has (tests); the rest are built from the environment by the composition root. */
  adapters?: GivenAdapters;
}

export interface Backend {
  env: NodeJS.ProcessEnv;
  settings: Settings;
  probot: Probot;
  metrics: Metrics;
  adapters: Adapters;
  /** Verifies webhooks and signs deployment log links. */
  webhookSecret: string;
  /** The REST API Probot talks to (GitHub Enterprise's, or a test's fake); undefined for api.github.com. */
  baseUrl?: string;
  /** Runs this process's share of the jobs (and the resync schedule, which every worker registers once). */
  startWorkers(): Promise<void>;
}

export async function startBackend(options: BackendOptions = {}): Promise<Backend> {
  const env = options.env ?? process.env;
  const { settings, errors } = settingsFromEnv(env);
  if (!settings) throw new Error(`Baryon cannot start: ${errors.join("; ")}`);
  // Probot's own default level is warn, which hides the start line and every job's outcome.
  const log = options.probot?.log ?? pino({ level: settings.logLevel });
  const overrides = stripUndefined({
    ...options.probot,
    log,
    ...(options.githubThrottling === false ? { Octokit: ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, throttle: { ...(o.throttle as object), enabled: false } })) } : {}),
  });
  const probot = createProbot({ env, overrides });
  const webhookSecret = options.probot?.secret ?? env.WEBHOOK_SECRET ?? "";
  if (!webhookSecret) throw new Error("WEBHOOK_SECRET is not set: Baryon refuses to accept unsigned webhooks");
  const metrics = createMetrics({ defaultMetrics: true });
  // Provisioners reach GitHub as the app's installation of the deployment's owner (the pull-request provisioner).
  const github = async (owner: string) => {
    const { data: installation } = await (await probot.auth()).rest.apps.getUserInstallation({ username: owner });
    return probot.auth(installation.id);
  };
  const provisioner = provisionerRegistry({ env: process.env, github, ...(settings.callback ? { callback: settings.callback } : {}) });
  const adapters = await composeAdapters(settings, { provisioner, ...options.adapters }, log).catch((error: unknown) => {
    // A registry nobody can use stops the start with what is wrong and how to recover, not a stack.
    if (error instanceof RegistryUnavailableError) log.fatal(error.message);
    throw error;
  });
  const appId = Number(options.probot?.appId ?? env.APP_ID);
  const publicUrl = settings.publicUrl;
  const logUrl = publicUrl ? (owner: string, id: string) => deploymentLogUrl(publicUrl, webhookSecret, owner, id) : undefined;
  const baseUrl = options.probot?.baseUrl ?? (env.GHE_HOST ? `${env.GHE_PROTOCOL ?? "https"}://${env.GHE_HOST}/api/v3` : undefined);
  return {
    env, settings, probot, metrics, adapters, webhookSecret, ...(baseUrl ? { baseUrl } : {}),
    startWorkers: () => startWorkers({ adapters, probot, metrics, log, ...(Number.isInteger(appId) ? { appId } : {}), ...(logUrl ? { logUrl } : {}) }, { resyncEveryMs: settings.resyncEveryMs, driftEveryMs: settings.driftEveryMs }),
  };
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
