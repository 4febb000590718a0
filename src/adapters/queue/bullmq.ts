// JobQueue on BullMQ (Redis), for production: jobs survive restarts and are shared by
// every Baryon process that uses the same Redis and prefix.
//
// Each job name is its own BullMQ queue (`<prefix>:<name>:…` keys) with its own Worker,
// because BullMQ's concurrency is per Worker: one queue of named jobs could not give
// "review" and "rollout" separate limits. Dedup is BullMQ's own: the job id is the
// caller's id, and finished jobs are kept for the retention window so that a
// redelivery within it finds the id and adds nothing. Delays and repeat schedules are
// BullMQ's own too (delayed jobs, job schedulers); serialization keys are ours, a lock and a
// line per key in Redis (serialization-keys.ts), because BullMQ's groups are not open source.
import { randomUUID } from "node:crypto";
import { DelayedError, Queue, UnrecoverableError, Worker, type Job, type JobsOptions } from "bullmq";
import { Redis } from "ioredis";
import {
  checkConcurrency,
  checkJobId,
  checkJobName,
  checkRepeat,
  checkSerializationKey,
  consoleLogger,
  DEFAULT_CONCURRENCY,
  jobDelayMs,
  repeatRunId,
  resolveRetention,
  retryPolicy,
  toJson,
  type Retention,
} from "./job-options.js";
import { runJob } from "./run-job.js";
import { SerializationKeys, type KeyHold, type Turn } from "./serialization-keys.js";
import {
  QueueClosedError,
  type JobHandler,
  type JobOptions,
  type JobQueue,
  type QueueLogger,
  type RepeatOptions,
} from "../../ports/job-queue.js";

export interface BullmqQueueOptions {
  /** Redis URL, e.g. `redis://127.0.0.1:6379` or `rediss://user:pass@host:6380/2`. */
  connection: string;
  /** Prefix of every Redis key (default "baryon"). Queue instances with the same prefix share their jobs. */
  prefix?: string;
  retention?: Retention;
  logger?: QueueLogger;
  /** How often idle() asks Redis whether work remains, in ms (default 50). */
  idlePollMs?: number;
  /**
   * How long a process that died keeps its running jobs and their serialization keys, in ms
   * (default 30,000): BullMQ's lock duration and stalled-job check interval, and the TTL of a
   * serialization key's lock. Live processes renew their locks well before.
   */
  lockMs?: number;
}

// Stored with the job's options: the stored token is ours only if this add() created the
// job, which tells add() its answer atomically, even when two processes add the same id.
const ADD_TOKEN = "baryonAddToken";

// Stored with the job's options: its place in the line of its serialization key.
const TURN = "baryonTurn";

// Where BullMQ keeps jobs still to run (or running); "completed" and "failed" are finished.
// Delayed jobs are looked at apart: a schedule's next run, not yet due, is not pending work.
const UNFINISHED_NOW = [
  ["llen", "wait"],
  ["llen", "paused"],
  ["llen", "active"],
  ["zcard", "prioritized"],
  ["zcard", "waiting-children"],
] as const;

// A job that met a busy key looks again after at most this long, in case nobody wakes it.
const BUSY_RETRY_MS = 1000;

export function createBullmqQueue(options: BullmqQueueOptions): JobQueue {
  return new BullmqQueue(options);
}

/** How often, at most, the repeat schedules are asserted again. */
const SCHEDULE_CHECK_MS = 60_000;

class BullmqQueue implements JobQueue {
  private readonly prefix: string;
  private readonly retention: Required<Retention>;
  private readonly logger: QueueLogger;
  private readonly idlePollMs: number;
  private readonly lockMs: number;
  private readonly keys: SerializationKeys;
  /** Adds and reads: commands give up after ioredis' default retries while Redis is down. */
  private readonly client: Redis;
  /** Workers: BullMQ requires blocking commands that retry forever (maxRetriesPerRequest null). */
  private readonly workerClient: Redis;
  private readonly queues = new Map<string, Queue>();
  private readonly workers = new Map<string, Worker>();
  /** Schedules this process asked for, asserted again now and then: a flushed Redis loses them. */
  private readonly schedules = new Map<string, { everyMs: number; assert: () => Promise<void> }>();
  private scheduleTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;

