// Builds the benchmark (bench/*.ts) with esbuild and runs it.
import { build } from "esbuild";
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
await import(new URL("../dist/bench/index.js", import.meta.url).href);
