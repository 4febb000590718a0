// Issue 12, goal 4: what a terminal user waits for before Baryon does anything.
// Each round runs every command once, interleaved with its reference, so a busy
// machine slows both sides alike: `baryon --help` against `node -e ''`, `baryon
// render` of one file against Python's Jinja2 rendering it end to end, and a
// command on a fresh embedded registry (peak RSS from /usr/bin/time when present).
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { median, ROOT, type BenchResult } from "./stats.js";

const ROUNDS = 7;
const CLI = join(ROOT, "dist/main/cli.js");
const TEMPLATE = join(ROOT, "examples/templates/fargate-env/v1/infrastructure/cloudformation.yaml");
const CONTEXT = {
  environment: { name: "bench", inputs: { container_insights: "enabled", subnet_one_cidr: "10.0.0.0/24", subnet_two_cidr: "10.0.1.0/24", vpc_cidr: "10.0.0.0/16" } },
};
// Jinja2 as Proton configured it: undefined variables are errors, the last newline is kept.
const JINJA2 = `
import json, sys, jinja2
env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
sys.stdout.write(env.from_string(open(sys.argv[1]).read()).render(**json.load(open(sys.argv[2]))))
`;
const TIME = "/usr/bin/time";

interface Run { ms: number; rssMb?: number }

/** Runs a command to its end; its wall time, and its peak RSS when /usr/bin/time can say. */
function run(command: string, args: string[], measureRss = false): Promise<Run> {
  const viaTime = measureRss && existsSync(TIME);
  const [file, argv] = viaTime ? [TIME, ["-f", "%M", command, ...args]] : [command, args];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let err = "";
    const child = spawn(file, argv, { stdio: ["ignore", "ignore", "pipe"] });
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = performance.now() - started;
      if (code !== 0) return reject(new Error(`${command} ${args.join(" ")} exited ${code}: ${err.trim().slice(-400)}`));
      const kb = viaTime ? Number(err.trim().split("\n").at(-1)) : NaN;
      resolve(Number.isFinite(kb) ? { ms, rssMb: kb / 1024 } : { ms });
    });
  });
}

export async function startupBench(): Promise<BenchResult[]> {
  if (!existsSync(CLI)) return [{ name: `no ${CLI}: run \`npm run build\` first`, value: 0, unit: "", runs: [] }];
  const dir = mkdtempSync(join(tmpdir(), "baryon-bench-startup-"));
  const context = join(dir, "context.json");
  writeFileSync(context, JSON.stringify(CONTEXT));
  const python = await run("python3", ["-c", "import jinja2"]).then(() => true, () => false);
  const figures = { node: [] as number[], help: [] as number[], jinja2: [] as number[], render: [] as number[], fresh: [] as number[], freshRss: [] as number[] };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      figures.node.push((await run(process.execPath, ["-e", ""])).ms);
      figures.help.push((await run(process.execPath, [CLI, "--help"])).ms);
      if (python) figures.jinja2.push((await run("python3", ["-c", JINJA2, TEMPLATE, context])).ms);
      figures.render.push((await run(process.execPath, [CLI, "render", TEMPLATE, "--context", context])).ms);
      const fresh = await run(process.execPath, [CLI, "status", "--dir", join(dir, `fresh-${round}`)], true);
      figures.fresh.push(fresh.ms);
      if (fresh.rssMb !== undefined) figures.freshRss.push(fresh.rssMb);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const ms = (name: string, runs: number[]): BenchResult => ({ name, value: median(runs), unit: "ms", runs });
  const ratio = (name: string, over: number[], under: number[]): BenchResult => ({ name, value: median(over) / median(under), unit: "×", runs: [] });
  return [
    ms("node -e '' (reference)", figures.node),
    ms("baryon --help", figures.help),
    ratio("baryon --help against node -e '' (goal ≤ 2)", figures.help, figures.node),
    ...(python ? [ms("python3 + Jinja2 rendering the file (reference)", figures.jinja2)] : [{ name: "python3 with jinja2 is missing: no reference for render", value: 0, unit: "", runs: [] }]),
    ms("baryon render of one file", figures.render),
    ...(python ? [ratio("baryon render against python3 + Jinja2 (goal ≤ 5)", figures.render, figures.jinja2)] : []),
    ms("baryon status on a fresh embedded registry (goal < 1,500)", figures.fresh),
    ...(figures.freshRss.length ? [{ name: "its peak RSS (goal < 200)", value: median(figures.freshRss), unit: "MB", runs: figures.freshRss }] : []),
  ];
}
