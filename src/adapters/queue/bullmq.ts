// JobQueue on BullMQ (Redis), for production: jobs survive restarts and are shared by
// every Baryon process that uses the same Redis and prefix.
//
// Each job name is its own BullMQ queue (`<prefix>:<name>:…` keys) with its own Worker,
// because BullMQ's concurrency is per Worker: one queue of named jobs could not give
// "review" and "rollout" separate limits. Dedup is BullMQ's own: the job id is the
// caller's id, and finished jobs are kept for the retention window so that a
// redelivery within it finds the id and adds nothing.
import { randomUUID } from "node:crypto";
import { Queue, UnrecoverableError, Worker, type Job, type JobsOptions } from "bullmq";
import { Redis } from "ioredis";
import {
  checkConcurrency,
  checkJobId,
  checkJobName,
  consoleLogger,
  DEFAULT_CONCURRENCY,
  resolveRetention,
  retryPolicy,
  toJson,
  type Retention,
} from "./job-options.js";
import { runJob } from "./run-job.js";
import { QueueClosedError, type JobHandler, type JobOptions, type JobQueue, type QueueLogger } from "../../ports/job-queue.js";

export interface BullmqQueueOptions {
  /** Redis URL, e.g. `redis://127.0.0.1:6379` or `rediss://user:pass@host:6380/2`. */
  connection: string;
  /** Prefix of every Redis key (default "baryon"). Queue instances with the same prefix share their jobs. */
  prefix?: string;
  retention?: Retention;
  logger?: QueueLogger;
  /** How often idle() asks Redis whether work remains, in ms (default 50). */
  idlePollMs?: number;
}

// Stored with the job's options: the stored token is ours only if this add() created the
// job, which tells add() its answer atomically, even when two processes add the same id.
const ADD_TOKEN = "baryonAddToken";

// States in which a job is still to run (or running); "completed" and "failed" are finished.
const UNFINISHED = ["waiting", "delayed", "active", "prioritized", "waiting-children"] as const;

export function createBullmqQueue(options: BullmqQueueOptions): JobQueue {
  return new BullmqQueue(options);
}

class BullmqQueue implements JobQueue {
  private readonly prefix: string;
  private readonly retention: Required<Retention>;
  private readonly logger: QueueLogger;
  private readonly idlePollMs: number;
  /** Adds and reads: commands give up after ioredis' default retries while Redis is down. */
  private readonly client: Redis;
  /** Workers: BullMQ requires blocking commands that retry forever (maxRetriesPerRequest null). */
  private readonly workerClient: Redis;
  private readonly queues = new Map<string, Queue>();
  private readonly workers = new Map<string, Worker>();
  private closing: Promise<void> | undefined;

  constructor(options: BullmqQueueOptions) {
    this.prefix = options.prefix ?? "baryon";
    this.retention = resolveRetention(options.retention);
    this.logger = options.logger ?? consoleLogger;
    this.idlePollMs = options.idlePollMs ?? 50;
    this.client = this.connect(options.connection, {});
    this.workerClient = this.connect(options.connection, { maxRetriesPerRequest: null });
  }

  async add<T>(name: string, data: T, options: JobOptions): Promise<boolean> {
    if (this.closing) throw new QueueClosedError();
    checkJobName(name);
    checkJobId(options.id);
    const policy = retryPolicy(options);
    toJson(data);
    const queue = this.queue(name);
    const jobId = toBullmqJobId(options.id);
    const token = randomUUID();
    const keep = { age: Math.ceil(this.retention.maxAgeMs / 1000), count: this.retention.maxCount };
    const jobOptions: JobsOptions & { [ADD_TOKEN]: string } = {
      jobId,
      attempts: policy.attempts,
      backoff: { type: "exponential", delay: policy.backoffMs },
      removeOnComplete: keep,
      removeOnFail: keep,
      [ADD_TOKEN]: token,
    };
    await queue.add(name, data, jobOptions);
    const stored = await this.client.hget(queue.toKey(jobId), "opts");
    // Gone already (finished and trimmed in between) can only mean this add() created it.
    if (stored === null) return true;
    return (JSON.parse(stored) as Record<string, unknown>)[ADD_TOKEN] === token;
  }

