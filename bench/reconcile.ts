// Reconcile and deploy a large inventory on the embedded registry (PGlite, as the
// CLI uses): environments, services of 5 instances each (and their pipelines,
// which the example service template has), every deployment carried out by the
// deploy job with a no-op `command` provisioner. Each round starts from a fresh
// registry; figures are medians over rounds (plans: of 3 runs within each round).
// Registry queries are counted by a Db wrapped around the one SQL Registry (count-queries.ts).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { createLocalArtifactStore } from "../src/adapters/artifacts/local.js";
import { readSnapshot } from "../src/adapters/local/read-snapshot.js";
import { createMetrics } from "../src/adapters/metrics.js";
import { createInProcessQueue } from "../src/adapters/queue/in-process.js";
import { DEFAULT_CONCURRENCY } from "../src/adapters/queue/job-options.js";
import { pgliteDb } from "../src/adapters/registry/pglite.js";
import { openSqlRegistry } from "../src/adapters/registry/sql-registry.js";
import type { Adapters } from "../src/compose/adapters.js";
import { provisionerRegistry } from "../src/compose/provisioners.js";
import type { RepoConfig } from "../src/config/repo-config.js";
import { publishChange } from "../src/flows/publish-change.js";
import { loadCatalog, reconcileInventory, type ReconcileInput } from "../src/flows/reconcile-inventory.js";
import { bundleLoader } from "../src/flows/stored-bundle.js";
import { checkInventory, type InventoryFile } from "../src/inventory/check-inventory.js";
import { planReconcile } from "../src/inventory/plan.js";
import { deployJob } from "../src/jobs/deploy.js";
import { enqueueDeployment } from "../src/jobs/lanes.js";
import { work } from "../src/jobs/job-kind.js";
import { createRenderPool } from "../src/jinja/pool.js";
import type { Registry } from "../src/ports/registry.js";
import type { Renderer } from "../src/ports/renderer.js";
import type { Snapshot } from "../src/bundle/files.js";
import type { Resource } from "../src/inventory/model.js";
import { defaultRolloutPolicy } from "../src/rollout/policy.js";
import { createVerifier } from "../src/adapters/verifiers/verifier.js";
import { countingCalls, countingDb, emptyCounts, resetCounts, type QueryCounts } from "./count-queries.js";
import { median, ROOT, spawnCost, timed, type BenchResult } from "./stats.js";

export interface ReconcileBenchSize {
  environments: number;
  services: number;
  instancesPerService: number;
  /**
   * Deployments carried out: those of the first this-many environments, their instances and
   * the pipelines of services that live only there. The rest stay recorded and pending.
   */
  deployedEnvironments: number;
  rounds: number;
}

/**
 * What issue 10 names: 1,000 environments and 5,000 instances, all recorded, one round (about 5 minutes).
 * Deploying all 7,000 would take most of an hour (see docs/inventory.md), so the deployments of
 * 20 environments' worth are carried out: as many as the quick size's, in a registry 50 times larger.
 */
export const FULL_SIZE: ReconcileBenchSize = { environments: 1000, services: 1000, instancesPerService: 5, deployedEnvironments: 20, rounds: 1 };
/** A fiftieth of it, all deployed, three rounds: what `npm run bench` runs unless asked for `--full`. */
export const QUICK_SIZE: ReconcileBenchSize = { environments: 20, services: 20, instancesPerService: 5, deployedEnvironments: 20, rounds: 3 };
/** Dry runs (plans) are repeated within a round; their median is the round's figure. */
const PLAN_REPEATS = 3;

const OWNER = { login: "acme" };
// No-op but for the outputs: the same answer for every resource, with every output an instance's render reads.
const OUTPUTS = { ClusterName: "bench", ECSTaskExecutionRole: "arn:aws:iam::1:role/bench", VpcId: "vpc-1", PublicSubnetOne: "subnet-1", PublicSubnetTwo: "subnet-2", ContainerSecurityGroup: "sg-1" };
const NOOP = { kind: "command" as const, deploy: `echo '${JSON.stringify(OUTPUTS)}' > outputs.json`, destroy: "true" };
const CONFIG: Pick<RepoConfig, "provisioners" | "rollout"> = {
  provisioners: { noop: NOOP },
  rollout: defaultRolloutPolicy(["test", "prod"]),
};
const SIZES = ["x-small", "small", "medium", "large", "x-large"];

