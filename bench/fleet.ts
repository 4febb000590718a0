// Fleet preview: a review of one realistic service template change rendered for
// 1,000 instance specs on both sides, diffed and grouped.
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Spec } from "../src/bundle/model.js";
import { createRenderPool } from "../src/jinja/pool.js";
import { reviewChange } from "../src/flows/review-change.js";
import { readSnapshot } from "../src/adapters/local/read-snapshot.js";
import { assumeBaseAtZero } from "../src/ports/version-catalog.js";
import { type ChangeSource } from "../src/ports/change-source.js";
import { median, ROOT, type BenchResult } from "./stats.js";

const INSTANCES = 1000;
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

export async function fleetBench(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), "baryon-bench-"));
  const headDir = join(dir, "head");
  cpSync(join(ROOT, "examples/templates"), join(dir, "base"), { recursive: true });
  cpSync(join(ROOT, "examples/templates"), headDir, { recursive: true });
  cpSync(join(ROOT, "examples/review-change/load-balanced-fargate-svc"), join(headDir, "load-balanced-fargate-svc"), { recursive: true });
  const [base, head] = await Promise.all([readSnapshot(join(dir, "base")), readSnapshot(headDir)]);
  rmSync(dir, { recursive: true, force: true });
  const changes: ChangeSource = { baseName: "base", headName: "head", base: async () => base, head: async () => head };
  const renderer = createRenderPool();
  const spec = fleetSpec();
  try {
    const times: number[] = [];
    let summary = "";
    for (let run = 0; run < RUNS + 1; run++) {
      const start = performance.now();
      const report = await reviewChange({ extraSpecs: { "load-balanced-fargate-svc": [spec] } }, { changes, renderer, versions: assumeBaseAtZero });
      const elapsed = (performance.now() - start) / 1000;
      const t = report.templates.find((x) => x.name === "load-balanced-fargate-svc")!;
      if (t.diagnostics.some((d) => d.severity === "error")) throw new Error(`fleet review failed: ${t.diagnostics[0]!.message}`);
      summary = `${t.diff.changed} of ${t.diff.total} resources changed, ${t.diff.groups.length} distinct diffs`;
      if (run > 0) times.push(elapsed); // the first run warms the sandbox children
    }
    return [{ name: `fleet preview: ${INSTANCES} instance specs + pipeline, base and head rendered, diffed, grouped (${summary})`, value: median(times), unit: "s wall", runs: times }];
  } finally {
    await renderer.close();
  }
}
