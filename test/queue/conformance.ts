// The JobQueue contract, run against every adapter (bullmq.test.ts, in-process.test.ts).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PermanentJobError, QueueClosedError, type JobQueue, type QueuedJob, type QueueLogger } from "../../src/ports/job-queue.js";
import { describeScheduleContract } from "./conformance-schedules.js";
import { gate, recordingLogger, sleep, tally, waitFor } from "./helpers.js";

/** Where one test's queues live, apart from every other test's. */
export interface QueuePlace {
  open(logger: QueueLogger): JobQueue;
  teardown(): Promise<void>;
}

export interface QueueTarget {
  /** Queues opened in one place share their jobs, as BullMQ instances on one Redis prefix do. */
  shared: boolean;
  setup(): Promise<QueuePlace>;
}

const BACKOFF_MS = 20;

export function describeJobQueue(label: string, target: QueueTarget): void {
  describe(`JobQueue contract: ${label}`, () => {
    let place: QueuePlace;
    let opened: JobQueue[];
    let log: ReturnType<typeof recordingLogger>;
    const open = (): JobQueue => {
      const queue = place.open(log);
      opened.push(queue);
      return queue;
    };

    beforeEach(async () => {
      place = await target.setup();
      opened = [];
      log = recordingLogger();
    });

    afterEach(async () => {
      await Promise.all(opened.map((queue) => queue.close()));
      await place.teardown();
    });

    it("runs a job with its name, id, data and attempt 1", async () => {
      const queue = open();
      const seen: QueuedJob<unknown>[] = [];
      queue.process("review", async (job) => void seen.push(job));
      const data = { repo: "acme/templates", pr: 12, nested: { list: [1, "two", null, true] }, text: "ünï ✓" };
      expect(await queue.add("review", data, { id: "acme/templates#12@1a2b3c" })).toBe(true);
      await queue.idle();
      expect(seen).toEqual([{ id: "acme/templates#12@1a2b3c", name: "review", data, attempt: 1 }]);
      expect(log.entries).toEqual([]);
    });

    it("gives back any id exactly, even ones Redis keys or BullMQ treat specially", async () => {
      const queue = open();
      const ids = ["42", "-7", "NaN", "a:b:c", "100%", "%3A", "spaces and ünïcode", "x".repeat(300)];
      const seen: string[] = [];
      queue.process("review", async (job) => void seen.push(job.id));
      for (const id of ids) expect(await queue.add("review", {}, { id })).toBe(true);
      await queue.idle();
      expect(seen.sort()).toEqual([...ids].sort());
    });

    it("adds an id once: while it waits, and after it finished", async () => {
      const queue = open();
      expect(await queue.add("review", { n: 1 }, { id: "same" })).toBe(true);
      expect(await queue.add("review", { n: 2 }, { id: "same" })).toBe(false);
      const seen: unknown[] = [];
      queue.process("review", async (job) => void seen.push(job.data));
      await queue.idle();
      expect(await queue.add("review", { n: 3 }, { id: "same" })).toBe(false);
      await queue.idle();
      expect(seen).toEqual([{ n: 1 }]);
    });

    it("adds an id once when the adds race: exactly one add() says true", async () => {
      const queue = open();
      let runs = 0;
      queue.process("review", async () => void runs++);
      const added = await Promise.all(Array.from({ length: 20 }, (_, n) => queue.add("review", { n }, { id: "raced" })));
      expect(added.filter(Boolean)).toHaveLength(1);
      await queue.idle();
      expect(runs).toBe(1);
    });

    it("scopes ids to the job name", async () => {
      const queue = open();
      const seen: string[] = [];
      queue.process("alpha", async (job) => void seen.push(job.name));
      queue.process("beta", async (job) => void seen.push(job.name));
      expect(await queue.add("alpha", {}, { id: "shared-id" })).toBe(true);
      expect(await queue.add("beta", {}, { id: "shared-id" })).toBe(true);
      await queue.idle();
      expect(seen.sort()).toEqual(["alpha", "beta"]);
    });

    it("retries a failing job with doubling backoff, counting attempts up", async () => {
      const queue = open();
      const runs: { attempt: number; at: number }[] = [];
      queue.process("review", async (job) => {
        runs.push({ attempt: job.attempt, at: Date.now() });
        if (job.attempt < 3) throw new Error(`flaky ${job.attempt}`);
      });
      await queue.add("review", {}, { id: "flaky", attempts: 3, backoffMs: BACKOFF_MS });
      await queue.idle();
      expect(runs.map((r) => r.attempt)).toEqual([1, 2, 3]);
      const [first, second, third] = runs.map((r) => r.at) as [number, number, number];
      // Timers may fire a millisecond early; the doubling is what matters.
      expect(second - first).toBeGreaterThanOrEqual(BACKOFF_MS - 2);
      expect(third - second).toBeGreaterThanOrEqual(2 * BACKOFF_MS - 2);
      expect(log.entries.map((e) => e.level)).toEqual(["warn", "warn"]);
      expect(log.entries[0]?.message).toContain("flaky 1");
    });

    it("fails a job for good after its last attempt, logs it, and still knows its id", async () => {
      const queue = open();
      let runs = 0;
      queue.process("review", async () => {
        runs++;
        throw new Error("always broken");
      });
      await queue.add("review", {}, { id: "broken", attempts: 2, backoffMs: BACKOFF_MS });
      await queue.idle();
      expect(runs).toBe(2);
      expect(log.entries.map((e) => e.level)).toEqual(["warn", "error"]);
      expect(log.entries[1]?.message).toMatch(/review broken failed for good after 2 attempt\(s\): always broken/);
      expect(await queue.add("review", {}, { id: "broken" })).toBe(false);
    });

    it("does not retry a PermanentJobError", async () => {
      const queue = open();
      let runs = 0;
      queue.process("review", async () => {
        runs++;
        throw new PermanentJobError("the template repository is gone");
      });
      await queue.add("review", {}, { id: "hopeless", attempts: 5, backoffMs: BACKOFF_MS });
      await queue.idle();
      expect(runs).toBe(1);
      expect(log.entries).toHaveLength(1);
      expect(log.entries[0]).toMatchObject({ level: "error", message: expect.stringContaining("failed permanently") });
    });

    it("runs at most `concurrency` jobs of a name at once", async () => {
      const queue = open();
      let running = 0;
      let most = 0;
      queue.process(
        "review",
        async () => {
          most = Math.max(most, ++running);
          await sleep(50);
          running--;
        },
        { concurrency: 2 },
      );
      for (let n = 0; n < 8; n++) await queue.add("review", { n }, { id: `job-${n}` });
      await queue.idle();
      expect(most).toBe(2);
    });

    it("idle() waits for a retry that is still delayed", async () => {
      const queue = open();
      let done = false;
      queue.process("review", async (job) => {
        if (job.attempt === 1) throw new Error("first try fails");
        done = true;
      });
      await queue.add("review", {}, { id: "later", backoffMs: 3 * BACKOFF_MS });
      await waitFor("the first attempt", () => log.entries.length === 1);
      await queue.idle();
      expect(done).toBe(true);
    });

    it("idle() resolves at once when nothing is queued", async () => {
      await open().idle();
    });

    it("runs a job that was added before its handler", async () => {
      const queue = open();
      await queue.add("review", { early: true }, { id: "early" });
      await sleep(30);
      const seen: unknown[] = [];
      queue.process("review", async (job) => void seen.push(job.data));
      await queue.idle();
      expect(seen).toEqual([{ early: true }]);
    });

    it("close() lets a running job finish, then refuses work", async () => {
      const queue = open();
      const release = gate();
      let started = false;
      let finished = false;
      queue.process("review", async () => {
        started = true;
        await release.promise;
        finished = true;
      });
      await queue.add("review", {}, { id: "slow" });
      await waitFor("the job to start", () => started);
      let closed = false;
      const closing = queue.close().then(() => (closed = true));
      await sleep(30);
      expect(closed).toBe(false);
      release.open();
      await closing;
      expect(finished).toBe(true);
      await expect(queue.add("review", {}, { id: "too-late" })).rejects.toBeInstanceOf(QueueClosedError);
      expect(() => queue.process("other", async () => {})).toThrow(QueueClosedError);
      await queue.idle();
    });

    it("refuses a second handler for a name, bad names, bad options and data JSON cannot carry", async () => {
      const queue = open();
      queue.process("review", async () => {});
      expect(() => queue.process("review", async () => {})).toThrow(/already have a handler/);
      expect(() => queue.process("other", async () => {}, { concurrency: 0 })).toThrow(RangeError);
      await expect(queue.add("bad:name", {}, { id: "x" })).rejects.toThrow(TypeError);
      await expect(queue.add("review", {}, { id: "" })).rejects.toThrow(TypeError);
      await expect(queue.add("review", {}, { id: "x", attempts: 0 })).rejects.toThrow(RangeError);
      await expect(queue.add("review", undefined, { id: "x" })).rejects.toThrow(/JSON-serialisable/);
      await expect(queue.add("review", { big: 1n }, { id: "x" })).rejects.toThrow(TypeError);
    });

    describe("delays, schedules and serialization keys", () => describeScheduleContract(() => ({ open, shared: target.shared })));

    if (target.shared) describe("instances sharing one store", () => {
      it("never run the same job twice, however the adds and the workers race", async () => {
        const [a, b] = [open(), open()];
        const runs: string[] = [];
        const handler = async (job: QueuedJob<unknown>): Promise<void> => {
          runs.push(job.id);
          await sleep(Math.random() * 10);
        };
        a.process("review", handler, { concurrency: 3 });
        b.process("review", handler, { concurrency: 3 });
        const ids = Array.from({ length: 30 }, (_, n) => `pr-${n}`);
        const added = await Promise.all(ids.flatMap((id) => [a.add("review", {}, { id }), b.add("review", {}, { id })]));
        expect(added.filter(Boolean)).toHaveLength(ids.length);
        await Promise.all([a.idle(), b.idle()]);
        expect(runs).toHaveLength(ids.length);
        expect([...tally(runs).values()].every((n) => n === 1)).toBe(true);
      });

      it("keep a job added by one instance for another that starts later", async () => {
        const first = open();
        await first.add("review", { kept: true }, { id: "survivor" });
        await first.close();
        const second = open();
        const seen: unknown[] = [];
        second.process("review", async (job) => void seen.push(job.data));
        await second.idle();
        expect(seen).toEqual([{ kept: true }]);
      });

      it("stop giving jobs to an instance once it is closed", async () => {
        const [closedOne, live] = [open(), open()];
        let taken = 0;
        closedOne.process("review", async () => void taken++);
        await closedOne.close();
        const seen: string[] = [];
        live.process("review", async (job) => void seen.push(job.id));
        await live.add("review", {}, { id: "after-close" });
        await live.idle();
        expect(seen).toEqual(["after-close"]);
        expect(taken).toBe(0);
      });
    });
  });
}
