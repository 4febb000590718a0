// Setup of the "v8 engine" test project (vitest.config.ts): the render suites
// run unchanged, with every pool they create rendering on V8 in a SES compartment.
import { vi } from "vitest";

vi.mock("../../src/jinja/pool.js", async (importOriginal) => {
  const actual = await importOriginal<typeof import("../../src/jinja/pool.js")>();
  return { ...actual, createRenderPool: (options = {}) => actual.createRenderPool({ engine: "v8", ...options }) };
});