  constructor(options: BullmqQueueOptions) {
    this.prefix = options.prefix ?? "baryon";
    this.retention = resolveRetention(options.retention);
    this.logger = options.logger ?? consoleLogger;
    this.idlePollMs = options.idlePollMs ?? 50;
    this.lockMs = options.lockMs ?? 30_000;
    if (!Number.isInteger(this.lockMs) || this.lockMs < 10) throw new RangeError(`lockMs must be an integer of at least 10, got ${this.lockMs}`);
    this.client = this.connect(options.connection, {});
    this.workerClient = this.connect(options.connection, { maxRetriesPerRequest: null });
    this.keys = new SerializationKeys(this.client, this.prefix, this.lockMs, this.logger);
  }

  async add<T>(name: string, data: T, options: JobOptions): Promise<boolean> {
    if (this.closing) throw new QueueClosedError();
    checkJobName(name);
    checkJobId(options.id);
    checkSerializationKey(options.serializationKey);
    const policy = retryPolicy(options);
    const delayMs = jobDelayMs(options);
    toJson(data);
    const queue = this.queue(name);
    const jobId = toBullmqJobId(options.id);
    const token = randomUUID();
    const key = options.serializationKey;
    const turn = key === undefined ? undefined : await this.keys.turn(key, name, jobId, Date.now() + delayMs);
    const keep = { age: Math.ceil(this.retention.maxAgeMs / 1000), count: this.retention.maxCount };
    const jobOptions: JobsOptions & { [ADD_TOKEN]: string; [TURN]?: Turn } = {
      jobId,
      attempts: policy.attempts,
      backoff: { type: "exponential", delay: policy.backoffMs },
      removeOnComplete: keep,
      removeOnFail: keep,
      [ADD_TOKEN]: token,
      ...(delayMs > 0 ? { delay: delayMs } : {}),
      ...(turn ? { [TURN]: turn } : {}),
    };
    await queue.add(name, data, jobOptions);
    const stored = await this.client.hget(queue.toKey(jobId), "opts");
    // Gone already (finished and trimmed in between) can only mean this add() created it.
    const created = stored === null || (JSON.parse(stored) as Record<string, unknown>)[ADD_TOKEN] === token;
    // A job that starts before its turn is in line still takes the lock: order may slip, exclusion not.
    if (created && turn) await this.keys.enter(turn);
    return created;
  }

  async repeat<T>(name: string, data: T, options: RepeatOptions): Promise<void> {
    if (this.closing) throw new QueueClosedError();
    checkJobName(name);
    checkRepeat(options);
    toJson(data);
    const policy = retryPolicy({ id: options.id });
    const keep = { age: Math.ceil(this.retention.maxAgeMs / 1000), count: this.retention.maxCount };
    // Upserting keeps the delayed next run (and its due time) when the interval is unchanged.
    const assert = async () => {
      await this.queue(name).upsertJobScheduler(options.id, { every: options.everyMs }, {
        name,
        data,
        opts: { attempts: policy.attempts, backoff: { type: "exponential", delay: policy.backoffMs }, removeOnComplete: keep, removeOnFail: keep },
      });
    };
    await assert();
    // Asserted again every interval (at most a minute apart): a FLUSHALL costs one interval, never the schedule.
    this.schedules.set(`${name}\n${options.id}`, { everyMs: options.everyMs, assert });
    const every = Math.min(SCHEDULE_CHECK_MS, ...[...this.schedules.values()].map((s) => s.everyMs));
    clearInterval(this.scheduleTimer);
    this.scheduleTimer = setInterval(() => void this.reassertSchedules(), every);
    this.scheduleTimer.unref();
  }

  private async reassertSchedules(): Promise<void> {
    for (const { assert } of this.schedules.values()) {
      if (this.closing) return;
      await assert().catch((error: unknown) => this.logger.warn({ err: error }, "could not assert a repeat schedule; trying again later"));
    }
  }

  process<T>(name: string, handler: JobHandler<T>, options: { concurrency?: number } = {}): void {
    if (this.closing) throw new QueueClosedError();
    checkJobName(name);
    const concurrency = checkConcurrency(options.concurrency ?? DEFAULT_CONCURRENCY);
    if (this.workers.has(name)) throw new Error(`jobs named "${name}" already have a handler`);
    this.queue(name); // so that idle() watches this name too
    const worker = new Worker(name, (job: Job, token?: string) => this.runAttempt(name, handler, job, token), {
      connection: this.workerClient,
      prefix: this.prefix,
      concurrency,
      lockDuration: this.lockMs,
      stalledInterval: this.lockMs,
    });
    worker.on("error", (err) => this.logger.warn({ err, queue: name }, `job queue worker for "${name}" failed: ${err.message}`));
    this.workers.set(name, worker);
  }

