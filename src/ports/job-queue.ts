// The JobQueue port: background work that survives a slow webhook response.
// No BullMQ or Redis types here; adapters live beside this file (bullmq.ts, in-process.ts).

export interface JobOptions {
  /**
   * Deduplication key, scoped to the job name: a second add() with an id already added
   * (waiting, delayed for retry, running, or finished within the retention window) does nothing.
   */
  id: string;
  /** Total attempts before the job fails for good (default 3). */
  attempts?: number;
  /** First retry delay in ms, doubling each attempt (default 1000). */
  backoffMs?: number;
  /** Run no sooner than this many ms from now (default 0). Dedup by id holds while the job waits. */
  delayMs?: number;
  /**
   * Jobs that share a key never run at the same time, in any process using the same queue
   * (on BullMQ: every process on the same Redis and prefix), whatever their job names.
   * A job whose key is busy waits its turn without spending an attempt.
   *
   * Order: jobs of one key start in the order they became due (add time plus delayMs), ties
   * in the order they were added; a job that failed and waits for its retry keeps its place,
   * so later jobs of its key wait for it to succeed or fail for good. Adds that race from two
   * processes have no order to keep, and on BullMQ a job that starts in the instant before
   * its place is recorded may run out of order (never alongside another). A job of a name
   * that nobody processes holds back the jobs of its key behind it. See docs/queue.md.
   */
  serializationKey?: string;
}

export interface RepeatOptions {
  /**
   * Stable id of the schedule, scoped to the job name: calling repeat() again with it (from
   * any process, after a restart) replaces the schedule, never adds a second one.
   */
  id: string;
  /** Interval in ms. */
  everyMs: number;
}

export interface QueuedJob<T> {
  id: string;
  name: string;
  data: T;
  /** 1-based: 1 on the first run, 2 on the first retry, ... */
  attempt: number;
}

export type JobHandler<T> = (job: QueuedJob<T>) => Promise<void>;

export interface JobQueue {
  /** Resolves true when the job was added, false when its id was already known. Data must be JSON-serialisable. */
  add<T>(name: string, data: T, options: JobOptions): Promise<boolean>;
  /**
   * Runs a job `name` with `data` every `everyMs` until the queue is closed (in-process) or for
   * as long as the Redis keeps it (BullMQ: the schedule lives in Redis and runs in whichever
   * process handles the name). The first run is due at once; calling repeat() again with the
   * same id and interval keeps the next due time (a restart adds no extra run), a new interval
   * starts the schedule afresh with a run at once. A run's job id is `<schedule id>@<due time
   * in ms since the epoch>`; it retries like an add() with default options. A run that outlasts
   * the interval may overlap the next one.
   */
  repeat<T>(name: string, data: T, options: RepeatOptions): Promise<void>;
  /** Handles jobs of this name, up to `concurrency` at once in this queue instance (default 4). One handler per name. */
  process<T>(name: string, handler: JobHandler<T>, options?: { concurrency?: number }): void;
  /**
   * Resolves once no job is waiting, delayed (by delayMs, for a retry or for a busy
   * serialization key), or running (tests, graceful shutdown). Repeat schedules are not pending
   * work: only a run that is due or running keeps idle() waiting. Jobs of a name that nobody
   * processes keep it waiting. Resolves at once after close().
   */
  idle(): Promise<void>;
  /** Stops taking jobs, waits for the running ones to finish, and releases connections. */
  close(): Promise<void>;
}

/** Thrown by a handler for a job that can never succeed: no retry. */
export class PermanentJobError extends Error {
  override name = "PermanentJobError";
}

/** add() or process() on a queue that was closed, e.g. a webhook arriving during shutdown. */
export class QueueClosedError extends Error {
  override name = "QueueClosedError";
  constructor() {
    super("the job queue is closed");
  }
}

/** Where adapters report failed attempts; pino-shaped, so Probot's `app.log` fits. */
export interface QueueLogger {
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}
