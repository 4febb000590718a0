// Render throughput (issue 12, goal 1): the AWS sample templates, each with 200
// different contexts, rendered by Baryon's sandbox on each engine (one child,
// every render of a round in flight at once, as a fleet review sends them) and
// by Python's Jinja2 (one process), in interleaved rounds. Every output is
// compared byte for byte with Jinja2's.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { Bundle, Spec } from "../src/bundle/model.js";
import { parseRepository } from "../src/bundle/parse/repository.js";
import { planRenders, type RenderJob } from "../src/bundle/render/render-bundle.js";
import { type RenderEngine } from "../src/jinja/engines.js";
import { createRenderPool } from "../src/jinja/pool.js";
import type { Renderer } from "../src/ports/renderer.js";
import { readSnapshot } from "../src/adapters/local/read-snapshot.js";
import { fleetSpec } from "./fleet.js";
import { startIpcFloor } from "./ipc-floor.js";
import { median, ROOT, type BenchResult } from "./stats.js";

const ROUNDS = 5;
const CONTEXTS = 200;
/** Each round renders every context this many times: long enough to time, short enough to interleave. */
const REPEAT = 5;

interface Case {
  title: string;
  name: string;
  source: string;
  contexts: Record<string, unknown>[];
}

export async function renderBench(): Promise<BenchResult[]> {
  const cases = await benchCases();
  const python = await startJinja2(cases);
  const floor = await startIpcFloor(python.outputs);
  const engines: RenderEngine[] = ["v8", "quickjs"];
  const pools = new Map(engines.map((engine) => [engine, createRenderPool({ engine, size: 1 })]));
  const seconds = new Map<string, number[][]>([["jinja2", []], ["floor", []], ...engines.map((e): [string, number[][]] => [e, []])]);
  const identical = new Map<RenderEngine, boolean>();
  try {
    for (const engine of engines) identical.set(engine, await sameOutputs(pools.get(engine)!, cases, python.outputs));
    for (let round = 0; round < ROUNDS; round++) {
      seconds.get("jinja2")!.push(await python.round(REPEAT));
      seconds.get("floor")!.push(await floor.round(cases, REPEAT));
      for (const engine of engines) seconds.get(engine)!.push(await baryonRound(pools.get(engine)!, cases));
    }
  } finally {
    python.close();
    floor.close();
    await Promise.all([...pools.values()].map((pool) => pool.close()));
  }
  const renders = CONTEXTS * REPEAT;
  const perRender = (who: string, i: number) => seconds.get(who)!.map((round) => (round[i]! / renders) * 1e6);
  return cases.flatMap((c, i): BenchResult[] => {
    const jinja = perRender("jinja2", i);
    const floorRuns = perRender("floor", i);
    return [
      { name: `${c.title}: Python Jinja2, 1 process`, value: median(jinja), unit: "µs/render", runs: jinja },
      { name: `${c.title}: IPC floor, a child answering with Jinja2's outputs, no render`, value: median(floorRuns), unit: "µs/render", runs: floorRuns },
      { name: `${c.title}: throughput IPC floor / Jinja2 (the most any engine in a child process can reach)`, value: median(jinja) / median(floorRuns), unit: "x", runs: [] },
      ...engines.flatMap((engine): BenchResult[] => {
        const ours = perRender(engine, i);
        return [
          { name: `${c.title}: Baryon on ${engine}, 1 child`, value: median(ours), unit: "µs/render", runs: ours },
          { name: `${c.title}: throughput ${engine} / Jinja2 (goal ≥ 1.0 for the engine that renders own branches)`, value: median(jinja) / median(ours), unit: "x", runs: [] },
        ];
      }),
    ];
  }).concat(engines.map((engine) => ({
    name: `every output on ${engine} byte-identical to Jinja2's (${cases.length * CONTEXTS} renders)`,
    value: identical.get(engine) ? 1 : 0,
    unit: identical.get(engine) ? "yes" : "NO",
    runs: [],
  })));
}

