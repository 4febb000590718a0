// Full build: the sandbox artifacts, then the TypeScript sources into dist/.
import { execFileSync } from "node:child_process";
import { cpSync } from "node:fs";
import { createRequire } from "node:module";
import { buildSandbox } from "./build-sandbox.mjs";

await buildSandbox();
// The registry loads its SQL migrations from beside its compiled module; tsc copies no .sql.
// Copied first, so that a type error (tsc still emits) leaves a dist/ whose registry is whole.
cpSync("src/adapters/registry/migrations", "dist/adapters/registry/migrations", { recursive: true });
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
execFileSync(process.execPath, [tsc, "-p", "tsconfig.json"], { stdio: "inherit" });
// After tsc: the registry's seed is made from the compiled migrations.
execFileSync(process.execPath, ["scripts/build-seed.mjs"], { stdio: "inherit" });
