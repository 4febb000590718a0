#!/usr/bin/env node
// The GitHub Action's entry (action.yml): `baryon check` on the workflow's checkout.
// A release carries dist/; a ref without it (a branch of this repository) is installed
// and built first, in the action's own folder, which costs a minute once per job.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const entry = new URL("../dist/main/action.js", import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.log("::group::Installing Baryon (this ref has no dist/)");
  execFileSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: fileURLToPath(new URL("..", import.meta.url)), stdio: ["ignore", "inherit", "inherit"] });
  console.log("::endgroup::");
}
const { actionMain } = await import(entry.href);
await actionMain();
