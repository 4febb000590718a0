// The pool sends each template source to a child once and names it by key
// afterwards (RenderRequestMessage): what is sent, what a restarted child gets,
// eviction staying in step on both sides, and the guest's reply still checked.
import { describe, expect, it, vi } from "vitest";
import { createRenderPool } from "../../src/jinja/pool.js";
import { SOURCE_CACHE_ENTRIES, SourceCache, type RenderRequestMessage } from "../../src/jinja/sandbox-protocol.js";
import { GUEST_NEED_SOURCE, GUEST_OK_PREFIX } from "../../src/jinja/guest-contract.js";
import { buildTestGuest, expectFailure, forks, trackedPools } from "./sandbox-helpers.js";

vi.mock("node:child_process", async (importOriginal) =>
  (await import("./sandbox-helpers.js")).spyOnFork(await importOriginal()),
);

const pool = trackedPools(createRenderPool);

/** The render requests sent to the most recent child since `from`. */
function requests(from = 0): RenderRequestMessage[] {
  return (forks.sent.at(-1) ?? []).slice(from) as RenderRequestMessage[];
}

const template = (i: number) => ({ name: `t${i}.txt`, source: `template {{ n }} #${i}`, context: { n: i } });

describe("template sources over IPC", () => {
  it("sends a source to a child once, then only its key", async () => {
    const renderer = pool({ size: 1 });
    for (let i = 0; i < 3; i++) expect(await renderer.render(template(1))).toEqual({ ok: true, output: "template 1 #1" });
    expect(await renderer.render(template(2))).toEqual({ ok: true, output: "template 2 #2" });
    expect(await renderer.render(template(1))).toEqual({ ok: true, output: "template 1 #1" });
    const sent = requests();
    expect(sent.map((m) => m.source)).toEqual([template(1).source, null, null, template(2).source, null]);
    expect(sent.map((m) => m.key)).toEqual([sent[0]!.key, sent[0]!.key, sent[0]!.key, sent[3]!.key, sent[0]!.key]);
    expect(sent[3]!.key).not.toBe(sent[0]!.key);
  });

  it("keys a source by its text, not by the request object or its name", async () => {
    const renderer = pool({ size: 1 });
    await renderer.render({ name: "a.txt", source: "same {{ n }}", context: { n: 1 } });
    expect(await renderer.render({ name: "b.txt", source: ["same", "{{ n }}"].join(" "), context: { n: 2 } })).toEqual({
      ok: true,
      output: "same 2",
    });
    expect(requests().map((m) => m.source)).toEqual(["same {{ n }}", null]);
  });

  it("sends the source again to a child that replaced a killed one", async () => {
    const renderer = pool({ size: 1 });
    await renderer.render(template(1));
    const first = forks.children.at(-1)!;
    const closed = new Promise((resolve) => first.once("close", resolve));
    first.kill("SIGKILL");
    await closed;
    expect(await renderer.render(template(1))).toEqual({ ok: true, output: "template 1 #1" });
    expect(forks.children.at(-1)).not.toBe(first);
    expect(requests().map((m) => m.source)).toEqual([template(1).source]);
  });

  it("gives the guest the source again after a timeout rebuilt it, though the child still holds it", async () => {
    const renderer = pool({ size: 1, deadlineMs: 300 });
    await renderer.render(template(1));
    const slow = { name: "slow.txt", source: "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}", context: {} };
    expectFailure(await renderer.render(slow), "timeout");
    // Key only over IPC; the fresh guest asks the child for the source.
    expect(await renderer.render(template(1))).toEqual({ ok: true, output: "template 1 #1" });
    expect(requests().at(-1)!.source).toBeNull();
    expect(forks.sent.length).toBe(forks.children.length);
  });

  it("evicts the same sources on both sides, so an evicted one is sent again and the rest are not", async () => {
    const renderer = pool({ size: 1 });
    const count = SOURCE_CACHE_ENTRIES + 5;
    const forked = forks.children.length;
    for (let i = 0; i < count; i++) expect(await renderer.render(template(i))).toEqual({ ok: true, output: `template ${i} #${i}` });
    const from = requests().length;
    expect(await renderer.render(template(0))).toEqual({ ok: true, output: "template 0 #0" }); // evicted: sent again
    expect(await renderer.render(template(count - 1))).toEqual({ ok: true, output: `template ${count - 1} #${count - 1}` });
    // Templates 5..68 were held; template 0's return evicted the oldest of them.
    expect(await renderer.render(template(6))).toEqual({ ok: true, output: "template 6 #6" }); // still held
    expect(await renderer.render(template(5))).toEqual({ ok: true, output: "template 5 #5" }); // evicted: sent again
    expect(requests(from).map((m) => m.source)).toEqual([template(0).source, null, null, template(5).source]);
    expect(forks.children.length).toBe(forked + 1); // never disagreed, never replaced
  });

  it("replaces a child asked to render a key it does not hold, without rendering anything", async () => {
    const renderer = pool({ size: 1 });
    await renderer.render(template(1));
    const child = forks.children.at(-1)!;
    const closed = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.send({ type: "render", id: -1, name: "x", key: 987654, source: null, contextJson: "{}" });
    expect(await closed).toBe(1);
    expect(await renderer.render(template(1))).toEqual({ ok: true, output: "template 1 #1" });
    expect(forks.children.at(-1)).not.toBe(child);
  });

  it("passes a NUL in the output through intact", async () => {
    const renderer = pool({ size: 1 });
    expect(await renderer.render({ name: "nul.txt", source: "[{{ s }}]", context: { s: "a\u0000b" } })).toEqual({ ok: true, output: "[a\u0000b]" });
  });
});

