import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { createQueue } from "../../src/adapters/queue/index.js";
import { recordingLogger } from "./helpers.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

describe("createQueue", () => {
  it("runs jobs in-process when no Redis URL is configured", async () => {
    const queue = await createQueue({ logger: recordingLogger() });
    expect(queue.constructor.name).toBe("InProcessQueue");
    await queue.close();
  });

  it("uses BullMQ on Redis when a Redis URL is configured", async () => {
    const prefix = `baryon-test-${process.pid}-factory-${Date.now()}`;
    const queue = await createQueue({ redisUrl: REDIS_URL, prefix, logger: recordingLogger() });
    const redis = new Redis(REDIS_URL);
    try {
      expect(queue.constructor.name).toBe("BullmqQueue");
      queue.process("review", async () => {});
      await queue.add("review", {}, { id: "factory" });
      await queue.idle();
      expect(await redis.exists(`${prefix}:review:factory`)).toBe(1);
    } finally {
      await queue.close();
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.unlink(...keys);
      await redis.quit();
    }
  });
});
