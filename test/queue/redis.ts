// The real Redis the BullMQ tests use (REDIS_URL, or 127.0.0.1:6379 as .ci/run starts it),
// and unique key prefixes that each test deletes, so runs never collide.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

export async function connectRedis(): Promise<Redis> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
  await redis.connect().catch((err: Error) => {
    throw new Error(`Redis is not reachable at ${REDIS_URL} (${err.message}); .ci/run shows how to start it`);
  });
  return redis;
}

export function uniquePrefix(): string {
  return `baryon-test-${process.pid}-${randomUUID().slice(0, 8)}`;
}

export async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== "0");
  return keys;
}

export async function deleteKeysUnder(redis: Redis, prefix: string): Promise<void> {
  const keys = await keysUnder(redis, prefix);
  if (keys.length > 0) await redis.unlink(...keys);
}
