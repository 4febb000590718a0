// Serialization keys across real processes: this test's process and a child Node process
// (child-worker.ts, built here with esbuild) share one Redis prefix. Each handles one job
// name, so both are sure to run jobs of the shared key; the runs are recorded in Redis.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createBullmqQueue } from "../../src/adapters/queue/bullmq.js";
import type { JobOptions, JobQueue } from "../../src/ports/job-queue.js";
import { recordingLogger, waitFor, waitForAsync } from "./helpers.js";
import { connectRedis, deleteKeysUnder, REDIS_URL, uniquePrefix } from "./redis.js";
import { readRunLog, recordingHandler, type RunData, type RunEvent } from "./run-log.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
// Inside the repository, so that the child resolves bullmq and ioredis from node_modules.
const CHILD_DIR = join(ROOT, "node_modules/.cache/baryon-queue-test");
const CHILD = join(CHILD_DIR, `child-worker-${process.pid}.mjs`);
const KEY = "acme/vpc";

let redis: Redis;
let prefix: string;
const children: ChildProcess[] = [];
const queues: JobQueue[] = [];

beforeAll(async () => {
  redis = await connectRedis();
  mkdirSync(CHILD_DIR, { recursive: true });
  await build({
    entryPoints: [join(ROOT, "test/queue/child-worker.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    packages: "external",
    outfile: CHILD,
    logLevel: "error",
  });
});

afterAll(async () => {
  await redis.quit();
  rmSync(CHILD, { force: true });
});

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await Promise.all(queues.splice(0).map((queue) => queue.close()));
  await deleteKeysUnder(redis, prefix);
});

interface ChildOptions {
  process: string;
  lockMs?: number;
  hang?: boolean;
  add?: { name: string; data: RunData; options: JobOptions }[];
}

/** Starts the child and resolves once it has added its jobs and handles its job name. */
async function startChild(options: ChildOptions): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CHILD], {
    env: {
      ...process.env,
      REDIS_URL,
      BARYON_TEST_PREFIX: prefix,
      BARYON_TEST_PROCESS: options.process,
      BARYON_TEST_LOCK_MS: String(options.lockMs ?? 30_000),
      BARYON_TEST_HANG: options.hang ? "1" : "0",
      BARYON_TEST_ADD: JSON.stringify(options.add ?? []),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  await waitFor("the child worker to be ready", () => {
    if (child.exitCode !== null) throw new Error(`the child worker exited with ${child.exitCode}: ${stderr}`);
    return stdout.includes("ready\n");
  }, 10_000);
  return child;
}

function openQueue(lockMs?: number): JobQueue {
  const queue = createBullmqQueue({ connection: REDIS_URL, prefix, logger: recordingLogger(), idlePollMs: 10, ...(lockMs ? { lockMs } : {}) });
  queues.push(queue);
  return queue;
}

/** Starts paired with ends, by job and attempt, in start order; fails on a run that did not end. */
function runsOf(log: RunEvent[]): { id: string; pid: number; attempt: number; start: number; end: number; running: number }[] {
  const starts = log.filter((event) => event.event === "start");
  return starts
    .map((start) => {
      const end = log.find((event) => event.event === "end" && event.id === start.id && event.pid === start.pid && event.attempt === start.attempt);
      return { id: start.id, pid: start.pid, attempt: start.attempt, start: start.at, end: end?.at ?? Number.NaN, running: start.running ?? 0 };
    })
    .sort((a, b) => a.start - b.start);
}

function expectNoOverlap(runs: { start: number; end: number; running: number }[]): void {
  expect(runs.map((run) => run.running).filter((n) => n !== 1)).toEqual([]);
  for (let n = 1; n < runs.length; n++) expect(runs[n]!.start).toBeGreaterThanOrEqual(runs[n - 1]!.end);
}

describe("BullMQ serialization keys across two processes on one Redis", () => {
  it("never runs two jobs of one key at once, whichever process added or runs them", async () => {
    prefix = uniquePrefix();
    const job = (name: string, id: string) => ({ name, data: { workMs: 20 }, options: { id, serializationKey: KEY } });
    const childJobs = Array.from({ length: 6 }, (_, n) => job(n % 2 ? "left" : "right", `child-${n}`));
    const parentJobs = Array.from({ length: 6 }, (_, n) => job(n % 2 ? "right" : "left", `parent-${n}`));
    const queue = openQueue();
    queue.process<RunData>("right", recordingHandler(redis, prefix), { concurrency: 4 });
    // Both processes add while both already run jobs of the key.
    const child = startChild({ process: "left", add: childJobs });
    for (const { name, data, options } of parentJobs) await queue.add(name, data, options);
    await child;
    await queue.idle();

    const runs = runsOf(await readRunLog(redis, prefix));
    expect(runs.map((run) => run.id).sort()).toEqual([...childJobs, ...parentJobs].map((added) => added.options.id).sort());
    expect(new Set(runs.map((run) => run.pid)).size).toBe(2);
    expectNoOverlap(runs);
  });

  it("frees a key held by a killed process when its lock expires, and runs that job to completion elsewhere", async () => {
    prefix = uniquePrefix();
    const lockMs = 600;
    const queue = openQueue(lockMs);
    queue.process<RunData>("right", recordingHandler(redis, prefix));
    await queue.add("left", { workMs: 10, hang: true }, { id: "held", serializationKey: KEY });
    await queue.add("right", { workMs: 10 }, { id: "behind", serializationKey: KEY });
    const child = await startChild({ process: "left", lockMs, hang: true });
    await waitForAsync("the child to start the held job", async () => (await readRunLog(redis, prefix)).length > 0);
    const lock = `${prefix}:_serialization:lock:${KEY}`;
    const pttl = await redis.pttl(lock);
    child.kill("SIGKILL");
    const killedAt = Date.now();
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(lockMs);
    await redis.decr(`${prefix}:_test:running`); // the killed run never ends

    // Nobody handles "left" now but this process; it finds the job stalled and runs it.
    queue.process<RunData>("left", recordingHandler(redis, prefix));
    await queue.idle();
    expect(await redis.exists(lock)).toBe(0);
    const runs = runsOf(await readRunLog(redis, prefix));
    expect(runs.map((run) => [run.id, run.pid === child.pid ? "child" : "here", run.attempt])).toEqual([
      ["held", "child", 1],
      ["held", "here", 1],
      ["behind", "here", 1],
    ]);
    const [, heldAgain, behind] = runs as [unknown, (typeof runs)[number], (typeof runs)[number]];
    // The key was not taken before the dead process's lock ran out.
    expect(heldAgain.start).toBeGreaterThanOrEqual(killedAt + pttl - 20);
    expect(heldAgain.end).toBeGreaterThan(0);
    expectNoOverlap([heldAgain, behind]);
  });
});