/** Spec files as a repository would hold them: one per environment, one per service. */
export function inventoryOf(size: ReconcileBenchSize): InventoryFile[] {
  const env = (i: number) => `env-${String(i).padStart(4, "0")}`;
  const files: InventoryFile[] = [];
  for (let i = 0; i < size.environments; i++) {
    const b = i % 250;
    files.push({
      file: `inventory/environments/${env(i)}.yaml`,
      text: `proton: EnvironmentSpec\ntemplate: fargate-env@1\nstage: ${i % 4 ? "test" : "prod"}\nspec:\n`
        + `  vpc_cidr: 10.${b}.0.0/16\n  subnet_one_cidr: 10.${b}.0.0/24\n  subnet_two_cidr: 10.${b}.1.0/24\n`,
    });
  }
  for (let s = 0; s < size.services; s++) {
    const name = `svc-${String(s).padStart(4, "0")}`;
    const instances = Array.from({ length: size.instancesPerService }, (_, j) => {
      const n = s * size.instancesPerService + j;
      return `  - name: ${name}-${j}\n    environment: ${env(n % size.environments)}\n    spec:\n`
        + `      port: ${[80, 8080, 3000][n % 3]}\n      desired_count: ${1 + (n % 4)}\n      task_size: ${SIZES[n % SIZES.length]}\n`
        + `      image: public.ecr.aws/acme/app-${s % 50}:1.${n % 7}.0\n`;
    });
    files.push({
      file: `inventory/services/${name}.yaml`,
      text: `proton: ServiceSpec\ntemplate: load-balanced-fargate-svc@1\npipeline:\n  dockerfile: Dockerfile\n  unit_test_command: npm test\n`
        + `instances:\n${instances.join("")}`,
    });
  }
  return files;
}

interface Round {
  /** Pure domain: checkInventory + planReconcile, the catalog loaded already. */
  checkAndPlan: number;
  /** reconcileInventory, dry run, on an empty registry: catalog, check, registry read, plan. */
  planEmpty: number;
  /** reconcileInventory recording every deployment. */
  record: number;
  recordStatements: number;
  recorded: number;
  /** Deployments carried out through the deploy job until the queue is idle. */
  deployed: number;
  deploy: number;
  deployStatements: number;
  deployRows: number;
  deployCalls: Map<string, number>;
  deployBusyMs: Map<string, number>;
  jobsRun: number;
  /** reconcileInventory, dry run, with every resource recorded: the plan of the next push. */
  planRecorded: number;
  planRecordedStatements: number;
  /** One `sh -c true` from this process while PGlite is open. */
  spawnMs: number;
  peakRss: number;
}

