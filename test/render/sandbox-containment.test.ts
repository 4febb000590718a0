// What the sandbox host guarantees on its own, with a guest that runs each
// request as raw JavaScript (a template engine an attacker fully controls).
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createRenderPool } from "../../src/jinja/pool.js";
import type { Renderer } from "../../src/ports/renderer.js";
import { CANARY, buildTestGuest, expectFailure, expectNoCanary, forks, timed } from "./sandbox-helpers.js";

vi.mock("node:child_process", async (importOriginal) =>
  (await import("./sandbox-helpers.js")).spyOnFork(await importOriginal()),
);

process.env.BARYON_CANARY = CANARY;

const DEADLINE_MS = 400;
/** The pool's backstop answers by deadline + 1 s at the latest; the rest is slack for a loaded machine. */
const BOUND_MS = DEADLINE_MS + 1000 + 500;
const js = (source: string) => ({ name: "attack.js", source, context: { spec: { name: "svc" } } });

/** The intrinsics of an ECMAScript realm, plus QuickJS's InternalError and the guest's own global. */
const STANDARD_GLOBALS = new Set(
  (
    "Error EvalError RangeError ReferenceError SyntaxError TypeError URIError InternalError AggregateError " +
    "Array Object Function Iterator parseInt parseFloat isNaN isFinite decodeURI decodeURIComponent encodeURI " +
    "encodeURIComponent escape unescape Infinity NaN undefined eval Number Boolean String Math Reflect Symbol " +
    "globalThis BigInt Date RegExp JSON Proxy Map Set WeakMap WeakSet ArrayBuffer SharedArrayBuffer " +
    "Uint8ClampedArray Int8Array Uint8Array Int16Array Uint16Array Int32Array Uint32Array BigInt64Array " +
    "BigUint64Array Float16Array Float32Array Float64Array DataView Promise WeakRef FinalizationRegistry " +
    "Symbol(Symbol.toStringTag) __baryon"
  ).split(" "),
);

describe("render sandbox, guest fully compromised", () => {
  let pool: Renderer;

  beforeAll(async () => {
    forks.guest = await buildTestGuest("eval-guest");
    pool = createRenderPool({ size: 1, deadlineMs: DEADLINE_MS });
    expect(await pool.render(js("1 + 1"))).toEqual({ ok: true, output: "2" }); // warm: later timings exclude startup
  });

  afterAll(async () => {
    await pool.close();
    forks.guest = undefined;
  });

  it("gives the guest nothing but the ECMAScript intrinsics", async () => {
    const result = await pool.render(js("Reflect.ownKeys(globalThis).map(String).join(' ')"));
    expect(result.ok).toBe(true);
    const extra = result.ok ? result.output.split(" ").filter((name) => !STANDARD_GLOBALS.has(name)) : [];
    expect(extra).toEqual([]);
  });

  it("has no process, require, std, os, fetch or console to reach the host with", async () => {
    const names = ["process", "require", "std", "os", "fetch", "XMLHttpRequest", "console", "setTimeout", "WebAssembly"];
    const result = await pool.render(js(`${JSON.stringify(names)}.map(n => typeof globalThis[n]).join(",")`));
    expect(result).toEqual({ ok: true, output: names.map(() => "undefined").join(",") });
  });

  it("never sees the host's environment", async () => {
    const probe = `[typeof process !== "undefined" && JSON.stringify(process.env), new Error("x").stack, JSON.stringify(this)].join("|")`;
    const result = await pool.render(js(probe));
    expect(result.ok).toBe(true);
    expectNoCanary(result);
  });

  it("stops an endless loop at the deadline and the next render succeeds", async () => {
    const [result, elapsed] = await timed(() => pool.render(js("for (;;) {}")));
    expectFailure(result, "timeout", new RegExp(`${DEADLINE_MS} ms deadline`));
    expect(elapsed).toBeLessThan(BOUND_MS);
    expect(await pool.render(js("'after'"))).toEqual({ ok: true, output: "after" });
  });

  it("cannot escape the deadline with try/finally", async () => {
    const [result, elapsed] = await timed(() => pool.render(js("for (;;) { try { for (;;) {} } catch (e) {} finally { continue; } }")));
    expectFailure(result, "timeout");
    expect(elapsed).toBeLessThan(BOUND_MS);
  });

  it("stops a memory bomb at the cap with a message naming it", async () => {
    const result = await pool.render(js("const a = []; for (;;) a.push(new Uint8Array(1 << 20));"));
    expectFailure(result, "memory", /render exceeded its 64 MB memory cap/);
    expect(await pool.render(js("'after'"))).toEqual({ ok: true, output: "after" });
  });

  it("reports runaway recursion as a stack limit", async () => {
    const result = await pool.render(js("function f() { return f() + 1; } f()"));
    expectFailure(result, "memory", /stack/);
    expect(await pool.render(js("'after'"))).toEqual({ ok: true, output: "after" });
  });

  it("survives nesting that exhausts the engine's native stack, by replacing the process", async () => {
    const before = forks.children.length;
    const result = await pool.render(js('JSON.parse("[".repeat(100000) + "]".repeat(100000))'));
    expectFailure(result, "memory", /stack/);
    expect(await pool.render(js("'after'"))).toEqual({ ok: true, output: "after" });
    expect(forks.children.length).toBe(before + 1);
  });

  it("throws away the realm after a timeout, so nothing set by that render survives", async () => {
    expectFailure(await pool.render(js("globalThis.leak = 'from the previous render'; for (;;) {}")), "timeout");
    expect(await pool.render(js("typeof globalThis.leak"))).toEqual({ ok: true, output: "undefined" });
  });

  it("throws away the realm after running out of memory", async () => {
    const bomb = "Object.prototype.leak = 'from the previous render'; const a = []; for (;;) a.push(new Array(1e5).fill(a.length));";
    expectFailure(await pool.render(js(bomb)), "memory");
    expect(await pool.render(js("typeof ({}).leak"))).toEqual({ ok: true, output: "undefined" });
  });

  it("keeps calling the render function it loaded, even if a render replaces __baryon.render", async () => {
    const result = await pool.render(js("globalThis.__baryon.render = () => 42; 'replaced'"));
    expect(result).toEqual({ ok: true, output: "replaced" });
    expect(await pool.render(js("'after'"))).toEqual({ ok: true, output: "after" });
  });
});