  process<T>(name: string, handler: JobHandler<T>, options: { concurrency?: number } = {}): void {
    if (this.closing) throw new QueueClosedError();
    checkJobName(name);
    const concurrency = checkConcurrency(options.concurrency ?? DEFAULT_CONCURRENCY);
    if (this.workers.has(name)) throw new Error(`jobs named "${name}" already have a handler`);
    this.queue(name); // so that idle() watches this name too
    const worker = new Worker(name, (job: Job) => this.runAttempt(name, handler, job), {
      connection: this.workerClient,
      prefix: this.prefix,
      concurrency,
    });
    worker.on("error", (err) => this.logger.warn({ err, queue: name }, `job queue worker for "${name}" failed: ${err.message}`));
    this.workers.set(name, worker);
  }

  async idle(): Promise<void> {
    while (!this.closing) {
      const counts = await Promise.all([...this.queues.values()].map((queue) => queue.getJobCounts(...UNFINISHED)));
      if (counts.every((byState) => Object.values(byState).every((n) => n === 0))) return;
      await new Promise((resolve) => setTimeout(resolve, this.idlePollMs));
    }
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    // Workers first: close() lets running jobs finish; what is left stays in Redis for others.
    await Promise.all([...this.workers.values()].map((worker) => worker.close()));
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
    await Promise.all([this.client, this.workerClient].map((client) => client.quit().catch(() => client.disconnect())));
  }

  private async runAttempt<T>(name: string, handler: JobHandler<T>, job: Job): Promise<void> {
    const backoff = job.opts.backoff;
    const policy = {
      attempts: job.opts.attempts ?? 1,
      backoffMs: typeof backoff === "number" ? backoff : (backoff?.delay ?? 0),
    };
    const queued = { id: fromBullmqJobId(job.id ?? ""), name, data: job.data as T, attempt: job.attemptsMade + 1 };
    const outcome = await runJob(handler, queued, policy, this.logger);
    if (outcome.status === "done") return;
    // BullMQ decides the retry itself from attempts and backoff; it only needs to know
    // which failures must not be retried.
    if (outcome.status === "failed" && outcome.permanent) throw new UnrecoverableError(outcome.error.message);
    throw outcome.error;
  }

  private queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.client, prefix: this.prefix });
      queue.on("error", (err) => this.logger.warn({ err, queue: name }, `job queue "${name}" failed: ${err.message}`));
      this.queues.set(name, queue);
    }
    return queue;
  }

  private connect(url: string, options: { maxRetriesPerRequest?: null }): Redis {
    const client = new Redis(url, options);
    // Without a listener ioredis prints every reconnection error; report them once through the logger.
    let reported = false;
    client.on("error", (err: Error) => {
      if (!reported) this.logger.warn({ err }, `Redis connection error (will keep retrying): ${err.message}`);
      reported = true;
    });
    client.on("ready", () => (reported = false));
    return client;
  }
}

// BullMQ refuses custom ids that look like integers or contain ":". Percent-escape "%"
// and ":", and the first character of an integer-looking id, so every id maps to a
// distinct valid one and decodes back exactly.
export function toBullmqJobId(id: string): string {
  const escaped = id.replace(/[%:]/g, (c) => (c === "%" ? "%25" : "%3A"));
  if (`${parseInt(escaped, 10)}` !== escaped) return escaped;
  return `%${escaped.charCodeAt(0).toString(16).toUpperCase()}${escaped.slice(1)}`;
}

export function fromBullmqJobId(jobId: string): string {
  return decodeURIComponent(jobId);
}
