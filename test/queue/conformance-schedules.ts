// The JobQueue contract, part two: delayed jobs, repeat schedules and serialization keys.
// Called by describeJobQueue (conformance.ts) inside its describe, so it runs against every adapter.
import { expect, it } from "vitest";
import type { JobQueue, QueuedJob } from "../../src/ports/job-queue.js";
import { gate, sleep, waitFor } from "./helpers.js";

export interface ContractContext {
  /** A queue in this test's place, closed after the test. */
  open(): JobQueue;
  /** Whether queues opened in one place share their jobs (BullMQ on one prefix). */
  shared: boolean;
}

interface Run {
  id: string;
  name: string;
  attempt: number;
  start: number;
  end: number;
}

/** A handler that records each run and how many ran at once, taking `workMs`. */
function recorder(workMs: number): { runs: Run[]; most: () => number; handler: (job: QueuedJob<unknown>) => Promise<void> } {
  const runs: Run[] = [];
  let running = 0;
  let most = 0;
  return {
    runs,
    most: () => most,
    async handler(job) {
      const start = Date.now();
      most = Math.max(most, ++running);
      await sleep(workMs);
      running--;
      runs.push({ id: job.id, name: job.name, attempt: job.attempt, start, end: Date.now() });
    },
  };
}

/**
 * The gaps between the due times carried by repeat runs' ids (`<schedule id>@<due ms>`), in
 * intervals: 1 is the next slot; BullMQ may skip a slot it reached late, never add one.
 */
function slotGaps(runs: Run[], scheduleId: string, everyMs: number): number[] {
  const due = dueTimes(runs, scheduleId);
  return due.slice(1).map((at, n) => (at - (due[n] as number)) / everyMs);
}

/** The due times carried by repeat runs' ids, in order. */
function dueTimes(runs: Run[], scheduleId: string): number[] {
  return runs.map((run) => {
    expect(run.id).toMatch(new RegExp(`^${scheduleId}@\\d+$`));
    return Number(run.id.slice(scheduleId.length + 1));
  });
}

