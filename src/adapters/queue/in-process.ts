// JobQueue in memory: the embedded default when no Redis is configured. Same semantics
// as the BullMQ adapter within one process; nothing survives a restart, which costs time,
// not correctness, because a resync re-enqueues whatever the registry says is unfinished.
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
  type RetryPolicy,
} from "./job-options.js";
import { runJob } from "./run-job.js";
import { QueueClosedError, type JobHandler, type JobOptions, type JobQueue, type QueueLogger } from "../../ports/job-queue.js";

export interface InProcessQueueOptions {
  retention?: Retention;
  logger?: QueueLogger;
  /** Milliseconds since the epoch; tests pass a fake one to age retention. */
  clock?: () => number;
}

interface PendingJob {
  id: string;
  /** Kept as JSON so every attempt gets a fresh copy, as it would from Redis. */
  json: string;
  attempt: number;
  policy: RetryPolicy;
}

/** The state of one job name. */
class Lane {
  handler: JobHandler<unknown> | undefined;
  concurrency = DEFAULT_CONCURRENCY;
  running = 0;
  readonly waiting: PendingJob[] = [];
  /** Ids waiting, delayed or running: never forgotten while they are. */
  readonly live = new Set<string>();
  /** Id → finish time, oldest first (a Map keeps insertion order). */
  readonly finished = new Map<string, number>();

  constructor(readonly name: string) {}
}

export function createInProcessQueue(options: InProcessQueueOptions = {}): JobQueue {
  return new InProcessQueue(options);
}

class InProcessQueue implements JobQueue {
  private readonly lanes = new Map<string, Lane>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly runs = new Set<Promise<void>>();
  private idleWaiters: (() => void)[] = [];
  private readonly retention: Required<Retention>;
  private readonly logger: QueueLogger;
  private readonly clock: () => number;
  private closing: Promise<void> | undefined;

  constructor(options: InProcessQueueOptions) {
    this.retention = resolveRetention(options.retention);
    this.logger = options.logger ?? consoleLogger;
    this.clock = options.clock ?? Date.now;
  }

  async add<T>(name: string, data: T, options: JobOptions): Promise<boolean> {
    if (this.closing) throw new QueueClosedError();
    checkJobName(name);
    checkJobId(options.id);
    const policy = retryPolicy(options);
    const json = toJson(data);
    const lane = this.lane(name);
    if (this.isKnown(lane, options.id)) return false;
    lane.live.add(options.id);
    lane.waiting.push({ id: options.id, json, attempt: 1, policy });
    // Start on a later tick, as Redis would: the handler never runs inside add().
    queueMicrotask(() => this.pump(lane));
    return true;
  }

  process<T>(name: string, handler: JobHandler<T>, options: { concurrency?: number } = {}): void {
    if (this.closing) throw new QueueClosedError();
    checkJobName(name);
    const concurrency = checkConcurrency(options.concurrency ?? DEFAULT_CONCURRENCY);
    const lane = this.lane(name);
    if (lane.handler) throw new Error(`jobs named "${name}" already have a handler`);
    lane.handler = handler as unknown as JobHandler<unknown>;
    lane.concurrency = concurrency;
    queueMicrotask(() => this.pump(lane));
  }

  idle(): Promise<void> {
    if (this.closing || this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    // Waiting and delayed jobs are dropped: in memory they have nowhere to survive.
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    for (const lane of this.lanes.values()) lane.waiting.length = 0;
    this.wakeIdleWaiters();
    await Promise.all(this.runs);
  }

  private lane(name: string): Lane {
    let lane = this.lanes.get(name);
    if (!lane) this.lanes.set(name, (lane = new Lane(name)));
    return lane;
  }

  private isKnown(lane: Lane, id: string): boolean {
    if (lane.live.has(id)) return true;
    const finishedAt = lane.finished.get(id);
    if (finishedAt === undefined) return false;
    if (this.clock() - finishedAt < this.retention.maxAgeMs) return true;
    lane.finished.delete(id);
    return false;
  }

  private remember(lane: Lane, id: string): void {
    const now = this.clock();
    lane.live.delete(id);
    lane.finished.delete(id);
    lane.finished.set(id, now);
    // Oldest first: trim by count, then drop whatever aged out, so memory stays bounded.
    for (const [oldId, at] of lane.finished) {
      if (lane.finished.size <= this.retention.maxCount && now - at < this.retention.maxAgeMs) break;
      lane.finished.delete(oldId);
    }
  }

  private pump(lane: Lane): void {
    const handler = lane.handler;
    if (this.closing || !handler) return;
    while (lane.running < lane.concurrency && lane.waiting.length > 0) {
      const job = lane.waiting.shift() as PendingJob;
      lane.running++;
      const run = this.run(lane, handler, job);
      this.runs.add(run);
      void run.finally(() => this.runs.delete(run));
    }
  }

  private async run(lane: Lane, handler: JobHandler<unknown>, job: PendingJob): Promise<void> {
    const queued = { id: job.id, name: lane.name, data: JSON.parse(job.json) as unknown, attempt: job.attempt };
    const outcome = await runJob(handler, queued, job.policy, this.logger);
    lane.running--;
    if (outcome.status === "retry" && !this.closing) {
      const timer = setTimeout(() => {
        this.retryTimers.delete(timer);
        lane.waiting.push({ ...job, attempt: job.attempt + 1 });
        this.pump(lane);
      }, outcome.delayMs);
      this.retryTimers.add(timer);
    } else if (outcome.status === "retry") {
      lane.live.delete(job.id); // closed before its retry: dropped, not finished
    } else {
      this.remember(lane, job.id);
    }
    this.pump(lane);
    if (this.isIdle()) this.wakeIdleWaiters();
  }

  private isIdle(): boolean {
    if (this.retryTimers.size > 0) return false;
    for (const lane of this.lanes.values()) {
      if (lane.running > 0 || lane.waiting.length > 0) return false;
    }
    return true;
  }

  private wakeIdleWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }
}
