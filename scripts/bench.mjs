// Builds the benchmark (bench/*.ts) with esbuild and runs it: `npm run bench`, or
// `npm run bench -- reconcile [--full]` for only the benches named (bench/index.ts).
import { build } from "esbuild";
import { cpSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSandbox } from "./build-sandbox.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
await buildSandbox();
await build({
  absWorkingDir: root,
  entryPoints: ["bench/index.ts"],
  outfile: "dist/bench/index.js",
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  logLevel: "warning",
});
// The registry reads its SQL migrations next to its module; in the bundle that is dist/bench/.
cpSync(join(root, "src/adapters/registry/migrations"), join(root, "dist/bench/migrations"), { recursive: true });
await import(new URL("../dist/bench/index.js", import.meta.url).href);
