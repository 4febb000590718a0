// What every job kind declares (the catalogue lists them): its name, the one
// thing it advances (its id), what it must not overlap with (its serialization
// key), its retries, and the function it runs. Handlers only adapt job data into
// a flow's input and ports; a job re-run late or twice finds its work done.
import type { Probot } from "probot";
import type { Metrics } from "../adapters/metrics.js";
import type { Adapters } from "../compose/adapters.js";
import { PermanentJobError, type JobQueue } from "../ports/job-queue.js";
import type { Owner } from "../ports/registry.js";
import type { TickOutcome } from "../flows/rollout.js";

/** pino-shaped: Probot's logger fits. */
export interface JobLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** What a running job may use: the process's adapters, GitHub as the app, metrics and the log. */
export interface JobContext {
  adapters: Adapters;
  /** The GitHub App: an installation's client is made per job (`probot.auth(installationId)`), never shared. Absent in the CLI. */
  probot?: Probot;
  /** The app's id, to tell its own check runs from other apps'. */
  appId?: number;
  metrics: Metrics;
  log: JobLogger;
  /** Where a deployment's log can be read, for GitHub Deployments (BARYON_PUBLIC_URL set); absent, statuses carry no log link. */
  logUrl?: (owner: string, deploymentId: string) => string;
  /** Told each step a rollout takes (the terminal prints them). */
  onRolloutStep?: (owner: Owner, outcome: TickOutcome) => Promise<void> | void;
}

export interface JobKind<T> {
  readonly name: string;
  /** Deduplication id: the thing the job advances, so a second add of the same work does nothing. */
  id(data: T): string;
  /** Jobs with the same key never run at once, in any process. */
  key?(data: T): string;
  /**
   * The owner whose repository asked for the work. Kinds that have one are recorded in the
   * registry when submitted and marked finished when done, so the resync finds a lost job.
   */
  owner?(data: T): string;
  attempts?: number;
  backoffMs?: number;
  /** Jobs of this kind run at once in one process (default: the queue's). */
  concurrency?: number;
  /** Does the work; resolves with a short outcome for the log line. `job.attempt` is 1-based; the last is `attempts`. */
  run(data: T, context: JobContext, job: { attempt: number }): Promise<string>;
}

export function enqueue<T>(queue: JobQueue, kind: Omit<JobKind<T>, "run">, data: T, options: { delayMs?: number } = {}): Promise<boolean> {
  return queue.add(kind.name, data, {
    id: kind.id(data),
    ...(kind.key ? { serializationKey: kind.key(data) } : {}),
    ...(kind.attempts !== undefined ? { attempts: kind.attempts } : {}),
    ...(kind.backoffMs !== undefined ? { backoffMs: kind.backoffMs } : {}),
    ...(options.delayMs ? { delayMs: options.delayMs } : {}),
  });
}

/** Records the work in the registry (when the kind has an owner), then queues it: a crash in between costs a resync's wait. */
export async function submit<T>(context: Pick<JobContext["adapters"], "registry" | "queue">, kind: JobKind<T>, data: T): Promise<boolean> {
  if (kind.owner) await context.registry.requestWork({ kind: kind.name, id: kind.id(data), owner: kind.owner(data), data });
  return enqueue(context.queue, kind, data);
}

/** Runs a kind's jobs from the queue, logging one line per finished attempt with its outcome and duration. */
export function work<T>(kind: JobKind<T>, context: JobContext): void {
  context.adapters.queue.process<T>(kind.name, async (job) => {
    const started = performance.now();
    const fields = () => ({ job: job.id, kind: kind.name, attempt: job.attempt, ms: Math.round(performance.now() - started) });
    const finish = (error?: string) => (kind.owner ? context.adapters.registry.finishWork(kind.name, kind.id(job.data), error) : undefined);
    try {
      const outcome = await kind.run(job.data, context, { attempt: job.attempt });
      await finish();
      context.metrics.jobsFinished.inc({ kind: kind.name, outcome: "done" });
      context.log.info(fields(), `${kind.name} ${job.id}: ${outcome}`);
    } catch (error) {
      context.metrics.jobsFinished.inc({ kind: kind.name, outcome: "failed" });
      context.log.error({ ...fields(), err: error }, `${kind.name} ${job.id} failed: ${(error as Error).message}`);
      const thrown = permanentIfHopeless(error);
      // Work that can never be done is not worth a resync; anything else stays pending.
      if (thrown instanceof PermanentJobError) await finish(thrown.message);
      throw thrown;
    }
  }, kind.concurrency ? { concurrency: kind.concurrency } : undefined);
}

/** The installation's GitHub client, for jobs that only make sense with GitHub. */
export async function githubFor(context: JobContext, installationId: number) {
  if (!context.probot) throw new PermanentJobError("this job needs the GitHub App, which this process does not run");
  return context.probot.auth(installationId);
}

/** GitHub no longer knows the installation or repository: retrying cannot help. */
function permanentIfHopeless(error: unknown): unknown {
  const status = (error as { status?: number }).status;
  if (status === 401 || status === 404) return new PermanentJobError(`GitHub answered ${status}: ${(error as Error).message}`, { cause: error });
  return error;
}
