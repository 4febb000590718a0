// Shared by the sandbox tests: test guests, a fork spy that can swap the guest
// a child loads, and the canary that must never come back from a render.
import type { ChildProcess, ForkOptions, fork as forkFn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterEach, expect } from "vitest";
import type { RenderPoolOptions } from "../../src/jinja/pool.js";
import type { RenderResult, Renderer } from "../../src/ports/renderer.js";

export const CANARY = "secret-xyz";

/** Children the pool forked with their fork options and the messages sent to each, and the guest to load instead of dist/sandbox/guest.js. */
export const forks: { guest?: string; children: ChildProcess[]; options: ForkOptions[]; sent: unknown[][] } = {
  children: [],
  options: [],
  sent: [],
};

/** The vi.mock factory for node:child_process (see the test files). */
export function spyOnFork(actual: typeof import("node:child_process")): typeof import("node:child_process") {
  const fork = ((modulePath: string, args: readonly string[], options: ForkOptions) => {
    const guest = forks.guest;
    // The V8 engine's child may read only its own script and the guest it was given.
    const execArgv = guest ? options.execArgv?.map((arg) => (arg === `--allow-fs-read=${args[0]}` ? `--allow-fs-read=${guest}` : arg)) : options.execArgv;
    const child = actual.fork(modulePath, guest ? [guest, ...args.slice(1)] : [...args], { ...options, execArgv });
    forks.children.push(child);
    forks.options.push(options);
    const sent: unknown[] = [];
    forks.sent.push(sent);
    const send = child.send.bind(child) as (...args: unknown[]) => boolean;
    child.send = ((...args: unknown[]) => {
      sent.push(args[0]);
      return send(...args);
    }) as ChildProcess["send"];
    return child;
  }) as typeof forkFn;
  return { ...actual, fork };
}

export type TestGuest = "eval-guest" | "locked-eval-guest" | "reply-guest";

/** Bundles a guest from test/render/fixtures the way scripts/build-sandbox.mjs bundles the real one. */
export async function buildTestGuest(name: TestGuest): Promise<string> {
  const outfile = join(mkdtempSync(join(tmpdir(), "baryon-guest-")), `${name}.js`);
  await build({
    entryPoints: [fileURLToPath(new URL(`./fixtures/${name}.ts`, import.meta.url))],
    outfile,
    bundle: true,
    format: "iife",
    platform: "neutral",
    mainFields: ["main"],
    target: "es2020",
    logLevel: "warning",
  });
  return outfile;
}

/** Runs `fn` and returns its result with the elapsed wall time in ms. */
export async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await fn();
  return [value, performance.now() - start];
}

export function expectNoCanary(result: RenderResult): void {
  expect(JSON.stringify(result)).not.toContain(CANARY);
}

export function expectFailure(result: RenderResult, kind: string, message?: RegExp): void {
  expect(result.ok ? { ok: true, output: result.output.slice(0, 200) } : result.error).toMatchObject({ kind });
  if (message && !result.ok) expect(result.error.message).toMatch(message);
}

/**
 * A pool factory whose pools are closed, and the test guest reset, after each test.
 * `createRenderPool` is passed in: this module is loaded by the node:child_process
 * mock, so it must not import the pool itself.
 */
export function trackedPools(createRenderPool: (options: RenderPoolOptions) => Renderer): (options: RenderPoolOptions) => Renderer {
  let pools: Renderer[] = [];
  afterEach(async () => {
    await Promise.all(pools.map((p) => p.close()));
    pools = [];
    forks.guest = undefined;
  });
  return (options) => {
    const created = createRenderPool(options);
    pools.push(created);
    return created;
  };
}
