// The QuickJS guest's own lockdown (src/jinja/guest/lockdown.ts) against
// arbitrary JavaScript: the raw-JavaScript guest after lockdown() (fixtures/)
// checks the freeze, not just what template expressions can reach. On the V8
// engine SES hardens the realm instead (see sandbox-v8-escape.test.ts).
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createRenderPool } from "../../src/jinja/pool.js";
import type { Renderer } from "../../src/ports/renderer.js";
import { buildTestGuest, forks } from "./sandbox-helpers.js";

vi.mock("node:child_process", async (importOriginal) =>
  (await import("./sandbox-helpers.js")).spyOnFork(await importOriginal()),
);

/** Starts a one-child pool on `guest` and waits until it has rendered once. */
async function startPool(guest: string, probe: string): Promise<Renderer> {
  forks.guest = guest;
  const pool = createRenderPool({ size: 1, deadlineMs: 1000 });
  expect((await pool.render({ name: "warm", source: probe, context: {} })).ok).toBe(true);
  forks.guest = undefined;
  return pool;
}

describe("lockdown, against arbitrary JavaScript in the guest", () => {
  let pool: Renderer;
  const js = async (source: string) => pool.render({ name: "attack.js", source, context: {} });

  beforeAll(async () => {
    pool = await startPool(await buildTestGuest("locked-eval-guest"), "1");
  });

  afterAll(async () => {
    await pool.close();
  });

  it.each([
    ["Object.prototype.polluted = 'yes'", "typeof ({}).polluted", "undefined"],
    ["'use strict'; Object.defineProperty(Object.prototype, 'polluted', { value: 1 })", "typeof ({}).polluted", "undefined"],
    ["Array.prototype.push = function () { return 'owned' }", "const a = []; a.push(1); a.length", "1"],
    ["Array.prototype[Symbol.iterator] = function* () { yield 'owned' }", "[...[1, 2]].join()", "1,2"],
    ["String.prototype.trim = function () { return 'owned' }", "' x '.trim()", "x"],
    ["JSON.parse = function () { return 'owned' }", "JSON.parse('[1]').length", "1"],
    ["Math.random = function () { return 4 }", "Math.random() < 1", "true"],
    ["Error.prototype.toString = function () { return 'owned' }", "String(new Error('x'))", "Error: x"],
    ["globalThis.leak = 'from the previous render'", "typeof globalThis.leak", "undefined"],
    ["__baryon.render = function () { return '{\"ok\":true,\"output\":\"owned\"}' }", "'mine'", "mine"],
    ["delete globalThis.__baryon", "typeof __baryon.render", "function"],
    ["Object.defineProperty(globalThis, '__baryon', { value: {} })", "typeof __baryon.render", "function"],
    // QuickJS lets defineProperty replace frozen globals; lockdown guards these paths.
    ["Object.defineProperty(globalThis, 'Math', { value: { max: () => 'owned' } })", "Math.max(1, 2)", "2"],
    ["Object.defineProperties(globalThis, { Array: { value: 'owned' } })", "typeof Array", "function"],
    ["Reflect.defineProperty(new Proxy(globalThis, {}), 'Date', { value: 'owned' })", "typeof Date", "function"],
  ])("%s does not reach the next render", async (attack, probe, expected) => {
    await js(attack);
    expect(await js(probe)).toEqual({ ok: true, output: expected });
  });

  it.each([
    ["Function", "(function () {}).constructor('return 1')()"],
    ["GeneratorFunction", "(function* () {}).constructor('yield 1')"],
    ["AsyncFunction", "(async function () {}).constructor('return 1')"],
    ["AsyncGeneratorFunction", "(async function* () {}).constructor('yield 1')"],
  ])("refuses to compile code through the %s constructor reached as .constructor", async (_name, attack) => {
    expect(await js(attack)).toMatchObject({ ok: false, error: { message: expect.stringMatching(/code generation/) } });
  });

  it("still lets ordinary code shadow inherited properties on its own objects", async () => {
    const code = `
      class NotFound extends Error { constructor(m) { super(m); this.name = "NotFound"; } }
      const o = {}; o.toString = () => "custom";
      const s = Object.create(String.prototype); s.valueOf = () => "v";
      [String(new NotFound("x")), String(o), s.valueOf(), [3, 1, 2].sort().join("")].join("|")`;
    expect(await js(code)).toEqual({ ok: true, output: "NotFound: x|custom|v|123" });
  });
});
