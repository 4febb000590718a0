// Runs the real `baryon` binary (bin/baryon.js → dist/), as a user would.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function baryon(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  return run("bin/baryon.js", args, options);
}

/** Another of Baryon's entry points (bin/baryon-action.js, the GitHub Action's). */
export function run(bin: string, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [`${ROOT}/${bin}`, ...args], { cwd: options.cwd ?? ROOT, env: { ...process.env, NO_COLOR: "1", ...options.env } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
  });
}
