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
  /** Handles jobs of this name, up to `concurrency` at once in this queue instance (default 4). One handler per name. */
  process<T>(name: string, handler: JobHandler<T>, options?: { concurrency?: number }): void;
  /**
   * Resolves once no job is waiting, delayed for retry, or running (tests, graceful shutdown).
   * Jobs of a name that nobody processes keep it waiting. Resolves at once after close().
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