export async function reconcileBench(size: ReconcileBenchSize = QUICK_SIZE): Promise<BenchResult[]> {
  const spawnBefore = await spawnCost();
  const renderer = createRenderPool();
  const templates = await readSnapshot(join(ROOT, "examples/templates"));
  const files = inventoryOf(size);
  const rounds: Round[] = [];
  try {
    for (let r = 0; r < size.rounds; r++) rounds.push(await runRound(size, files, templates, renderer));
  } finally {
    await renderer.close();
  }
  const m = (pick: (r: Round) => number) => ({ value: median(rounds.map(pick)), runs: rounds.length > 1 ? rounds.map(pick) : [] });
  const note = (name: string): BenchResult => ({ name, value: 0, unit: "", runs: [] });
  const { recorded, deployed } = rounds[0]!;
  const perDeployment = (map: Map<string, number>) => [...map].filter(([name]) => /^(deployments|versions)\./.test(name))
    .sort((a, b) => b[1] - a[1]).map(([name, n]) => `${name.replace(/^deployments\./, "")} ${(n / deployed).toFixed(1)}`).join(", ");
  const busy = (name: string) => ((rounds[0]!.deployBusyMs.get(name) ?? 0) / deployed).toFixed(1);
  const resources = `${size.environments} environments, ${size.services * size.instancesPerService} instances, ${size.services} pipelines`;
  return [
    note(`inventory: ${files.length} spec files → ${resources} (${recorded} deployments), embedded registry (PGlite)`),
    { name: "check + plan, domain only (checkInventory, planReconcile)", unit: "ms", ...m((x) => x.checkAndPlan) },
    { name: "plan time: reconcileInventory dry run, empty registry", unit: "ms", ...m((x) => x.planEmpty) },
    { name: `record time: reconcileInventory recording ${recorded} deployments`, unit: "ms", ...m((x) => x.record) },
    { name: "  registry queries per recorded deployment", unit: "statements", ...m((x) => x.recordStatements / x.recorded) },
    { name: `deploy job, no-op command provisioner, ${deployed} deployments (${size.deployedEnvironments} environments' worth)`, unit: "deployments/s", ...m((x) => x.deployed / (x.deploy / 1000)) },
    { name: "  registry queries per deployment", unit: "statements", ...m((x) => x.deployStatements / x.deployed) },
    { name: "  rows read per deployment", unit: "rows", ...m((x) => x.deployRows / x.deployed) },
    { name: "  deploy jobs run per deployment (an instance queued before its environment finished runs again)", unit: "jobs", ...m((x) => x.jobsRun / x.deployed) },
    note(`  store calls per deployment: ${perDeployment(rounds[0]!.deployCalls)}`),
    note(`  ms per deployment in store calls: ${perDeployment(rounds[0]!.deployBusyMs)}`),
    note(`  ms per deployment in SQL ${busy("sql")}, render ${busy("renderer.render")}, provisioner ${busy("provisioner.deploy")} (summed over up to ${deployJob.concurrency ?? DEFAULT_CONCURRENCY} jobs at once)`),
    { name: `  one \`sh -c true\` spawned by this process with PGlite open (${spawnBefore.toFixed(1)} ms before)`, unit: "ms", ...m((x) => x.spawnMs) },
    { name: `plan time, ${recorded} resources recorded (reconcileInventory dry run)`, unit: "ms", ...m((x) => x.planRecorded) },
    { name: "  registry queries for that plan", unit: "statements", ...m((x) => x.planRecordedStatements) },
    { name: "peak RSS of the process, sampled every 20 ms (render children not included)", unit: "MB", ...m((x) => x.peakRss / 2 ** 20) },
    // getrusage's maximum covers the process's whole life: the benches that ran before too.
    { name: "  max RSS since the process started (getrusage)", value: process.resourceUsage().maxRSS / 1024, unit: "MB", runs: [] },
  ];
}

