// One render must not change what later renders in the same realm see: the
// production guest against hostile templates (quickjs-lockdown.test.ts checks
// QuickJS's freeze against arbitrary JavaScript).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRenderPool } from "../../src/jinja/pool.js";
import type { Renderer } from "../../src/ports/renderer.js";

describe("the production guest, against templates that try to change the next render", () => {
  let pool: Renderer;
  const render = (source: string) => pool.render({ name: "svc/v1/main.tf", source, context: { d: {}, items: [3, 1, 2] } });

  beforeAll(async () => {
    pool = createRenderPool({ size: 1, deadlineMs: 1000 });
    expect((await pool.render({ name: "warm", source: "{{ 1 }}", context: {} })).ok).toBe(true);
  });

  afterAll(async () => {
    await pool.close();
  });

  it.each([
    ['{{ range.constructor("Object.prototype.polluted = 1")() }}', "{{ d.polluted is defined }}", "False"],
    [`{{ cycler.constructor("__baryon.render = function () { return 'owned' }")() }}`, "{{ items | sort | join(',') }}", "1,2,3"],
    // With the legacy accessor methods a nunjucks template could poison Context.prototype.lookup.
    ["{% set g = d.__lookupGetter__('__proto__') %}{{ g().__defineGetter__('lookup', g) }}", "{{ items | length }}", "3"],
    ["{{ d.__proto__.__defineGetter__('polluted', range) }}", "{{ d.polluted is defined }}", "False"],
    // Each render gets its own context, whatever the previous one did to its copy.
    ["{{ d.update({'polluted': 1}) }}{{ items.append(4) }}", "{{ d.polluted is defined }} {{ items | length }}", "False 3"],
  ])("%s does not reach the next render", async (attack, probe, expected) => {
    await render(attack);
    expect(await render(probe)).toEqual({ ok: true, output: expected });
  });
});
