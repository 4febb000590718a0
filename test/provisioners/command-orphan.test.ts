// A worker that dies by SIGKILL while its deploy command runs must not leave the
// command running: a resync would start the same deployment again beside it. A real
// Node process runs runCommand, is killed, and its command's whole group goes.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../queue/helpers.js";
import { running, scratch } from "./helpers.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const CHILD_DIR = join(ROOT, "node_modules/.cache/baryon-command-orphan-test");
const CHILD = join(CHILD_DIR, `runner-${process.pid}.mjs`);

beforeAll(async () => {
  mkdirSync(CHILD_DIR, { recursive: true });
  // The runner: runCommand with the command and folder from argv, as a worker's provisioner calls it.
  await build({
    stdin: {
      contents: `import { runCommand } from "./src/adapters/provisioners/run-command.ts";
        await runCommand({ command: process.argv[2], cwd: process.argv[3], env: { PATH: process.env.PATH }, timeoutMs: 600000, killGraceMs: 1000, logLimitBytes: 65536 });`,
      resolveDir: ROOT, loader: "ts",
    },
    bundle: true, platform: "node", format: "esm", outfile: CHILD, logLevel: "error",
  });
});
let started: number[] = [];
afterAll(() => {
  rmSync(CHILD, { force: true });
  for (const pid of started.filter(running)) process.kill(pid, "SIGKILL"); // only after a failure
});

describe("a command whose worker is killed", () => {
  it("stops, with the children it started, when the worker dies by SIGKILL", async () => {
    const dir = scratch("orphan");
    // The command and a background grandchild each write their pid, then wait far longer than the test.
    const command = "sleep 600 & echo $! > grandchild.pid; echo $$ > command.pid; sleep 600";
    const worker = spawn(process.execPath, [CHILD, command, dir], { stdio: "ignore" });
    const pidFiles = ["command.pid", "grandchild.pid"].map((f) => join(dir, f));
    await waitFor("the command and its grandchild to start", () => pidFiles.every((f) => existsSync(f) && readFileSync(f, "utf8").endsWith("\n")), 10_000);
    const pids = (started = pidFiles.map((f) => Number(readFileSync(f, "utf8"))));
    expect(pids.every(running)).toBe(true);

    worker.kill("SIGKILL");
    await waitFor("the command and its grandchild to stop", () => !pids.some(running), 10_000);
  });
});
