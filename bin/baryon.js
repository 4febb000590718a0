#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm ci` via the prepare script).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const cli = new URL("../dist/main/cli.js", import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  console.error("baryon: dist/ is missing; run `npm run build` (npm ci does it for you).");
  process.exit(2);
}
await import(cli.href);
