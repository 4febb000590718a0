// Renders fired together reach a child together: one message for many renders,
// one reply with all their answers (sandbox-batch.ts). Each render still has its
// own deadline and memory cap: one that runs away or runs out of memory fails
// alone, and the renders around it in the same batch are answered correctly.
import { describe, expect, it, vi } from "vitest";
import { createRenderPool } from "../../src/jinja/pool.js";
import type { RenderBatchMessage, RenderRequestMessage } from "../../src/jinja/sandbox-protocol.js";
import type { RenderResult } from "../../src/ports/renderer.js";
import { expectFailure, forks, trackedPools } from "./sandbox-helpers.js";

vi.mock("node:child_process", async (importOriginal) =>
  (await import("./sandbox-helpers.js")).spyOnFork(await importOriginal()),
);

type Sent = RenderRequestMessage | RenderBatchMessage;

const pool = trackedPools(createRenderPool);
const greet = (who: string) => ({ name: "greet.txt", source: "hello {{ who | upper }}", context: { who } });
const numbered = (i: number) => ({ name: `t${i % 3}.txt`, source: `template {{ n }} #${i % 3}`, context: { n: i } });
const RUNAWAY = { name: "slow.txt", source: "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}", context: {} };
const BOMB = {
  name: "bomb.txt",
  source: "{% set ns = namespace(s='xxxxxxxxxxxxxxxx') %}{% for i in range(24) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}",
  context: {},
};

/** Messages sent to the most recent child from index `from` on. */
const sentSince = (from: number): Sent[] => (forks.sent.at(-1) ?? []).slice(from) as Sent[];
/** How many renders a message carries. */
const rendersIn = (message: Sent): number => (message.type === "batch" ? message.renders.length : 1);

/** Renders `requests` at once on a warm single-child pool; returns the answers and the messages they took. */
async function renderTogether(
  requests: { name: string; source: string; context: unknown }[],
  deadlineMs = 2000,
): Promise<{ results: RenderResult[]; messages: Sent[]; replaced: boolean }> {
  const renderer = pool({ size: 1, deadlineMs });
  expect(await renderer.render(greet("warm"))).toEqual({ ok: true, output: "hello WARM" });
  const child = forks.children.at(-1)!;
  const from = forks.sent.at(-1)!.length;
  const results = await Promise.all(requests.map((request) => renderer.render(request)));
  return { results, messages: sentSince(from), replaced: forks.children.at(-1) !== child };
}

describe("batched renders", () => {
  it("sends many concurrent renders to a child in fewer messages than renders, each answered with its own output", async () => {
    const { results, messages } = await renderTogether(Array.from({ length: 40 }, (_, i) => numbered(i)));
    expect(results).toEqual(Array.from({ length: 40 }, (_, i) => ({ ok: true, output: `template ${i} #${i % 3}` })));
    expect(messages.map(rendersIn).reduce((a, b) => a + b, 0)).toBe(40);
    expect(messages.length).toBeLessThan(40);
    expect(messages).toHaveLength(1);
    // Each source crosses once, with the first render that needs it; the rest of the batch names it by key.
    const batch = messages[0] as RenderBatchMessage;
    expect(batch.type).toBe("batch");
    expect(batch.renders.filter((r) => r.source !== null).map((r) => r.source)).toEqual([0, 1, 2].map((i) => numbered(i).source));
    expect(batch.renders.slice(0, 3).every((r) => r.source !== null)).toBe(true);
  });

  it("shares a burst out between idle children, in batches of at most 64 renders", async () => {
    const renderer = pool({ size: 2 });
    await Promise.all([renderer.render(greet("a")), renderer.render(greet("b"))]); // both children started
    const children = forks.sent.slice(-2);
    const before = children.map((sent) => sent.length);
    const results = await Promise.all(Array.from({ length: 300 }, (_, i) => renderer.render(numbered(i))));
    expect(results).toEqual(Array.from({ length: 300 }, (_, i) => ({ ok: true, output: `template ${i} #${i % 3}` })));
    const messages = children.flatMap((sent, c) => sent.slice(before[c]) as Sent[]);
    expect(messages.map(rendersIn).reduce((a, b) => a + b, 0)).toBe(300);
    expect(Math.max(...messages.map(rendersIn))).toBeLessThanOrEqual(64);
    expect(messages.length).toBeLessThan(300 / 4);
  });

  it("fails a runaway in the middle of a batch alone, and answers its neighbours from the same batch", async () => {
    const { results, messages, replaced } = await renderTogether([greet("a"), greet("b"), RUNAWAY, greet("c"), greet("d")], 400);
    // One batch; the runaway used up the batch's time (one deadline), so the child left the last
    // two unstarted and the pool sent them again, to the same child.
    expect(messages.map(rendersIn)).toEqual([5, 2]);
    expect(results[0]).toEqual({ ok: true, output: "hello A" });
    expect(results[1]).toEqual({ ok: true, output: "hello B" });
    expectFailure(results[2]!, "timeout", /^render exceeded its 400 ms deadline$/);
    expect(results[3]).toEqual({ ok: true, output: "hello C" });
    expect(results[4]).toEqual({ ok: true, output: "hello D" });
    expect(replaced).toBe(false); // the runtime was rebuilt inside the child, not the child replaced
  });

  it("names an out-of-memory render in a batch for the memory cap, and answers its neighbours", async () => {
    const { results, messages, replaced } = await renderTogether([greet("a"), BOMB, greet("b"), BOMB, greet("c")], 20_000);
    expect(messages.map(rendersIn)).toEqual([5]);
    const cap = { ok: false, error: { kind: "memory", message: "render exceeded its 64 MB memory cap" } };
    expect(results).toEqual([{ ok: true, output: "hello A" }, cap, { ok: true, output: "hello B" }, cap, { ok: true, output: "hello C" }]);
    expect(replaced).toBe(false);
  });

  it("sends each render of a batch whose child died again alone, so only the render to blame fails", async () => {
    const renderer = pool({ size: 1, deadlineMs: 1500 });
    await renderer.render(greet("warm"));
    const first = forks.children.at(-1)!;
    const pending = Promise.all([greet("a"), RUNAWAY, greet("b")].map((request) => renderer.render(request)));
    await new Promise((resolve) => setTimeout(resolve, 300));
    first.kill("SIGKILL");
    const [a, runaway, b] = await pending;
    expect(a).toEqual({ ok: true, output: "hello A" });
    expectFailure(runaway!, "timeout", /1500 ms deadline/);
    expect(b).toEqual({ ok: true, output: "hello B" });
    expect(forks.sent.at(-2)!.slice(-1).map((m) => rendersIn(m as Sent))).toEqual([3]);
    expect(forks.sent.at(-1)!.map((m) => rendersIn(m as Sent))).toEqual([1, 1, 1]);
  });

  it("answers in request order, then serves the next burst on the same child", async () => {
    const renderer = pool({ size: 1 });
    const order: number[] = [];
    await Promise.all(Array.from({ length: 20 }, (_, i) => renderer.render(greet(`${i}`)).then(() => order.push(i))));
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(await Promise.all([renderer.render(greet("x")), renderer.render(greet("y"))])).toEqual([
      { ok: true, output: "hello X" },
      { ok: true, output: "hello Y" },
    ]);
  });
});
