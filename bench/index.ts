// `npm run bench`: every figure the issues name, each the median of several runs.
import { availableParallelism, cpus } from "node:os";
import { fleetBench } from "./fleet.js";
import { githubBench } from "./github.js";
import { renderBench } from "./render.js";
import { printResults } from "./stats.js";

console.log(`Baryon benchmarks — node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? "unknown cpu"})`);
printResults("Rendering (issue: bundle engine)", await renderBench());
printResults("Review (issue: review flow)", await fleetBench());
printResults("GitHub App (issue: GitHub App)", await githubBench());
