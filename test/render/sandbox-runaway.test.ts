// Templates that never finish or never stop allocating, against the production
// guest through the real pool: each fails with a clear error within its limit,
// and the next render in the same pool succeeds.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRenderPool } from "../../src/jinja/pool.js";
import type { RenderResult, Renderer } from "../../src/ports/renderer.js";
import { expectFailure, timed } from "./sandbox-helpers.js";

const template = (source: string) => ({ name: "svc/v1/instance_infrastructure/main.tf", source, context: { n: 3 } });
const NEXT = { source: "{% for i in range(n) %}{{ i }}{% endfor %}", output: "012" };

async function expectNextRenderSucceeds(pool: Renderer): Promise<void> {
  expect(await pool.render(template(NEXT.source))).toEqual({ ok: true, output: NEXT.output });
}

describe("render sandbox, runaway loops", () => {
  const DEADLINE_MS = 400;
  /** The pool's backstop answers by deadline + 1 s at the latest; the rest is slack for a loaded machine. */
  const BOUND_MS = DEADLINE_MS + 1000 + 500;
  let pool: Renderer;

  beforeAll(async () => {
    pool = createRenderPool({ size: 1, deadlineMs: DEADLINE_MS });
    await expectNextRenderSucceeds(pool); // warm: timings below exclude process start
  });

  afterAll(async () => {
    await pool.close();
  });

  async function renderRunaway(source: string): Promise<RenderResult> {
    const [result, elapsed] = await timed(() => pool.render(template(source)));
    expect(elapsed).toBeLessThan(BOUND_MS);
    return result;
  }

  it("stops a loop over range(10000000000)", async () => {
    const result = await renderRunaway("{% for x in range(10000000000) %}{% endfor %}");
    // The deadline, the memory cap or the engine's own refusal of a huge range, whichever comes first.
    expect(result.ok ? "ok" : result.error.kind).toMatch(/^(timeout|memory|runtime)$/);
    await expectNextRenderSucceeds(pool);
  });

  it("stops nested loops at the deadline", async () => {
    const result = await renderRunaway("{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}");
    expectFailure(result, "timeout", new RegExp(`render exceeded its ${DEADLINE_MS} ms deadline`));
    await expectNextRenderSucceeds(pool);
  });

  it("stops a macro that calls itself forever", async () => {
    const result = await renderRunaway("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}");
    expectFailure(result, "memory", /stack: recursion or nesting is too deep/);
    await expectNextRenderSucceeds(pool);
  });

  it("stops while(true) reached through the Function constructor", async () => {
    const result = await renderRunaway('{{ range.constructor("while (true) {}")() }}');
    // The engine refuses the attribute or lockdown() the compilation; if neither did, the deadline ends it.
    expect(result.ok ? "ok" : result.error.kind).toMatch(/^(undefined|runtime|timeout)$/);
    await expectNextRenderSucceeds(pool);
  });
});

describe("render sandbox, memory bombs", () => {
  // A deadline long enough that the memory cap, not the clock, ends these.
  const DEADLINE_MS = 5000;
  let pool: Renderer;

  beforeAll(async () => {
    pool = createRenderPool({ size: 1, deadlineMs: DEADLINE_MS });
    await expectNextRenderSucceeds(pool);
  });

  afterAll(async () => {
    await pool.close();
  });

  it("stops a string that doubles in a loop, naming the cap", async () => {
    const source =
      "{% set ns = namespace(s='xxxxxxxxxxxxxxxx') %}{% for i in range(24) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}";
    expectFailure(await pool.render(template(source)), "memory", /render exceeded its 64 MB memory cap/);
    await expectNextRenderSucceeds(pool);
  });

  it("stops a huge list built with range()", async () => {
    expectFailure(await pool.render(template("{{ range(100000000) | list | length }}")), "memory");
    await expectNextRenderSucceeds(pool);
  });

  it("stops output that grows without bound", async () => {
    const source = "{% for i in range(20000000) %}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx{% endfor %}";
    expectFailure(await pool.render(template(source)), "memory");
    await expectNextRenderSucceeds(pool);
  });

  it("stops Jinja's string repetition with a huge count", async () => {
    expectFailure(await pool.render(template('{{ "xxxxxxxxxx" * 100000000 }}')), "memory");
    await expectNextRenderSucceeds(pool);
  });
});
