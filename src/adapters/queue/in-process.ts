// JobQueue in memory: the embedded default when no Redis is configured. Same semantics
// as the BullMQ adapter within one process; nothing survives a restart, which costs time,
// not correctness, because a resync re-enqueues whatever the registry says is unfinished.
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
  type RetryPolicy,
} from "./job-options.js";
import { runJob } from "./run-job.js";
import { KeyTurns, type Turn } from "./key-turns.js";
import {
  QueueClosedError,
  type JobHandler,
  type JobOptions,
  type JobQueue,
  type QueueLogger,
  type RepeatOptions,
} from "../../ports/job-queue.js";

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
  /** Its place among the jobs of its serialization key, kept across retries. */
  turn: Turn | undefined;
}

/** The state of one job name. */
class Lane {
  handler: JobHandler<unknown> | undefined;
  concurrency = DEFAULT_CONCURRENCY;
  running = 0;
  /** Due jobs, in the order they became due. */
  readonly waiting: PendingJob[] = [];
  /** Ids waiting, delayed or running: never forgotten while they are. */
  readonly live = new Set<string>();
  /** Id → finish time, oldest first (a Map keeps insertion order). */
  readonly finished = new Map<string, number>();

  constructor(readonly name: string) {}
}

interface Schedule {
  name: string;
  id: string;
  json: string;
  everyMs: number;
  /** When the next run is due, in ms since the epoch (wall time, like BullMQ's). */
  nextAt: number;
  timer: NodeJS.Timeout | undefined;
}

export function createInProcessQueue(options: InProcessQueueOptions = {}): JobQueue {
  return new InProcessQueue(options);
}

class InProcessQueue implements JobQueue {
  private readonly lanes = new Map<string, Lane>();
  /** Jobs delayed by delayMs or for a retry: pending work, so idle() waits for them. */
  private readonly delayTimers = new Set<NodeJS.Timeout>();
  private readonly schedules = new Map<string, Schedule>();
  private readonly turns = new KeyTurns();
  private readonly runs = new Set<Promise<void>>();
  private idleWaiters: (() => void)[] = [];
  /**
   * Held while someone waits in idle(): delay timers are unref'd (a queue alone must not keep a
   * process alive), so a CLI awaiting a delayed job would otherwise see node exit under it.
   */
  private idleHold: NodeJS.Timeout | undefined;
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
    checkSerializationKey(options.serializationKey);
    const policy = retryPolicy(options);
    const delayMs = jobDelayMs(options);
    const json = toJson(data);
    const lane = this.lane(name);
    if (this.isKnown(lane, options.id)) return false;
    const turn = options.serializationKey === undefined ? undefined : this.turns.take(options.serializationKey, Date.now() + delayMs);
    this.enqueue(lane, { id: options.id, json, attempt: 1, policy, turn }, delayMs);
    return true;
  }

  async repeat<T>(name: string, data: T, options: RepeatOptions): Promise<void> {
    if (this.closing) throw new QueueClosedError();
    checkJobName(name);
    checkRepeat(options);
    const json = toJson(data);
    const key = `${name}\n${options.id}`;
    const existing = this.schedules.get(key);
    // The same interval keeps its next due time, as BullMQ's upsertJobScheduler does.
    if (existing?.everyMs === options.everyMs) {
      existing.json = json;
      return;
    }
    if (existing) clearTimeout(existing.timer);
    const schedule: Schedule = { name, id: options.id, json, everyMs: options.everyMs, nextAt: Date.now(), timer: undefined };
    this.schedules.set(key, schedule);
    this.arm(schedule);
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
    this.idleHold ??= setInterval(() => undefined, 60_000);
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    // Waiting, delayed and scheduled jobs are dropped: in memory they have nowhere to survive.
    for (const timer of this.delayTimers) clearTimeout(timer);
    this.delayTimers.clear();
    for (const schedule of this.schedules.values()) clearTimeout(schedule.timer);
    this.schedules.clear();
    for (const lane of this.lanes.values()) lane.waiting.length = 0;
    this.wakeIdleWaiters();
    await Promise.all(this.runs);
  }

  private lane(name: string): Lane {
    let lane = this.lanes.get(name);
    if (!lane) this.lanes.set(name, (lane = new Lane(name)));
    return lane;
  }

  /** Puts a job in its lane now, or after `delayMs` (a delayed add or a retry). */
  private enqueue(lane: Lane, job: PendingJob, delayMs: number): void {
    lane.live.add(job.id);
    if (delayMs <= 0) {
      lane.waiting.push(job);
      // Start on a later tick, as Redis would: the handler never runs inside add().
      queueMicrotask(() => this.pump(lane));
      return;
    }
    const timer = setTimeout(() => {
      this.delayTimers.delete(timer);
      lane.waiting.push(job);
      this.pump(lane);
    }, delayMs);
    timer.unref();
    this.delayTimers.add(timer);
  }

  private arm(schedule: Schedule): void {
    const fire = (): void => {
      schedule.timer = undefined;
      const lane = this.lane(schedule.name);
      const id = repeatRunId(schedule.id, schedule.nextAt);
      if (!this.isKnown(lane, id)) this.enqueue(lane, { id, json: schedule.json, attempt: 1, policy: retryPolicy({ id }), turn: undefined }, 0);
      // Runs missed while the process was busy are skipped, not run in a burst.
      const now = Date.now();
      schedule.nextAt += schedule.everyMs;
      if (schedule.nextAt <= now) schedule.nextAt += Math.ceil((now - schedule.nextAt) / schedule.everyMs) * schedule.everyMs;
      this.arm(schedule);
    };
    const delayMs = schedule.nextAt - Date.now();
    // A due run is enqueued at once, so that an idle() called right after repeat() waits for it.
    if (delayMs <= 0) return fire();
    schedule.timer = setTimeout(fire, delayMs);
    schedule.timer.unref();
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
    // A job whose key is not at its turn stays where it is, holding no slot.
    for (let n = 0; n < lane.waiting.length && lane.running < lane.concurrency; ) {
      const job = lane.waiting[n] as PendingJob;
      if (job.turn && !this.turns.isFirst(job.turn)) {
        n++;
        continue;
      }
      lane.waiting.splice(n, 1);
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
      this.enqueue(lane, { ...job, attempt: job.attempt + 1 }, outcome.delayMs);
    } else {
      if (outcome.status === "retry") lane.live.delete(job.id); // closed before its retry: dropped, not finished
      else this.remember(lane, job.id);
      // Its key's next job may be in any lane.
      if (job.turn) {
        this.turns.release(job.turn);
        for (const other of this.lanes.values()) if (other !== lane) this.pump(other);
      }
    }
    this.pump(lane);
    if (this.isIdle()) this.wakeIdleWaiters();
  }

  private isIdle(): boolean {
    if (this.delayTimers.size > 0) return false;
    const now = Date.now();
    for (const schedule of this.schedules.values()) if (schedule.nextAt <= now) return false;
    for (const lane of this.lanes.values()) {
      if (lane.running > 0 || lane.waiting.length > 0) return false;
    }
    return true;
  }

  private wakeIdleWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    clearInterval(this.idleHold);
    this.idleHold = undefined;
    for (const wake of waiters) wake();
  }
}