export function describeScheduleContract(context: () => ContractContext): void {
  it("runs a delayed job no sooner than its delay, and knows its id while it waits", async () => {
    const queue = context().open();
    const { runs, handler } = recorder(0);
    queue.process("review", handler);
    const added = Date.now();
    expect(await queue.add("review", {}, { id: "later", delayMs: 150 })).toBe(true);
    expect(await queue.add("review", {}, { id: "later", delayMs: 0 })).toBe(false);
    await queue.idle();
    expect(runs.map((run) => run.id)).toEqual(["later"]);
    // Timers may fire a millisecond early.
    expect((runs[0] as Run).start - added).toBeGreaterThanOrEqual(148);
  });

  it("runs a repeat schedule at once, then every interval", async () => {
    const queue = context().open();
    const { runs, handler } = recorder(0);
    queue.process("resync", handler);
    const asked = Date.now();
    await queue.repeat("resync", { all: true }, { id: "resync-all", everyMs: 80 });
    const answered = Date.now();
    await waitFor("three runs", () => runs.length >= 3);
    const [first] = dueTimes(runs, "resync-all") as [number];
    expect(first).toBeGreaterThanOrEqual(asked);
    expect(first).toBeLessThanOrEqual(answered);
    for (const gap of slotGaps(runs, "resync-all", 80)) expect(Number.isInteger(gap) && gap >= 1).toBe(true);
    expect(runs.every((run) => run.attempt === 1)).toBe(true);
  });

  it("replaces a schedule repeated with the same id, from any instance: the rate stays one run per interval", async () => {
    const { open, shared } = context();
    const queue = open();
    const { runs, handler } = recorder(0);
    queue.process("resync", handler);
    const again = shared ? open() : queue; // another process, or the same one after a restart
    await queue.repeat("resync", { n: 1 }, { id: "resync-all", everyMs: 80 });
    await again.repeat("resync", { n: 2 }, { id: "resync-all", everyMs: 80 });
    await queue.repeat("resync", { n: 3 }, { id: "resync-all", everyMs: 80 });
    await waitFor("four runs", () => runs.length >= 4);
    // One run per slot, each slot whole intervals after the last: no second schedule, no extra run.
    for (const gap of slotGaps(runs, "resync-all", 80)) expect(Number.isInteger(gap) && gap >= 1).toBe(true);
  });

  it("idle() waits for a due repeat run, not for the schedule", async () => {
    const queue = context().open();
    const { runs, handler } = recorder(20);
    queue.process("resync", handler);
    await queue.repeat("resync", {}, { id: "hourly", everyMs: 3_600_000 });
    await queue.idle();
    expect(runs).toHaveLength(1);
    const started = Date.now();
    await queue.idle();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(runs).toHaveLength(1);
  });

  it("never runs two jobs of one key at once, whatever their names, and starts them in the order added", async () => {
    const queue = context().open();
    const { runs, most, handler } = recorder(15);
    queue.process("publish", handler, { concurrency: 4 });
    queue.process("mirror", handler, { concurrency: 4 });
    const ids = Array.from({ length: 8 }, (_, n) => `step-${n}`);
    for (const [n, id] of ids.entries()) await queue.add(n % 2 ? "mirror" : "publish", {}, { id, serializationKey: "acme/vpc" });
    await queue.idle();
    expect(most()).toBe(1);
    const byStart = [...runs].sort((a, b) => a.start - b.start);
    expect(byStart.map((run) => run.id)).toEqual(ids);
    for (let n = 1; n < byStart.length; n++) expect((byStart[n] as Run).start).toBeGreaterThanOrEqual((byStart[n - 1] as Run).end);
  });

  it("runs jobs of different keys at the same time", async () => {
    const queue = context().open();
    const release = gate();
    const started = new Set<string>();
    queue.process(
      "publish",
      async (job) => {
        started.add(job.id);
        await release.promise;
      },
      { concurrency: 2 },
    );
    await queue.add("publish", {}, { id: "vpc", serializationKey: "acme/vpc" });
    await queue.add("publish", {}, { id: "fargate", serializationKey: "acme/fargate" });
    await waitFor("both jobs to start before either ends", () => started.size === 2);
    release.open();
    await queue.idle();
  });

  it("makes a job wait for a busy key without spending an attempt, behind a failing job that keeps its place", async () => {
    const queue = context().open();
    const seen: string[] = [];
    queue.process(
      "publish",
      async (job) => {
        seen.push(`${job.id}#${job.attempt}`);
        if (job.id === "first" && job.attempt === 1) throw new Error("flaky");
      },
      { concurrency: 2 },
    );
    await queue.add("publish", {}, { id: "first", backoffMs: 60, serializationKey: "acme/vpc" });
    // One attempt only: had waiting for the key cost it, this job would fail for good.
    await queue.add("publish", {}, { id: "second", attempts: 1, serializationKey: "acme/vpc" });
    await queue.idle();
    expect(seen).toEqual(["first#1", "first#2", "second#1"]);
  });

  it("lets a later job of a key run before an earlier one that is delayed past it", async () => {
    const queue = context().open();
    const { runs, handler } = recorder(0);
    queue.process("publish", handler, { concurrency: 2 });
    await queue.add("publish", {}, { id: "in-a-while", delayMs: 200, serializationKey: "acme/vpc" });
    await queue.add("publish", {}, { id: "now", serializationKey: "acme/vpc" });
    await queue.idle();
    expect(runs.map((run) => run.id)).toEqual(["now", "in-a-while"]);
  });

  it("refuses bad delays, keys and schedules", async () => {
    const queue = context().open();
    await expect(queue.add("review", {}, { id: "x", delayMs: -1 })).rejects.toThrow(RangeError);
    await expect(queue.add("review", {}, { id: "x", serializationKey: "" })).rejects.toThrow(TypeError);
    await expect(queue.repeat("review", {}, { id: "x", everyMs: 0 })).rejects.toThrow(RangeError);
    await expect(queue.repeat("review", {}, { id: "", everyMs: 1000 })).rejects.toThrow(TypeError);
    await expect(queue.repeat("bad:name", {}, { id: "x", everyMs: 1000 })).rejects.toThrow(TypeError);
  });
}