describe("replies of a guest that template code has taken over", () => {
  it("gives the guest the source only when it does not hold it", async () => {
    forks.guest = await buildTestGuest("reply-guest");
    const renderer = pool({ size: 1 });
    const probe = { name: "probe.js", source: `"${GUEST_OK_PREFIX}" + (call.source === null ? "key" : "source")`, context: {} };
    expect(await renderer.render(probe)).toEqual({ ok: true, output: "source" });
    expect(await renderer.render(probe)).toEqual({ ok: true, output: "key" });
  });

  it.each([
    ["a number", "42"],
    ["no prefix and no JSON", `"hello"`],
    ["a prefix in the wrong case", `"OK:x"`],
    ["JSON without output", `'{"ok":true}'`],
    ["an unknown error kind", `'{"ok":false,"error":{"kind":"evil","message":"x"}}'`],
    ["a request for the source it was just given", JSON.stringify(GUEST_NEED_SOURCE)],
  ])("rejects %s", async (_what, reply) => {
    forks.guest = await buildTestGuest("reply-guest");
    const renderer = pool({ size: 1 });
    // Twice: with the source, then (in the rebuilt guest) by key, asked for again.
    for (let i = 0; i < 2; i++) {
      expectFailure(await renderer.render({ name: "evil.js", source: reply, context: {} }), "sandbox", /malformed reply/);
    }
    expect(await renderer.render({ name: "ok.js", source: `"${GUEST_OK_PREFIX}fine"`, context: {} })).toEqual({ ok: true, output: "fine" });
  });

  it("keeps only the known fields of a JSON reply", async () => {
    forks.guest = await buildTestGuest("reply-guest");
    const renderer = pool({ size: 1 });
    const reply = `'{"ok":false,"error":{"kind":"syntax","message":"m","line":2,"column":-1,"stack":"x"},"extra":1}'`;
    expect(await renderer.render({ name: "e.js", source: reply, context: {} })).toEqual({
      ok: false,
      error: { kind: "syntax", message: "m", line: 2 },
    });
  });
});

describe("SourceCache", () => {
  it("evicts oldest first by count and by size, never the newest, and the same way every time", () => {
    const run = () => {
      const cache = new SourceCache<number, string>(3, 10);
      const evicted: number[][] = [];
      for (const [key, size] of [[1, 2], [2, 2], [3, 2], [4, 2], [5, 8], [6, 20], [7, 1]] as const) {
        cache.add(key, `v${key}`, size);
        evicted.push(cache.keys());
      }
      return evicted;
    };
    expect(run()).toEqual([[1], [1, 2], [1, 2, 3], [2, 3, 4], [4, 5], [6], [7]]);
    expect(run()).toEqual(run());
  });
});
