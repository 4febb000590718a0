// What the two-process tests record in Redis: each run's start and end, from any process,
// and how many jobs of the key ran at once (an atomic counter, exact where times are not).
import type { Redis } from "ioredis";
import type { QueuedJob } from "../../src/ports/job-queue.js";

export interface RunEvent {
  id: string;
  name: string;
  attempt: number;
  pid: number;
  event: "start" | "end";
  at: number;
  /** On start: how many recorded jobs were running, this one included. */
  running?: number;
}

export interface RunData {
  workMs: number;
  /** Never ends in a process started with BARYON_TEST_HANG=1: it is there to be killed. */
  hang?: boolean;
}

const logKey = (prefix: string): string => `${prefix}:_test:log`;

export function recordingHandler(redis: Redis, prefix: string): (job: QueuedJob<RunData>) => Promise<void> {
  return async (job) => {
    const base = { id: job.id, name: job.name, attempt: job.attempt, pid: process.pid };
    const running = await redis.incr(`${prefix}:_test:running`);
    await redis.rpush(logKey(prefix), JSON.stringify({ ...base, event: "start", at: Date.now(), running }));
    if (job.data.hang && process.env.BARYON_TEST_HANG === "1") await new Promise(() => {});
    await new Promise((resolve) => setTimeout(resolve, job.data.workMs));
    const at = Date.now();
    await redis.decr(`${prefix}:_test:running`);
    await redis.rpush(logKey(prefix), JSON.stringify({ ...base, event: "end", at }));
  };
}

export async function readRunLog(redis: Redis, prefix: string): Promise<RunEvent[]> {
  return (await redis.lrange(logKey(prefix), 0, -1)).map((line) => JSON.parse(line) as RunEvent);
}
