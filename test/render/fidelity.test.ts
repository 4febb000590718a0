// Byte-for-byte fidelity with Python's Jinja2: every corpus case is rendered by
// python3 + Jinja2 3.x (Environment(undefined=StrictUndefined)) and by Baryon
// through the real sandbox pool. Outputs must be identical; a template Jinja2
// rejects must be rejected with the same kind of error, on the same line.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRenderPool } from "../../src/jinja/pool.js";
import type { Renderer } from "../../src/ports/renderer.js";
import { expectedKind, renderWithJinja2, type Jinja2Result } from "../support/jinja2.js";
import { loadCorpus } from "./fidelity-corpus.js";

const corpus = loadCorpus();
let reference: Jinja2Result[] = [];
let renderer: Renderer;

beforeAll(async () => {
  renderer = createRenderPool({ size: 2 });
  reference = await renderWithJinja2(corpus);
}, 60_000);

afterAll(async () => {
  await renderer.close();
});

describe("the corpus", () => {
  it("names every case uniquely within its group", () => {
    const names = corpus.map((c) => `${c.group}/${c.name}`);
    expect(names.length).toBeGreaterThan(300);
    expect(new Set(names).size).toBe(names.length);
  });
});

const groups = [...new Set(corpus.map((c) => c.group))];
for (const group of groups) {
  describe(group, () => {
    corpus.forEach((c, i) => {
      if (c.group !== group) return;
      it(c.name, async () => {
        const want = reference[i] as Jinja2Result;
        const got = await renderer.render({ name: `${group}/${c.name}`, source: c.template, context: c.context });
        if (want.ok) {
          expect(got, "Jinja2 renders this template").toEqual({ ok: true, output: want.output });
          return;
        }
        expect(got.ok, `Jinja2 fails with ${want.type}: ${want.message}`).toBe(false);
        if (got.ok) return;
        expect(got.error.kind, `${want.type}: ${want.message}`).toBe(expectedKind(want.type));
        if (want.line !== null) expect(got.error.line, "error line").toBe(want.line);
        if (c.sameMessage) expect(got.error.message).toBe(want.message);
      });
    });
  });
}
