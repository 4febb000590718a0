// The child's loop over a batch (runBatch), with stand-in renders: where it
// stops early, and what it leaves for the pool to send again.
import { describe, expect, it } from "vitest";
import { type Aftermath, MAX_REPLY_CHARS, runBatch } from "../../src/jinja/sandbox-batch.js";
import type { RenderResult } from "../../src/ports/renderer.js";

const ok = (output: string): RenderResult => ({ ok: true, output });
const SOURCES = ["s", "s", "s", "s"];

/** Runs items whose value says how each render ends; records renders and rebuilds in order. */
function run(items: Aftermath[], options: { sources?: (string | undefined)[]; budgetMs?: number; rebuildFails?: boolean; output?: string } = {}) {
  const log: string[] = [];
  const outcome = runBatch(
    items,
    options.sources ?? SOURCES,
    options.budgetMs ?? 60_000,
    (item) => {
      log.push(`render:${log.filter((l) => l.startsWith("render")).length}`);
      return [item === "keep" ? ok(options.output ?? "x") : { ok: false, error: { kind: "timeout", message: "t" } }, item];
    },
    () => {
      log.push("rebuild");
      if (options.rebuildFails) throw new Error("no");
    },
  );
  return { ...outcome, log };
}

describe("runBatch", () => {
  it("renders every item in order, rebuilding between renders after one that poisoned the runtime", () => {
    const { results, aftermath, log } = run(["keep", "rebuild", "keep", "rebuild"]);
    expect(results.map((r) => r.ok)).toEqual([true, false, true, false]);
    expect(log).toEqual(["render:0", "render:1", "rebuild", "render:2", "render:3"]);
    expect(aftermath).toBe("rebuild"); // the last rebuild happens after the reply
  });

  it("stops after a render that ends the engine, leaving the rest unstarted", () => {
    const { results, aftermath, log } = run(["keep", "exit", "keep", "keep"]);
    expect(results).toHaveLength(2);
    expect(aftermath).toBe("exit");
    expect(log).toEqual(["render:0", "render:1"]);
  });

  it("stops, and ends the child, when the runtime cannot be rebuilt", () => {
    const { results, aftermath } = run(["rebuild", "keep", "keep"], { rebuildFails: true });
    expect(results).toHaveLength(1);
    expect(aftermath).toBe("exit");
  });

  it("fails a render whose source the child does not hold, and ends the child", () => {
    const { results, aftermath } = run(["keep", "keep", "keep"], { sources: ["s", undefined, "s"] });
    expect(results).toEqual([ok("x"), { ok: false, error: { kind: "sandbox", message: "the render sandbox lost the template source" } }]);
    expect(aftermath).toBe("exit");
  });

  it("starts no render after the batch has used its time budget, but always the first", () => {
    expect(run(["keep", "keep", "keep"], { budgetMs: 0 }).results).toHaveLength(1);
  });

  it("starts no render after the outputs reach the reply budget", () => {
    expect(run(["keep", "keep", "keep"], { output: "y".repeat(MAX_REPLY_CHARS) }).results).toHaveLength(1);
  });
});