  async idle(): Promise<void> {
    while (!this.closing) {
      const pending = await Promise.all([...this.queues.values()].map((queue) => this.hasPendingWork(queue)));
      if (!pending.some(Boolean)) return;
      await new Promise((resolve) => setTimeout(resolve, this.idlePollMs));
    }
  }

  private async hasPendingWork(queue: Queue): Promise<boolean> {
    // One MULTI, so that a job moving between states (active to delayed for a retry) is seen once.
    const replies = await this.client
      .multi([["zrange", queue.toKey("delayed"), "0", "-1"], ...UNFINISHED_NOW.map(([command, state]) => [command, queue.toKey(state)])])
      .exec();
    if (!replies) return true;
    const [[, delayed], ...counts] = replies as [[Error | null, string[]], ...[Error | null, number][]];
    if (counts.some(([err, n]) => err !== null || n > 0)) return true;
    // Schedulers' runs have ids `repeat:<schedule id>:<due ms>`; ours never contain ":".
    const now = Date.now();
    return delayed.some((jobId) => !jobId.startsWith("repeat:") || Number(jobId.slice(jobId.lastIndexOf(":") + 1)) <= now);
  }


  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    clearInterval(this.scheduleTimer);
    // Workers first: close() lets running jobs finish; what is left stays in Redis for others.
    await Promise.all([...this.workers.values()].map((worker) => worker.close()));
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
    await Promise.all([this.client, this.workerClient].map((client) => client.quit().catch(() => client.disconnect())));
  }

  private async runAttempt<T>(name: string, handler: JobHandler<T>, job: Job, token: string | undefined): Promise<void> {
    const backoff = job.opts.backoff;
    const policy = {
      attempts: job.opts.attempts ?? 1,
      backoffMs: typeof backoff === "number" ? backoff : (backoff?.delay ?? 0),
    };
    const turn = (job.opts as { [TURN]?: Turn })[TURN];
    let hold: KeyHold | undefined;
    if (turn) {
      hold = await this.keys.take(turn);
      if (!hold) return this.stepAside(job, turn, token);
    }
    const queued = { id: handlerJobId(job), name, data: job.data as T, attempt: job.attemptsMade + 1 };
    const outcome = await runJob(handler, queued, policy, this.logger);
    // A release that fails leaves the lock to its TTL: it costs time, and must not fail a job that ran.
    const next = await hold?.release(outcome.status !== "retry").catch((err: Error) => {
      this.logger.warn({ err, key: turn?.key }, `could not release serialization key "${turn?.key}": ${err.message}`);
      return undefined;
    });
    if (next) await this.wake(next.name, next.jobId);
    if (outcome.status === "done") return;
    // BullMQ decides the retry itself from attempts and backoff; it only needs to know
    // which failures must not be retried.
    if (outcome.status === "failed" && outcome.permanent) throw new UnrecoverableError(outcome.error.message);
    throw outcome.error;
  }

  /** The job's key is busy: back to delayed without spending an attempt, to look again later. */
  private async stepAside(job: Job, turn: Turn, token: string | undefined): Promise<never> {
    await job.moveToDelayed(Date.now() + Math.min(BUSY_RETRY_MS, this.lockMs), token);
    // The holder may have released between our look and our move, and woken nobody: look again.
    if (await this.keys.isFree(turn)) await job.promote().catch(() => {});
    throw new DelayedError();
  }

  /** Moves a job waiting for a busy key from delayed to waiting, now that the key is free. */
  private async wake(name: string, jobId: string): Promise<void> {
    const job = await this.queue(name).getJob(jobId);
    // Not delayed (already waiting, running, or gone): nothing to do.
    await job?.promote().catch(() => {});
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

/** The id a handler sees: the caller's id, or `<schedule id>@<due ms>` for a repeat run. */
function handlerJobId(job: Job): string {
  const jobId = job.id ?? "";
  if (!job.repeatJobKey) return fromBullmqJobId(jobId);
  return repeatRunId(job.repeatJobKey, Number(jobId.slice(jobId.lastIndexOf(":") + 1)));
}
