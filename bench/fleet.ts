// Fleet preview: a review of one realistic service template change rendered for
// 1,000 instance specs on both sides, diffed and grouped; next to it, in
// interleaved rounds, Python doing the same renders with Jinja2 and diffing each
// pair with difflib (fleet_jinja2.py), the reference issue 12 names.
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Spec } from "../src/bundle/model.js";
import { createRenderPool } from "../src/jinja/pool.js";
import { reviewChange } from "../src/flows/review-change.js";
import { readSnapshot } from "../src/adapters/local/read-snapshot.js";
import { assumeBaseAtZero } from "../src/ports/version-catalog.js";
import { type ChangeSource } from "../src/ports/change-source.js";
import type { RenderRequest, Renderer } from "../src/ports/renderer.js";
import { median, ROOT, type BenchResult } from "./stats.js";

const INSTANCES = 1000;
/** `--full`: issue 12's 10,000 instances (about 5 minutes here). */
export const FLEET_FULL = 10_000;
const RUNS = 5;
const SIZES = ["x-small", "small", "medium", "large", "x-large"];

/** 1,000 instances over 20 environments, with varied but realistic inputs. */
export function fleetSpec(count = INSTANCES): Spec {
  const instances = Array.from({ length: count }, (_, i) => ({
    name: `svc-${String(i).padStart(4, "0")}`,
    environment: `env-${i % 20}`,
    spec: {
      port: [80, 8080, 3000][i % 3],
      desired_count: 1 + (i % 4),
      task_size: SIZES[i % SIZES.length],
      image: `public.ecr.aws/acme/app-${i % 50}:1.${i % 7}.0`,
      ...(i % 10 === 0 ? { env_vars: "LOG_LEVEL=debug;FEATURE_X=on" } : {}),
    },
  }));
  return { file: "fleet/load-balanced-fargate-svc.yaml", kind: "ServiceSpec", instances, lines: {} };
}

/** The review the fleet bench times: the sample service template changed, base and head read from disk. */
async function fleetChange(): Promise<ChangeSource> {
  const dir = mkdtempSync(join(tmpdir(), "baryon-bench-"));
  const headDir = join(dir, "head");
  cpSync(join(ROOT, "examples/templates"), join(dir, "base"), { recursive: true });
  cpSync(join(ROOT, "examples/templates"), headDir, { recursive: true });
  cpSync(join(ROOT, "examples/review-change/load-balanced-fargate-svc"), join(headDir, "load-balanced-fargate-svc"), { recursive: true });
  const [base, head] = await Promise.all([readSnapshot(join(dir, "base")), readSnapshot(headDir)]);
  rmSync(dir, { recursive: true, force: true });
  return { baseName: "base", headName: "head", base: async () => base, head: async () => head };
}

/**
 * `--fleet-rss=N`: a process that only reviews N instances twice (the second
 * warm), so its peak RSS is the review's own, not the bench's copies for Python.
 */
export async function fleetRss(instances: number): Promise<void> {
  const changes = await fleetChange();
  const renderer = createRenderPool({ engine: "v8" });
  try {
    for (let run = 0; run < 2; run++) {
      await reviewChange({ extraSpecs: { "load-balanced-fargate-svc": [fleetSpec(instances)] } }, { changes, renderer, versions: assumeBaseAtZero });
    }
  } finally {
    await renderer.close();
  }
  process.stdout.write(JSON.stringify({ maxRssMb: process.resourceUsage().maxRSS / 1024 }));
}

export async function fleetBench(instances = INSTANCES): Promise<BenchResult[]> {
  const changes = await fleetChange();
  const pool = createRenderPool({ engine: "v8" }); // as reviews of a repository's own branches render
  // The first run's requests are what Python renders: the same sources and contexts.
  let requests: RenderRequest[] | undefined;
  const renderer: Renderer = { render: (r) => (requests?.push(r), pool.render(r)), close: () => pool.close() };
  const spec = fleetSpec(instances);
  try {
    const times: number[] = [];
    const python: number[] = [];
    let summary = "";
    let requestsJson = "";
    for (let run = 0; run < RUNS + 1; run++) {
      if (run === 0) requests = [];
      const start = performance.now();
      const report = await reviewChange({ extraSpecs: { "load-balanced-fargate-svc": [spec] } }, { changes, renderer, versions: assumeBaseAtZero });
      const elapsed = (performance.now() - start) / 1000;
      const t = report.templates.find((x) => x.name === "load-balanced-fargate-svc")!;
      if (t.diagnostics.some((d) => d.severity === "error")) throw new Error(`fleet review failed: ${t.diagnostics[0]!.message}`);
      summary = `${t.diff.changed} of ${t.diff.total} resources changed, ${t.diff.groups.length} distinct diffs`;
      if (run === 0) {
        const recorded = requests!;
        requests = undefined;
        // Each distinct source once: 10,000 copies of a 10 KB template would be the bench's own peak.
        const sources = [...new Set(recorded.map((r) => r.source))];
        const index = new Map(sources.map((source, i) => [source, i]));
        requestsJson = JSON.stringify({ sources, requests: recorded.map(({ name, source, context }) => ({ name, source: index.get(source), context })) });
        continue; // the first run warms the sandbox children
      }
      times.push(elapsed);
      python.push(await jinja2FleetSeconds(requestsJson));
    }
    return [
      { name: `fleet preview: ${instances.toLocaleString("en-US")} instance specs + pipeline, base and head rendered, diffed, grouped (${summary})`, value: median(times), unit: "s wall", runs: times },
      { name: "Python: the same renders with Jinja2, each pair diffed with difflib (reference)", value: median(python), unit: "s", runs: python },
      { name: "fleet preview against Python (goal ≤ 1)", value: median(times) / median(python), unit: "×", runs: [] },
      // The children render; this is what the review itself holds (goal at 10,000: < 400 MB).
      { name: "peak RSS of a process that only reviews (twice)", value: await reviewOnlyRss(instances), unit: "MB", runs: [] },
    ];
  } finally {
    await renderer.close();
  }
}

function reviewOnlyRss(instances: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), `--fleet-rss=${instances}`], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve((JSON.parse(out) as { maxRssMb: number }).maxRssMb) : reject(new Error(`the review-only process exited ${code}`))));
  });
}

function jinja2FleetSeconds(requestsJson: string): Promise<number> {
  const script = readFileSync(`${ROOT}/bench/fleet_jinja2.py`, "utf8");
  return new Promise((resolve, reject) => {
    const child = spawn("python3", ["-c", script], { stdio: ["pipe", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve((JSON.parse(out) as { seconds: number }).seconds) : reject(new Error(`python3 fleet preview exited ${code}`))));
    child.stdin.end(requestsJson);
  });
}
