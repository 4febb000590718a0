import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it, vi } from "vitest";
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

  it("keeps no timer that holds the process open, and clears every one on close", async () => {
    // The queue's timers are the long ones: a retry, a delayed job and a schedule's next run.
    const LONG = 600_000;
    const realSetTimeout = globalThis.setTimeout;
    const set: NodeJS.Timeout[] = [];
    const setSpy = vi.spyOn(globalThis, "setTimeout").mockImplementation(((fn: () => void, ms?: number) => {
      const timer = realSetTimeout(fn, ms);
      if (ms !== undefined && ms > LONG / 2) set.push(timer);
      return timer;
    }) as typeof setTimeout);
    const clearSpy = vi.spyOn(globalThis, "clearTimeout");
    const queue = createInProcessQueue({ logger: recordingLogger() });
    let runs = 0;
    try {
      queue.process("review", async () => {
        runs++;
        throw new Error("retry in ten minutes");
      });
      await queue.add("review", {}, { id: "slow-retry", backoffMs: LONG });
      await queue.add("review", {}, { id: "later", delayMs: LONG });
      await queue.repeat("resync", {}, { id: "every-ten-minutes", everyMs: LONG });
      await waitFor("the retry to be set", () => set.length === 3);
      expect(set.every((timer) => !timer.hasRef())).toBe(true);
      const started = Date.now();
      await queue.close();
      expect(Date.now() - started).toBeLessThan(100);
      const cleared = new Set(clearSpy.mock.calls.map(([timer]) => timer));
      expect(set.filter((timer) => !cleared.has(timer))).toEqual([]);
      expect(runs).toBe(1);
    } finally {
      setSpy.mockRestore();
      clearSpy.mockRestore();
    }
  });

  it("keeps the process alive while someone awaits idle(), until the delayed job it waits for has run", async () => {
    // A process whose only work is a delayed job, as `baryon publish` is while a rollout's tick waits
    // for its slot: without the hold, node exits under the await (code 13) and the job never runs.
    const queueModule = pathToFileURL(join(process.cwd(), "dist/adapters/queue/in-process.js")).href;
    const script = `import { createInProcessQueue } from ${JSON.stringify(queueModule)};
      const queue = createInProcessQueue();
      let ran = false;
      queue.process("later", async () => { ran = true; });
      await queue.add("later", {}, { id: "a", delayMs: 200 });
      await queue.idle();
      console.log("ran:", ran);
      await queue.close();`;
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 20_000 });
    expect({ status: child.status, stdout: child.stdout, stderr: child.stderr }).toEqual({ status: 0, stdout: "ran: true\n", stderr: "" });
  });
});