async function runRound(size: ReconcileBenchSize, files: InventoryFile[], templates: Snapshot, renderer: Renderer): Promise<Round> {
  const dir = mkdtempSync(join(tmpdir(), "baryon-bench-reconcile-"));
  const counts = emptyCounts();
  const instance = await PGlite.create();
  const registry = await openSqlRegistry(countingDb(pgliteDb(instance, { owned: true }), counts), {});
  const counted: Registry = {
    ...registry,
    versions: (owner) => countingCalls(registry.versions(owner), "versions", counts),
    deployments: (owner) => countingCalls(registry.deployments(owner), "deployments", counts),
  };
  const artifacts = createLocalArtifactStore({ dir: join(dir, "artifacts") });
  const queue = createInProcessQueue({ logger: { warn: () => undefined, error: () => undefined } });
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 20);
  try {
    const versions = counted.versions(OWNER);
    const published = await publishChange({ repository: "acme/templates", commit: "c1", status: "published" }, { head: async () => templates, versions, artifacts, renderer });
    if (published.some((o) => o.result !== "published")) throw new Error(`publishing the example templates: ${JSON.stringify(published)}`);
    const ports = { versions, bundleOf: bundleLoader(artifacts), store: counted.deployments(OWNER) };
    const input: ReconcileInput = { source: "acme/fleet", files, config: CONFIG, requestedBy: { actor: "bench", reason: "inventory change" }, dryRun: true };

    const catalog = await loadCatalog([{ name: "fargate-env", major: 1 }, { name: "load-balanced-fargate-svc", major: 1 }], ports);
    const settings = { provisioners: Object.keys(CONFIG.provisioners), stages: CONFIG.rollout!.stages.map((s) => s.name) };
    const checked = checkInventory(files, catalog, settings);
    if (checked.diagnostics.some((d) => d.severity === "error")) throw new Error(`the generated inventory has errors: ${checked.diagnostics[0]!.message}`);
    const checkAndPlan = await timed(PLAN_REPEATS, async () => planReconcile(checkInventory(files, catalog, settings).inventory.resources, []));
    const planEmpty = await timed(PLAN_REPEATS, () => reconcileInventory(ports, input));

    resetCounts(counts);
    let start = performance.now();
    const outcome = await reconcileInventory(ports, { ...input, dryRun: false });
    const record = performance.now() - start;
    const recordStatements = counts.statements;
    const recorded = outcome.deployments.length;
    if (recorded !== checked.inventory.resources.length) throw new Error(`recorded ${recorded} deployments for ${checked.inventory.resources.length} resources`);

    let jobsRun = 0;
    const provisioners = provisionerRegistry({ env: process.env, workRoot: dir });
    const provisioner: Adapters["provisioner"] = (name, s) => countingCalls(provisioners(name, s), "provisioner", counts);
    const adapters = { registry: counted, artifacts, queue, renderer: countingCalls(renderer, "renderer", counts), forkRenderer: renderer, provisioner, verifier: createVerifier(), description: "bench", close: async () => undefined } satisfies Adapters;
    const log = { info: () => void jobsRun++, warn: () => undefined, error: (_: object, message: string) => console.error(message) };
    work(deployJob, { adapters, metrics: createMetrics({ defaultMetrics: false }), log });
    const sample = deployedKeys(checked.inventory.resources, size.deployedEnvironments);
    const toDeploy = outcome.deployments.filter((d) => sample.has(d.resource));
    resetCounts(counts);
    start = performance.now();
    for (const d of toDeploy) await enqueueDeployment(queue, OWNER, d);
    await queue.idle();
    const deploy = performance.now() - start;
    const { statements: deployStatements, rows: deployRows, calls: deployCalls, busyMs: deployBusyMs } = counts;

    const { rows } = await instance.query<{ status: string; reason: string | null; n: number }>("SELECT status, left(min(reason), 300) AS reason, count(*)::int AS n FROM deployments GROUP BY status");
    const succeeded = rows.find((r) => r.status === "succeeded")?.n ?? 0;
    if (succeeded !== toDeploy.length) throw new Error(`${succeeded} of ${toDeploy.length} deployments succeeded: ${JSON.stringify(rows)}`);
    const spawnMs = await spawnCost();

    let planRecordedStatements = 0;
    const planRecorded = await timed(PLAN_REPEATS, async () => {
      resetCounts(counts);
      const again = await reconcileInventory(ports, input);
      planRecordedStatements = counts.statements;
      // What was not deployed is planned again ("never deployed successfully"); the registry would return its pending deployment.
      if (again.plan?.actions.length !== recorded - toDeploy.length) throw new Error(`the recorded inventory plans ${again.plan?.actions.length} actions`);
    });
    return {
      checkAndPlan, planEmpty, record, recordStatements, recorded, deployed: toDeploy.length, deploy, deployStatements, deployRows,
      deployCalls, deployBusyMs, jobsRun, planRecorded, planRecordedStatements, spawnMs, peakRss,
    };
  } finally {
    clearInterval(sampler);
    await queue.close();
    await registry.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Keys of the resources deployed: those of the first `count` environments, and pipelines whose instances all live there. */
function deployedKeys(resources: readonly Resource[], count: number): Set<string> {
  const environments = new Set(resources.filter((r) => r.kind === "environment").slice(0, count).map((r) => r.key));
  const keys = new Set(environments);
  const outside = new Set<string>();
  for (const r of resources) {
    if (r.kind !== "service_instance") continue;
    if (environments.has(r.environment)) keys.add(r.key);
    else outside.add(r.service);
  }
  for (const r of resources) if (r.kind === "service_pipeline" && !outside.has(r.service)) keys.add(r.key);
  return keys;
}

