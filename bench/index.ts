// `npm run bench`: every figure the issues name, each the median of several runs.
// `npm run bench -- reconcile` runs only the benches named; `--full` runs the
// reconcile bench at the size issue 10 names (about 5 minutes) rather than a fiftieth of it,
// the rollout bench at issue 11's 10,000 instances (about 20 minutes), and the
// fleet preview at issue 12's 10,000 instances.
import { availableParallelism, cpus } from "node:os";
import { CONSOLE_FULL, CONSOLE_QUICK, consoleBench } from "./console.js";
import { FLEET_FULL, fleetBench, fleetRss } from "./fleet.js";
import { githubBench } from "./github.js";
import { FULL_SIZE, QUICK_SIZE, reconcileBench } from "./reconcile.js";
import { renderBench } from "./render.js";
import { ROLLOUT_FULL, ROLLOUT_QUICK, rolloutBench } from "./rollout.js";
import { startupBench } from "./startup.js";
import { printResults, type BenchResult } from "./stats.js";

const args = process.argv.slice(2);
const full = args.includes("--full");
const rssOnly = args.find((a) => a.startsWith("--fleet-rss="));
if (rssOnly) {
  await fleetRss(Number(rssOnly.slice("--fleet-rss=".length)));
  process.exit(0);
}
const BENCHES: Record<string, [title: string, run: () => Promise<BenchResult[]>]> = {
  render: ["Rendering (issue: bundle engine)", renderBench],
  fleet: [`Fleet preview (issue 12${full ? "" : "; --full for 10,000 instances"})`, () => fleetBench(full ? FLEET_FULL : undefined)],
  github: ["GitHub App (issue: GitHub App)", githubBench],
  reconcile: [`Reconcile and deploy (issue 10${full ? "" : "; --full for 1,000 environments and 5,000 instances"})`, () => reconcileBench(full ? FULL_SIZE : QUICK_SIZE)],
  startup: ["CLI startup (issue 12, goal 4)", startupBench],
  console: [`Web console (issue 13${full ? "" : "; --full for 1,000 environments and 10,000 instances"})`, () => consoleBench(full ? CONSOLE_FULL : CONSOLE_QUICK)],
  rollout: [`Rollout (issue 11${full ? "" : "; --full for 10,000 instances"})`, () => rolloutBench(full ? ROLLOUT_FULL : ROLLOUT_QUICK)],
};
const selected = args.filter((a) => !a.startsWith("--"));
const unknown = selected.filter((name) => !(name in BENCHES));
if (unknown.length) {
  console.error(`bench: no bench named ${unknown.join(", ")} (there are: ${Object.keys(BENCHES).join(", ")})`);
  process.exit(2);
}

console.log(`Baryon benchmarks — node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? "unknown cpu"})`);
for (const [name, [title, run]] of Object.entries(BENCHES)) {
  if (selected.length === 0 || selected.includes(name)) printResults(title, await run());
}
