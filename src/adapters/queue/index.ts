// The composition root's way in: BullMQ when Redis is configured, in-process otherwise.
import { createBullmqQueue } from "./bullmq.js";
import { createInProcessQueue } from "./in-process.js";
import type { JobQueue, QueueLogger } from "../../ports/job-queue.js";

export * from "../../ports/job-queue.js";
export { createBullmqQueue, type BullmqQueueOptions } from "./bullmq.js";
export { createInProcessQueue, type InProcessQueueOptions } from "./in-process.js";
export type { Retention } from "./job-options.js";

export interface QueueConfig {
  /** REDIS_URL: when set, jobs go through BullMQ on this Redis; when not, they run in this process. */
  redisUrl?: string;
  /** Redis key prefix (default "baryon"); ignored in-process. */
  prefix?: string;
  logger?: QueueLogger;
}

export function createQueue(config: QueueConfig): JobQueue {
  const { redisUrl, prefix, logger } = config;
  return redisUrl ? createBullmqQueue({ connection: redisUrl, prefix, logger }) : createInProcessQueue({ logger });
}
