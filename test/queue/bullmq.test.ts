// The BullMQ adapter against the real Redis (REDIS_URL, or 127.0.0.1:6379 as .ci/run starts it).
// Every test gets its own key prefix and deletes its keys, so runs never collide.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBullmqQueue, fromBullmqJobId, toBullmqJobId } from "../../src/adapters/queue/bullmq.js";
import { PermanentJobError } from "../../src/ports/job-queue.js";
import { describeJobQueue } from "./conformance.js";
import { recordingLogger } from "./helpers.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
let redis: Redis;

beforeAll(async () => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
  await redis.connect().catch((err: Error) => {
    throw new Error(`Redis is not reachable at ${REDIS_URL} (${err.message}); .ci/run shows how to start it`);
  });
});

afterAll(async () => {
  await redis.quit();
});

function uniquePrefix(): string {
  return `baryon-test-${process.pid}-${randomUUID().slice(0, 8)}`;
}

async function keysUnder(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== "0");
  return keys;
}

async function deleteKeysUnder(prefix: string): Promise<void> {
  const keys = await keysUnder(prefix);
  if (keys.length > 0) await redis.unlink(...keys);
}

describeJobQueue("BullMQ on Redis", {
  shared: true,
  async setup() {
    const prefix = uniquePrefix();
    return {
      open: (logger) => createBullmqQueue({ connection: REDIS_URL, prefix, logger, idlePollMs: 10 }),
      teardown: () => deleteKeysUnder(prefix),
    };
  },
});

describe("BullMQ queue", () => {
  it("maps every id to a distinct id BullMQ accepts, and back", () => {
    const ids = ["42", "-7", "0", "NaN", "a:b", "a%3Ab", "%", "%25", "review:acme/templates#1@abc", "plain"];
    const jobIds = ids.map(toBullmqJobId);
    expect(new Set(jobIds).size).toBe(ids.length);
    for (const jobId of jobIds) {
      expect(jobId).not.toContain(":");
      expect(`${parseInt(jobId, 10)}`).not.toBe(jobId);
    }
    expect(jobIds.map(fromBullmqJobId)).toEqual(ids);
    expect(toBullmqJobId("plain")).toBe("plain");
  });

  it("keeps a finished job in Redis, under its prefix, for the retention window", async () => {
    const prefix = uniquePrefix();
    const queue = createBullmqQueue({ connection: REDIS_URL, prefix, logger: recordingLogger(), retention: { maxAgeMs: 3_600_000, maxCount: 50 } });
    try {
      queue.process("review", async () => {});
      await queue.add("review", { pr: 1 }, { id: "kept" });
      await queue.idle();
      const job = await redis.hgetall(`${prefix}:review:kept`);
      expect(job.finishedOn).toBeDefined();
      expect(JSON.parse(job.opts ?? "{}")).toMatchObject({ removeOnComplete: { age: 3600, count: 50 }, removeOnFail: { age: 3600, count: 50 } });
      expect((await keysUnder(prefix)).every((key) => key.startsWith(`${prefix}:review:`))).toBe(true);
    } finally {
      await queue.close();
      await deleteKeysUnder(prefix);
    }
    expect(await keysUnder(prefix)).toEqual([]);
  });

  it("records a PermanentJobError as failed after one attempt", async () => {
    const prefix = uniquePrefix();
    const queue = createBullmqQueue({ connection: REDIS_URL, prefix, logger: recordingLogger() });
    try {
      queue.process("review", async () => {
        throw new PermanentJobError("no such repository");
      });
      await queue.add("review", {}, { id: "doomed", attempts: 3 });
      await queue.idle();
      const job = await redis.hgetall(`${prefix}:review:doomed`);
      expect(job).toMatchObject({ failedReason: "no such repository", atm: "1" });
      expect(await redis.zscore(`${prefix}:review:failed`, "doomed")).not.toBeNull();
    } finally {
      await queue.close();
      await deleteKeysUnder(prefix);
    }
  });
});
