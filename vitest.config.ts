import { defineConfig } from "vitest/config";

/** The suites of hostile, runaway and fidelity templates: run again on the V8 engine, unchanged. */
const ENGINE_SUITES = [
  "test/render/sandbox-escape.test.ts",
  "test/render/sandbox-runaway.test.ts",
  "test/render/sandbox-pollution.test.ts",
  "test/render/fidelity.test.ts",
  "test/render/fidelity-fuzz.test.ts",
  "test/render/numbers.test.ts",
  "test/render/proton-filters-sandbox.test.ts",
];

export default defineConfig({
  test: {
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: "forks",
    projects: [
      { extends: true, test: { name: "baryon", include: ["test/**/*.test.ts"] } },
      { extends: true, test: { name: "v8 engine", include: ENGINE_SUITES, setupFiles: ["test/render/v8-engine.setup.ts"] } },
    ],
  },
});
