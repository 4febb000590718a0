// Builds the two sandbox artifacts with esbuild:
//  - dist/sandbox/guest.js: Baryon's port of Jinja2 (lexer, parser, a compiler to
//    JS over a Python value model) as one plain script, evaluated inside QuickJS
//    (no imports, no host objects there);
//  - dist/sandbox/host.js: the child-process entry that owns the QuickJS runtime;
//  - dist/sandbox/v8-host.cjs: the child-process entry of the V8 engine, SES
//    included: its child may read this file and guest.js and nothing else, so
//    it cannot load packages (CommonJS, so Node needs no package.json to load it).
// Tests call this from their global setup so they always run the current source.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

export async function buildSandbox() {
  await Promise.all([
    build({
      absWorkingDir: root,
      entryPoints: ["src/jinja/guest/index.ts"],
      outfile: "dist/sandbox/guest.js",
      bundle: true,
      format: "iife",
      platform: "neutral",
      mainFields: ["main"],
      target: "es2020",
      logLevel: "warning",
      legalComments: "none",
    }),
    build({
      absWorkingDir: root,
      entryPoints: ["src/jinja/sandbox-host.ts"],
      outfile: "dist/sandbox/host.js",
      bundle: true,
      format: "esm",
      platform: "node",
      target: "node20",
      packages: "external",
      logLevel: "warning",
    }),
    build({
      absWorkingDir: root,
      entryPoints: ["src/jinja/sandbox-v8-host.ts"],
      outfile: "dist/sandbox/v8-host.cjs",
      bundle: true,
      format: "cjs",
      platform: "node",
      target: "node20",
      logLevel: "warning",
      legalComments: "none",
    }),
  ]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildSandbox();
}
