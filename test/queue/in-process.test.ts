import { describe, expect, it } from "vitest";
import { createInProcessQueue } from "../../src/adapters/queue/in-process.js";
import { describeJobQueue } from "./conformance.js";
import { recordingLogger, waitFor } from "./helpers.js";

describeJobQueue("in-process", {
  shared: false,
  setup: async () => ({ open: (logger) => createInProcessQueue({ logger }), teardown: async () => {} }),
});

describe("in-process queue", () => {
  it("forgets the oldest finished ids beyond retention.maxCount", async () => {
    const queue = createInProcessQueue({ retention: { maxCount: 2 }, logger: recordingLogger() });
    queue.process("review", async () => {});
    for (const id of ["a", "b", "c"]) {
      await queue.add("review", {}, { id });
      await queue.idle();
    }
    expect(await queue.add("review", {}, { id: "b" })).toBe(false);
    expect(await queue.add("review", {}, { id: "a" })).toBe(true);
    await queue.close();
  });

  it("forgets finished ids older than retention.maxAgeMs, never waiting or running ones", async () => {
    let now = 1_000_000;
    const queue = createInProcessQueue({ retention: { maxAgeMs: 60_000 }, clock: () => now, logger: recordingLogger() });
    await queue.add("review", {}, { id: "unhandled" }); // no handler: waits for ever
    let ran = false;
    queue.process("other", async () => void (ran = true));
    await queue.add("other", {}, { id: "done" });
    await waitFor("the job to run", () => ran);
    await new Promise((resolve) => setImmediate(resolve));
    expect(await queue.add("other", {}, { id: "done" })).toBe(false);
    now += 61_000;
    expect(await queue.add("review", {}, { id: "unhandled" })).toBe(false);
    expect(await queue.add("other", {}, { id: "done" })).toBe(true);
    await queue.close();
  });

  it("leaves no timer behind when closed with a retry pending", async () => {
    const timers = (): number => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;
    const before = timers();
    const log = recordingLogger();
    const queue = createInProcessQueue({ logger: log });
    let runs = 0;
    queue.process("review", async () => {
      runs++;
      throw new Error("retry in ten minutes");
    });
    await queue.add("review", {}, { id: "slow-retry", backoffMs: 600_000 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(timers()).toBe(before + 1);
    const started = Date.now();
    await queue.close();
    expect(Date.now() - started).toBeLessThan(100);
    expect(timers()).toBe(before);
    expect(runs).toBe(1);
  });
});
