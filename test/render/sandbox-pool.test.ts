// The pool around the sandbox processes: queueing, concurrency, processes that
// die or hang, start failures and close(). Uses the production guest.
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { createRenderPool } from "../../src/jinja/pool.js";
import type { RenderResult } from "../../src/ports/renderer.js";
import { expectFailure, forks, timed, trackedPools } from "./sandbox-helpers.js";

vi.mock("node:child_process", async (importOriginal) =>
  (await import("./sandbox-helpers.js")).spyOnFork(await importOriginal()),
);

const greet = (who: string) => ({ name: "greet.txt", source: "hello {{ who | upper }}", context: { who } });
const SLOW = { name: "slow.txt", source: "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}", context: {} };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const pool = trackedPools(createRenderPool);

/** Forks made by `fn`, so a test can reach the process serving its renders. */
async function forkedDuring(fn: () => Promise<unknown>): Promise<number> {
  const before = forks.children.length;
  await fn();
  return forks.children.length - before;
}

describe("render pool", () => {
  it("renders 50 requests across its processes, each with its own context", async () => {
    const renderer = pool({ size: 2 });
    let results: RenderResult[] = [];
    const forked = await forkedDuring(async () => {
      results = await Promise.all(Array.from({ length: 50 }, (_, i) => renderer.render(greet(`user${i}`))));
    });
    expect(results).toEqual(Array.from({ length: 50 }, (_, i) => ({ ok: true, output: `hello USER${i}` })));
    expect(forked).toBe(2);
  });

  it("answers in the order requests were made when one process serves them", async () => {
    const renderer = pool({ size: 1 });
    const order: number[] = [];
    await Promise.all(Array.from({ length: 10 }, (_, i) => renderer.render(greet(`${i}`)).then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("starts processes with no environment variables and no stdin", async () => {
    const renderer = pool({ size: 1 });
    await renderer.render(greet("env"));
    const child = forks.children.at(-1)!;
    expect(forks.options.at(-1)).toMatchObject({ env: {}, stdio: ["ignore", "ignore", "pipe", "ipc"] });
    const environ = `/proc/${child.pid}/environ`;
    if (existsSync(environ)) {
      // Node itself adds the IPC channel's variables; nothing else may be there.
      const names = readFileSync(environ, "utf8").split("\0").filter(Boolean).map((v) => v.split("=")[0]);
      expect(names.filter((name) => !name?.startsWith("NODE_CHANNEL_"))).toEqual([]);
    }
  });

  it("answers a render whose process is killed with a sandbox error, then recovers", async () => {
    const renderer = pool({ size: 1, deadlineMs: 5000 });
    await renderer.render(greet("warm"));
    const slow = renderer.render(SLOW);
    await sleep(200);
    forks.children.at(-1)!.kill("SIGKILL");
    expectFailure(await slow, "sandbox", /killed by SIGKILL/);
    expect(await renderer.render(greet("again"))).toEqual({ ok: true, output: "hello AGAIN" });
  });

  it("kills a process that stops answering, reports a timeout and recovers", async () => {
    const deadlineMs = 300;
    const renderer = pool({ size: 1, deadlineMs });
    await renderer.render(greet("warm"));
    const child = forks.children.at(-1)!;
    const [result, elapsed] = await timed(async () => {
      // Stopped before the render is sent, so it cannot answer first (it did once, under load):
      // the process can no longer enforce its own deadline.
      child.kill("SIGSTOP");
      return renderer.render(greet("frozen"));
    });
    expectFailure(result, "timeout", /300 ms deadline/);
    expect(elapsed).toBeGreaterThanOrEqual(deadlineMs + 1000 - 50);
    expect(elapsed).toBeLessThan(deadlineMs + 1000 + 1500);
    expect(await renderer.render(greet("again"))).toEqual({ ok: true, output: "hello AGAIN" });
  });

  it("fails a render clearly when its process cannot start, and starts a fresh one next time", async () => {
    const renderer = pool({ size: 1 });
    forks.guest = "/nonexistent/guest.js";
    expectFailure(await renderer.render(greet("x")), "sandbox", /could not start the render sandbox.*ENOENT/s);
    forks.guest = undefined;
    expect(await renderer.render(greet("y"))).toEqual({ ok: true, output: "hello Y" });
  });

  it("answers a whole burst waiting on a process that cannot start, starting no process per render", async () => {
    const renderer = pool({ size: 1 });
    forks.guest = "/nonexistent/guest.js";
    const before = forks.children.length;
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => renderer.render(greet(`n${i}`))));
    for (const result of results) expectFailure(result, "sandbox", /could not start the render sandbox.*ENOENT/s);
    expect(forks.children.length - before).toBe(1);
    forks.guest = undefined;
    expect(await renderer.render(greet("y"))).toEqual({ ok: true, output: "hello Y" });
  });

  it("on close(), answers pending renders, refuses new ones and ends its processes", async () => {
    const renderer = pool({ size: 1, deadlineMs: 5000 });
    await renderer.render(greet("warm"));
    const child = forks.children.at(-1)!;
    const inFlight = renderer.render(SLOW);
    const queued = renderer.render(greet("queued"));
    await sleep(50);
    await renderer.close();
    expectFailure(await inFlight, "sandbox", /closed/);
    expectFailure(await queued, "sandbox", /closed/);
    expectFailure(await renderer.render(greet("late")), "sandbox", /closed/);
    expect(child.exitCode !== null || child.signalCode !== null).toBe(true);
  });

  it("refuses options that cannot work", () => {
    expect(() => createRenderPool({ size: 0 })).toThrow(RangeError);
    expect(() => createRenderPool({ deadlineMs: -1 })).toThrow(RangeError);
    expect(() => createRenderPool({ memoryLimitBytes: 1024 })).toThrow(RangeError);
    expect(() => createRenderPool({ engine: "python" as never })).toThrow(/render engine must be one of quickjs, v8, got python/);
  });
});
