// Defaults and checks shared by every JobQueue adapter, so that they agree on
// what a valid job is and when it is retried.
import type { JobOptions, QueueLogger, RepeatOptions } from "../../ports/job-queue.js";

export const DEFAULT_ATTEMPTS = 3;
export const DEFAULT_BACKOFF_MS = 1000;
export const DEFAULT_CONCURRENCY = 4;

/** How long finished jobs' ids are remembered, so that a redelivery within the window is deduplicated. */
export interface Retention {
  /** At least this long (default 24 h)... */
  maxAgeMs?: number;
  /** ...unless this many newer jobs of the same name finished since (default 10,000). */
  maxCount?: number;
}

export const DEFAULT_RETENTION: Required<Retention> = { maxAgeMs: 24 * 60 * 60 * 1000, maxCount: 10_000 };

export interface RetryPolicy {
  attempts: number;
  backoffMs: number;
}

export function resolveRetention(retention: Retention = {}): Required<Retention> {
  const maxAgeMs = retention.maxAgeMs ?? DEFAULT_RETENTION.maxAgeMs;
  const maxCount = retention.maxCount ?? DEFAULT_RETENTION.maxCount;
  if (!(maxAgeMs > 0)) throw new RangeError(`retention.maxAgeMs must be positive, got ${maxAgeMs}`);
  if (!Number.isInteger(maxCount) || maxCount < 1) throw new RangeError(`retention.maxCount must be a positive integer, got ${maxCount}`);
  return { maxAgeMs, maxCount };
}

export function retryPolicy(options: JobOptions): RetryPolicy {
  const attempts = options.attempts ?? DEFAULT_ATTEMPTS;
  const backoffMs = options.backoffMs ?? DEFAULT_BACKOFF_MS;
  if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError(`attempts must be an integer of at least 1, got ${attempts}`);
  if (!Number.isFinite(backoffMs) || backoffMs < 0) throw new RangeError(`backoffMs must be a non-negative number, got ${backoffMs}`);
  return { attempts, backoffMs };
}

/** delayMs, checked; 0 when not given. */
export function jobDelayMs(options: JobOptions): number {
  const delayMs = options.delayMs ?? 0;
  if (!Number.isFinite(delayMs) || delayMs < 0) throw new RangeError(`delayMs must be a non-negative number, got ${delayMs}`);
  return delayMs;
}

export function checkSerializationKey(key: string | undefined): void {
  if (key !== undefined && (typeof key !== "string" || key === "")) throw new TypeError("serializationKey must be a non-empty string");
}

export function checkRepeat(options: RepeatOptions): void {
  if (typeof options.id !== "string" || options.id === "") throw new TypeError("repeat id must be a non-empty string");
  if (!Number.isInteger(options.everyMs) || options.everyMs < 1) throw new RangeError(`everyMs must be a positive integer, got ${options.everyMs}`);
}

/** The id a repeat run's handler sees: the schedule's id and the run's due time. */
export function repeatRunId(scheduleId: string, dueAt: number): string {
  return `${scheduleId}@${dueAt}`;
}

/** Delay before the retry that follows a failed `attempt` (1-based): backoffMs, then doubling. */
export function retryDelayMs(backoffMs: number, attempt: number): number {
  return Math.round(backoffMs * 2 ** (attempt - 1));
}

// Job names become BullMQ queue names and Redis key parts: keep them plain.
const JOB_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function checkJobName(name: string): void {
  if (!JOB_NAME.test(name)) throw new TypeError(`job name must match ${JOB_NAME}, got ${JSON.stringify(name)}`);
}

export function checkJobId(id: string): void {
  if (typeof id !== "string" || id === "") throw new TypeError("job id must be a non-empty string");
}

export function checkConcurrency(concurrency: number): number {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  return concurrency;
}

/** The job data as JSON; a value JSON cannot carry is refused here rather than mangled in Redis. */
export function toJson(data: unknown): string {
  const json = JSON.stringify(data) as string | undefined;
  if (json === undefined) throw new TypeError("job data must be JSON-serialisable");
  return json;
}

/** Used when the composition root gives no logger: failures must show somewhere. */
export const consoleLogger: QueueLogger = {
  warn: (fields, message) => console.warn(`[queue] ${message}`, fields),
  error: (fields, message) => console.error(`[queue] ${message}`, fields),
};
