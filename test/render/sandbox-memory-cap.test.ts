// A render that runs the sandbox out of memory is named for the memory cap,
// wherever the memory ran out: in the template, while QuickJS builds the error,
// while the host copies the context in or the reply out. Never "a malformed
// reply", never a crash; the next render in the same pool works.
import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { pipelineContext } from "../../src/bundle/render/context.js";
import { createRenderPool } from "../../src/jinja/pool.js";
import type { RenderResult, Renderer } from "../../src/ports/renderer.js";
import { buildTestGuest, trackedPools, forks } from "./sandbox-helpers.js";

vi.mock("node:child_process", async (importOriginal) =>
  (await import("./sandbox-helpers.js")).spyOnFork(await importOriginal()),
);

const pool = trackedPools(createRenderPool);
const CAP = { ok: false, error: { kind: "memory", message: "render exceeded its 64 MB memory cap" } };
const DEADLINE_MS = 20_000;

function expectMemoryCap(result: RenderResult): void {
  expect(result.ok ? { ok: true, output: `${result.output.slice(0, 100)}…` } : result).toEqual(CAP);
}

async function expectNextRenderWorks(renderer: Renderer, source: string, output: string): Promise<void> {
  expect(await renderer.render({ name: "next.txt", source, context: { n: 3 } })).toEqual({ ok: true, output });
}

// JavaScript run by the reply guest: fills the QuickJS heap with 64 KiB blocks it keeps,
// then frees `spare` of them, so what follows has about spare × 64 KiB to work with.
const fillHeap = (spare: number) =>
  `globalThis.hold = []; try { for (;;) hold.push(new ArrayBuffer(65536)); } catch {} hold.length -= ${spare};`;

describe("the host's own copies in and out of the sandbox", () => {
  it("a reply too big to copy out of a full heap is the memory cap, not a malformed reply", async () => {
    forks.guest = await buildTestGuest("reply-guest");
    const renderer = pool({ size: 1, deadlineMs: DEADLINE_MS });
    // A 2 MB reply of non-Latin-1 text needs a 3 MB UTF-8 copy to leave QuickJS; 256 KiB are left.
    const reply = `const reply = "ok:" + "\u2014".repeat(1000000); reply.charCodeAt(0); ${fillHeap(4)} reply`;
    expectMemoryCap(await renderer.render({ name: "big.txt", source: reply, context: {} }));
    await expectNextRenderWorks(renderer, `"ok:" + "fine"`, "fine");
  });

  it("a context too big to copy into a full heap is the memory cap, and nothing is written outside it", async () => {
    forks.guest = await buildTestGuest("reply-guest");
    const renderer = pool({ size: 1, deadlineMs: DEADLINE_MS });
    // The heap stays full after this render: the guest keeps what it allocated.
    expect(await renderer.render({ name: "fill.js", source: `${fillHeap(4)} "ok:full"`, context: {} })).toEqual({ ok: true, output: "full" });
    // Copying 2 MB in used to write it at address 0 of the engine's memory when malloc failed.
    const context = { blob: "x".repeat(2 * 1024 * 1024) };
    expectMemoryCap(await renderer.render({ name: "ctx.js", source: `"ok:" + call.contextJson.length`, context }));
    await expectNextRenderWorks(renderer, `"ok:" + "fine"`, "fine");
  });

  it("an exception thrown from a heap with no room left is the memory cap, not a guest that threw", async () => {
    forks.guest = await buildTestGuest("reply-guest");
    const renderer = pool({ size: 1, deadlineMs: DEADLINE_MS });
    // Small blocks after the big ones take the last bytes: QuickJS cannot build the Error, and throws null.
    const source = `${fillHeap(0)} try { for (;;) hold.push([1]); } catch {} throw new Error("x")`;
    expectMemoryCap(await renderer.render({ name: "throw.js", source, context: {} }));
    await expectNextRenderWorks(renderer, `"ok:" + "fine"`, "fine");
  });
});

describe("templates that exhaust the heap", () => {
  it("a context too big to parse inside the cap is the memory cap, even when QuickJS cannot build the error", async () => {
    const renderer = pool({ size: 1, deadlineMs: DEADLINE_MS });
    // Hundreds of thousands of small objects: the heap fills with small blocks, and QuickJS throws null.
    const context = { items: Array.from({ length: 600_000 }, (_, i) => ({ n: i, s: "x" })) };
    expectMemoryCap(await renderer.render({ name: "t.txt", source: "{{ items | length }}", context }));
    await expectNextRenderWorks(renderer, "{% for i in range(n) %}{{ i }}{% endfor %}", "012");
  });

  describe("a pipeline of many instances rendered twice in one child", () => {
    const source = readFileSync(new URL("../../examples/templates/load-balanced-fargate-svc/v1/pipeline_infrastructure/cloudformation.yaml", import.meta.url), "utf8");
    const pipeline = (instances: number, service: string, tag: string) =>
      pipelineContext({
        service: { name: service, repositoryId: "acme/app", branchName: "main" },
        inputs: { unit_test_command: "make test", dockerfile: "Dockerfile" },
        instances: Array.from({ length: instances }, (_, i) => ({
          name: `svc-${String(i).padStart(5, "0")}`,
          inputs: { port: 80, desired_count: 1 + (i % 4), image: `public.ecr.aws/acme/app-${i % 50}:1.${tag}.0` },
          environment: { name: `env-${i % 20}`, accountId: "123456789012" },
        })),
      });

    it("10,000 instances render both times", async () => {
      const renderer = pool({ size: 1, deadlineMs: DEADLINE_MS });
      for (const tag of ["0", "1"]) {
        const result = await renderer.render({ name: "pipeline.yaml", source, context: pipeline(10_000, "checkout—eu", tag) });
        expect(result.ok ? result.output.split("Type: AWS::CodeBuild::Project").length - 1 : result.error).toBe(10_001);
      }
    });

    it("16,000 instances whose output is not Latin-1 exceed the cap both times, saying so", async () => {
      const renderer = pool({ size: 1, deadlineMs: DEADLINE_MS });
      for (const tag of ["0", "1"]) {
        expectMemoryCap(await renderer.render({ name: "pipeline.yaml", source, context: pipeline(16_000, "checkout—eu", tag) }));
      }
      await expectNextRenderWorks(renderer, "{% for i in range(n) %}{{ i }}{% endfor %}", "012");
    });
  });
});
