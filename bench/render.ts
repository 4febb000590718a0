// Render throughput: Baryon's sandboxed renderer against Python Jinja2, same
// template and context, measured in one run.
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { parseRepository } from "../src/bundle/parse/repository.js";
import { planRenders } from "../src/bundle/render/render-bundle.js";
import { createRenderPool } from "../src/jinja/pool.js";
import type { Renderer } from "../src/ports/renderer.js";
import { readSnapshot } from "../src/adapters/local/read-snapshot.js";
import { median, ROOT, type BenchResult } from "./stats.js";

const RUNS = 5;
const SECONDS = 2;

export async function renderBench(): Promise<BenchResult[]> {
  const repo = parseRepository(await readSnapshot(`${ROOT}/examples/templates`));
  const svc = repo.templates.find((t) => t.name === "load-balanced-fargate-svc")!;
  const bundle = svc.bundles[0]!;
  const job = planRenders(bundle, svc.specs[0]!, { name: "shop", instance: "frontend-prod" }).jobs[0]!;
  const sourcePath = job.part.files[0]!;
  const source = new TextDecoder().decode(bundle.files.get(sourcePath));
  const lines = source.split("\n").length;

  const jinja = await jinja2Rates(source, job.context);
  const single = createRenderPool({ size: 1 });
  const pool = createRenderPool();
  try {
    const first = await single.render({ name: sourcePath, source, context: job.context });
    if (!first.ok) throw new Error(`benchmark template failed to render: ${first.error.message}`);
    const identical = first.output === jinja.output;
    const oneChild = await rates(single, 1, { name: sourcePath, source, context: job.context });
    const twoChildren = await rates(pool, 2, { name: sourcePath, source, context: job.context });
    const baryon = median(oneChild);
    const python = median(jinja.rendersPerSecond);
    return [
      { name: `sandboxed render, ${lines}-line service instance template, 1 child (warm)`, value: baryon, unit: "renders/s", runs: oneChild },
      { name: "sandboxed render, same template, pool of 2 children, 2 in flight", value: median(twoChildren), unit: "renders/s", runs: twoChildren },
      { name: "Python Jinja2 render, same template and context, 1 process", value: python, unit: "renders/s", runs: jinja.rendersPerSecond },
      { name: "ratio Baryon (1 child) / Jinja2 (1 process)", value: baryon / python, unit: "x", runs: [] },
      { name: "Baryon output byte-identical to Jinja2's", value: identical ? 1 : 0, unit: identical ? "yes" : "NO", runs: [] },
    ];
  } finally {
    await Promise.all([single.close(), pool.close()]);
  }
}

async function rates(renderer: Renderer, inFlight: number, request: Parameters<Renderer["render"]>[0]): Promise<number[]> {
  for (let i = 0; i < 50; i++) await renderer.render(request); // warm up every child
  const result: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    let count = 0;
    const start = performance.now();
    const deadline = start + SECONDS * 1000;
    await Promise.all(Array.from({ length: inFlight }, async () => {
      while (performance.now() < deadline) {
        const r = await renderer.render(request);
        if (!r.ok) throw new Error(r.error.message);
        count++;
      }
    }));
    result.push(count / ((performance.now() - start) / 1000));
  }
  return result;
}

async function jinja2Rates(source: string, context: unknown): Promise<{ rendersPerSecond: number[]; output: string }> {
  const script = await readFile(`${ROOT}/bench/jinja2_bench.py`, "utf8");
  return new Promise((resolve, reject) => {
    const child = spawn("python3", ["-c", script], { stdio: ["pipe", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`python3 Jinja2 benchmark exited ${code}`))));
    child.stdin.end(JSON.stringify({ source, context, seconds: SECONDS, runs: RUNS }));
  });
}