/** The three AWS samples with CONTEXTS contexts each, made by the renderer's own planning from fleet-like specs. */
async function benchCases(): Promise<Case[]> {
  const repo = parseRepository(await readSnapshot(`${ROOT}/examples/templates`));
  const bundleOf = (template: string): Bundle => repo.templates.find((t) => t.name === template)!.bundles[0]!;
  const env = bundleOf("fargate-env");
  const svc = bundleOf("load-balanced-fargate-svc");
  const jobs = (bundle: Bundle, spec: Spec, name: string): RenderJob[] => planRenders(bundle, spec, { name }).jobs;
  const envJobs = Array.from({ length: CONTEXTS }, (_, i) =>
    jobs(env, { file: "env.yaml", kind: "EnvironmentSpec", spec: { vpc_cidr: `10.${i % 250}.0.0/16` }, lines: {} }, `env-${i}`)[0]!);
  const fleet = jobs(svc, fleetSpec(CONTEXTS), "checkout");
  const instanceJobs = fleet.filter((j) => j.kind === "service_instance");
  // A pipeline per service of one to five instances.
  const pipelineJobs = Array.from({ length: CONTEXTS }, (_, i) => {
    const spec = fleetSpec(1 + (i % 5));
    return jobs(svc, spec, `service-${i}`).find((j) => j.kind === "pipeline")!;
  });
  const caseOf = (title: string, list: RenderJob[]): Case => {
    const [first] = list;
    if (!first || list.length !== CONTEXTS) throw new Error(`render bench: could not plan ${CONTEXTS} renders for ${title}`);
    const name = first.part.files.find((f) => f.endsWith(".yaml"))!;
    const bundle = first.part.name === "infrastructure" ? env : svc;
    return { title, name, source: new TextDecoder().decode(bundle.files.get(name)), contexts: list.map((j) => j.context as unknown as Record<string, unknown>) };
  };
  return [caseOf("fargate environment", envJobs), caseOf("service instance", instanceJobs), caseOf("service pipeline", pipelineJobs)];
}

/** One round: per case, every context REPEAT times, all in flight at once; seconds per case. */
async function baryonRound(renderer: Renderer, cases: Case[]): Promise<number[]> {
  const seconds: number[] = [];
  for (const c of cases) {
    const start = performance.now();
    const results = await Promise.all(Array.from({ length: REPEAT }, () => c.contexts.map((context) => renderer.render({ name: c.name, source: c.source, context }))).flat());
    seconds.push((performance.now() - start) / 1000);
    const failed = results.find((r) => !r.ok);
    if (failed && !failed.ok) throw new Error(`render bench: ${c.title} failed: ${failed.error.message}`);
  }
  return seconds;
}

async function sameOutputs(renderer: Renderer, cases: Case[], expected: string[][]): Promise<boolean> {
  for (const [i, c] of cases.entries()) {
    const results = await Promise.all(c.contexts.map((context) => renderer.render({ name: c.name, source: c.source, context })));
    if (results.some((r, j) => !r.ok || r.output !== expected[i]![j])) return false;
  }
  return true;
}

async function startJinja2(cases: Case[]): Promise<{ outputs: string[][]; round(repeat: number): Promise<number[]>; close(): void }> {
  const child = spawn("python3", [`${ROOT}/bench/jinja2_bench.py`], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async <T>(): Promise<T> => {
    const line = await lines.next();
    if (line.done) throw new Error("the python3 Jinja2 bench ended early (is jinja2 installed?)");
    return JSON.parse(line.value) as T;
  };
  child.stdin.write(`${JSON.stringify({ templates: cases.map((c) => ({ source: c.source, contexts: c.contexts })) })}\n`);
  const { outputs } = await next<{ outputs: string[][] }>();
  return {
    outputs,
    async round(repeat) {
      child.stdin.write(`${JSON.stringify({ repeat })}\n`);
      return (await next<{ seconds: number[] }>()).seconds;
    },
    close: () => child.stdin.end(),
  };
}
