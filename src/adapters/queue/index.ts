// The composition root's way in: BullMQ when Redis is configured, in-process otherwise.
import { createInProcessQueue } from "./in-process.js";
import type { JobQueue, QueueLogger } from "../../ports/job-queue.js";

export * from "../../ports/job-queue.js";
export type { BullmqQueueOptions } from "./bullmq.js";
export { createInProcessQueue, type InProcessQueueOptions } from "./in-process.js";
export type { Retention } from "./job-options.js";

export interface QueueConfig {
  /** REDIS_URL: when set, jobs go through BullMQ on this Redis; when not, they run in this process. */
  redisUrl?: string;
  /** Redis key prefix (default "baryon"); ignored in-process. */
  prefix?: string;
  /** How long a dead process's jobs stay locked before another takes them (BullMQ only; default 30 s). */
  lockMs?: number;
  logger?: QueueLogger;
}

/** BullMQ (and Redis' client) are loaded only when Redis is configured. */
export async function createQueue(config: QueueConfig): Promise<JobQueue> {
  const { redisUrl, prefix, logger, lockMs } = config;
  if (!redisUrl) return createInProcessQueue({ logger });
  const { createBullmqQueue } = await import("./bullmq.js");
  return createBullmqQueue({ connection: redisUrl, prefix, logger, ...(lockMs ? { lockMs } : {}) });
}
