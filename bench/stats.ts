import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The package root, from bench/*.ts (source) or dist/bench/index.js (bundled). */
export const ROOT = (() => {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "examples"))) return dir;
    if (dirname(dir) === dir) throw new Error("cannot find the baryon package root");
  }
})();

export interface BenchResult {
  name: string;
  /** The median of `runs` (or a single derived figure when runs is empty). */
  value: number;
  unit: string;
  runs: number[];
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(3));

export function printResults(title: string, results: readonly BenchResult[]): void {
  console.log(`\n${title}`);
  for (const r of results) {
    if (r.unit === "") {
      console.log(`  ${r.name}`); // a note, no figure
      continue;
    }
    const runs = r.runs.length ? `  (median of ${r.runs.length}: ${r.runs.map(fmt).join(", ")})` : "";
    console.log(`  ${r.name}: ${r.unit === "yes" || r.unit === "NO" ? r.unit : `${fmt(r.value)} ${r.unit}`}${runs}`);
  }
}

/** Median milliseconds of `repeats` runs. */
export async function timed(repeats: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return median(times);
}

/** Median milliseconds to spawn `sh -c true` and see it exit: what the command provisioner pays per deployment at least. */
export async function spawnCost(runs = 15): Promise<number> {
  return timed(runs, () => new Promise((resolve, reject) => spawn("sh", ["-c", "true"]).on("exit", resolve).on("error", reject)));
}
