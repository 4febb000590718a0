// Hostile templates against the production guest (dist/sandbox/guest.js)
// through the real pool: the classic escapes of nunjucks (into JavaScript) and
// of Jinja2 (into Python's object graph) must not reach the host, its
// environment or its secrets.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRenderPool } from "../../src/jinja/pool.js";
import type { RenderResult, Renderer } from "../../src/ports/renderer.js";
import { CANARY, expectNoCanary } from "./sandbox-helpers.js";

process.env.BARYON_CANARY = CANARY;

const template = (source: string) => ({
  name: "fargate/v1/infrastructure/cloudformation.yaml",
  source,
  context: { environment: { name: "prod" }, service_instance: { name: "api", inputs: { port: 80 } } },
});

/**
 * An escape either renders what a realm without host objects gives
 * (`expected`), or fails as an ordinary template error: the engine refuses the
 * attribute (Jinja2 has no `constructor`), or lockdown() refuses to compile
 * code. Never a host object, a secret, a crash or a hang.
 */
function expectContained(result: RenderResult, expected: RegExp): void {
  expectNoCanary(result);
  if (result.ok) expect(result.output).toMatch(expected);
  else expect(["syntax", "undefined", "runtime"]).toContain(result.error.kind);
}

describe("render sandbox, escapes from template expressions", () => {
  let pool: Renderer;

  beforeAll(() => {
    pool = createRenderPool({ size: 1, deadlineMs: 500 });
  });

  afterAll(async () => {
    await pool.close();
  });

  afterEach(async () => {
    // Whatever the attack did, the same pool still renders the next template.
    expect(await pool.render(template("{{ environment.name }}:{{ service_instance.inputs.port }}"))).toEqual({
      ok: true,
      output: "prod:80",
    });
  });

  it("finds no process through range.constructor", async () => {
    const result = await pool.render(template('{{ range.constructor("return typeof process")() }}'));
    expectContained(result, /^undefined$/);
  });

  it("finds no require, std, os, fetch or process on globalThis through cycler.constructor", async () => {
    const probe = `{{ cycler.constructor("const g = globalThis; return ['process', 'require', 'std', 'os', 'fetch', 'console'].map(n => typeof g[n]).join()")() }}`;
    const result = await pool.render(template(probe));
    expectContained(result, /^undefined(,undefined){5}$/);
  });

  it("gets no host object from \"\".constructor.constructor(\"return this\")", async () => {
    const result = await pool.render(template('{{ "".constructor.constructor("return this")() }}'));
    expectContained(result, /^\[object Object\]$/);
  });

  it("cannot read the host's environment variables", async () => {
    const probe = `{{ range.constructor("try { return JSON.stringify(process.env) } catch (e) { return String(e) }")() }}`;
    const result = await pool.render(template(probe));
    expectContained(result, /ReferenceError: 'process' is not defined/);
  });

  it.each([
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.environ }}",
    "{{ joiner.__init__.__globals__['os'].popen('env').read() }}",
    "{{ lipsum.__globals__['os'].environ }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ self._TemplateReference__context }}",
    "{{ config.items() }}",
    "{{ environment.name.__class__.__base__.__subclasses__() }}",
  ])("gets nothing from the Jinja2 escape %s", async (source) => {
    expectContained(await pool.render(template(source)), /^$/);
  });

  it("keeps the canary out of error messages too", async () => {
    const result = await pool.render(template(`{{ range.constructor("throw new Error(String(globalThis.process))")() }}`));
    expectNoCanary(result);
    expect(result.ok).toBe(false);
  });
});
