// The BullMQ adapter against the real Redis. Every test gets its own key prefix and deletes
// its keys, so runs never collide. Two real processes: bullmq-processes.test.ts.
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBullmqQueue, fromBullmqJobId, toBullmqJobId } from "../../src/adapters/queue/bullmq.js";
import { PermanentJobError } from "../../src/ports/job-queue.js";
import { describeJobQueue } from "./conformance.js";
import { recordingLogger, waitFor } from "./helpers.js";
import { connectRedis, deleteKeysUnder as deleteUnder, keysUnder as keysIn, REDIS_URL, uniquePrefix } from "./redis.js";

let redis: Redis;

beforeAll(async () => {
  redis = await connectRedis();
});

afterAll(async () => {
  await redis.quit();
});

const keysUnder = (prefix: string): Promise<string[]> => keysIn(redis, prefix);
const deleteKeysUnder = (prefix: string): Promise<void> => deleteUnder(redis, prefix);

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

  it("brings a repeat schedule back after its keys are flushed, within one interval", async () => {
    const prefix = uniquePrefix();
    const queue = createBullmqQueue({ connection: REDIS_URL, prefix, logger: recordingLogger(), idlePollMs: 10 });
    try {
      let runs = 0;
      queue.process("resync", async () => void runs++);
      await queue.repeat("resync", {}, { id: "resync", everyMs: 200 });
      await waitFor("the first scheduled run", () => runs >= 1);
      // What FLUSHALL does to this queue: every key gone, the schedule with them.
      await deleteKeysUnder(prefix);
      const after = runs;
      await waitFor("a scheduled run after the flush", () => runs > after + 1, 5000);
      expect(await redis.exists(`${prefix}:resync:repeat`)).toBe(1);
    } finally {
      await queue.close();
      await deleteKeysUnder(prefix);
    }
  });
});
