// Roll a new minor out to a large fleet (issue 11). Instances of the example
// load-balanced-fargate-svc@1 in environments over three stages are seeded at 1.0 by SQL
// (recorded as succeeded, nothing deployed); 1.1 is published and rolled out as a worker
// does it: startRollouts, then the catalogue's jobs on the in-process queue until idle.
// Each round runs it with the `command` provisioner running `true` (a real spawn each) and
// with one in memory that succeeds at once, so scheduling shows apart from the spawn. Then
// one tick alone as the fleet grows: each finished deployment leads to one, and it reads
// every target. Registry: PGlite, as `baryon publish` uses, or Postgres when DATABASE_URL is set.
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { createLocalArtifactStore } from "../src/adapters/artifacts/local.js";
import { readSnapshot } from "../src/adapters/local/read-snapshot.js";
import { createMetrics } from "../src/adapters/metrics.js";
import { commandProvisioner } from "../src/adapters/provisioners/command.js";
import { createInProcessQueue } from "../src/adapters/queue/in-process.js";
import { DEFAULT_CONCURRENCY } from "../src/adapters/queue/job-options.js";
import type { Db, Queryable } from "../src/adapters/registry/db.js";
import { pgliteDb } from "../src/adapters/registry/pglite.js";
import { openPostgresDb } from "../src/adapters/registry/postgres.js";
import { openSqlRegistry } from "../src/adapters/registry/sql-registry.js";
import { createVerifier } from "../src/adapters/verifiers/verifier.js";
import type { Snapshot } from "../src/bundle/files.js";
import type { Adapters } from "../src/compose/adapters.js";
import { publishChange, type PublishOutcome } from "../src/flows/publish-change.js";
import { startRollout, tickRollout, type RolloutPorts } from "../src/flows/rollout.js";
import { CATALOGUE, resyncJob } from "../src/jobs/catalogue.js";
import { deployJob } from "../src/jobs/deploy.js";
import { work, type JobKind } from "../src/jobs/job-kind.js";
import type { TickJobData } from "../src/jobs/lanes.js";
import { rolloutTickJob, startRollouts } from "../src/jobs/rollout.js";
import { createRenderPool } from "../src/jinja/pool.js";
import type { DeploymentRequest, Provisioner } from "../src/ports/provisioner.js";
import type { Registry } from "../src/ports/registry.js";
import type { Renderer } from "../src/ports/renderer.js";
import { advance } from "../src/rollout/advance.js";
import { DEFAULT_STAGE, type RolloutPolicy } from "../src/rollout/policy.js";
import { countingCalls, countingDb, emptyCounts, resetCounts, type QueryCounts } from "./count-queries.js";
import { median, ROOT, spawnCost, timed, type BenchResult } from "./stats.js";

export interface RolloutBenchSize {
  instances: number;
  environments: number;
  rounds: number;
  /** The provisioners each round rolls out with. */
  variants: readonly Variant[];
  /** Fleet sizes at which one tick is timed alone. */
  tickSizes: number[];
}

/** What issue 11 names: 10,000 instances (in 300 environments, a third per stage), one round with the `command` provisioner (about 20 minutes). */
export const ROLLOUT_FULL: RolloutBenchSize = { instances: 10_000, environments: 300, rounds: 1, variants: ["command"], tickSizes: [1000, 2500, 5000, 10_000] };
/** 96 instances (32 per stage: batches of 8, two waves of 4), three rounds: what `npm run bench` runs unless asked for `--full`. */
export const ROLLOUT_QUICK: RolloutBenchSize = { instances: 96, environments: 12, rounds: 3, variants: ["memory", "command"], tickSizes: [96, 1000, 2500] };

const OWNER = { login: "acme" };
const TEMPLATE = "load-balanced-fargate-svc";
const INSTANCE_CFN = `${TEMPLATE}/v1/instance_infrastructure/cloudformation.yaml`;
const STAGES = ["test", "staging", "prod"];
/** Every stage automatic, in batches of a quarter of it, no soak, no verification: only what scheduling costs. */
const POLICY: RolloutPolicy = { stages: STAGES.map((name) => ({ ...DEFAULT_STAGE, name, batch: { percent: 25 } })), autoRollback: false };
// What the instances' render reads of their environment.
const OUTPUTS = { ClusterName: "bench", ECSTaskExecutionRole: "arn:aws:iam::1:role/bench", VpcId: "vpc-1", PublicSubnetOne: "subnet-1", PublicSubnetTwo: "subnet-2", ContainerSecurityGroup: "sg-1" };
const NOOP = { kind: "command" as const, deploy: "true", destroy: "true" };
const SIZES = ["x-small", "small", "medium", "large", "x-large"];
/** Deploy jobs one process runs at once: the batch concurrency of the ideal. */
const CONCURRENCY = deployJob.concurrency ?? DEFAULT_CONCURRENCY;

type Variant = "command" | "memory";

/** One rollout: startRollouts until the queue is idle; each tick job's duration and the targets they read; jobs run by kind. */
interface Run {
  totalMs: number;
  deployments: number;
  statements: number;
  rows: number;
  calls: Map<string, number>;
  busyMs: Map<string, number>;
  tickMs: number[];
  targetRows: number;
  jobs: Map<string, number>;
  peakRss: number;
}

/** One tick alone with `batch` deployments asked for; rollouts.targets alone, and advance() (pure) alone. */
interface TickCost {
  instances: number;
  batch: number;
  tickMs: number;
  targetsMs: number;
  advanceMs: number;
  statements: number;
  rows: number;
}

export async function rolloutBench(size: RolloutBenchSize = ROLLOUT_QUICK): Promise<BenchResult[]> {
  const renderer = createRenderPool();
  const templates = await readSnapshot(join(ROOT, "examples/templates"));
  const shared: Shared = { templates, renderer, ...(process.env.DATABASE_URL ? {} : { pglite: await PGlite.create() }) };
  const runs: Record<Variant, Run[]> = { command: [], memory: [] };
  const ticks: TickCost[] = [];
  let provisionerMs = 0;
  let spawnMs = 0;
  try {
    provisionerMs = await commandAlone();
    spawnMs = await spawnCost();
    for (const instances of size.tickSizes) ticks.push(await tickCost({ ...size, instances, environments: Math.max(3, Math.round(instances / 33)) }, shared));
    for (let r = 0; r < size.rounds; r++) {
      for (const variant of size.variants) runs[variant].push(await runRollout(size, variant, shared));
    }
  } finally {
    await renderer.close();
    await shared.pglite?.close();
  }
  const note = (name: string): BenchResult => ({ name, value: 0, unit: "", runs: [] });
  const ideal = (size.instances / CONCURRENCY) * provisionerMs;
  const out: BenchResult[] = [
    note(`${size.instances} service instances of ${TEMPLATE}@1 in ${size.environments} environments, stages ${STAGES.join(", ")} (a third each), batches of 25%, `
      + `${CONCURRENCY} deploy jobs at once, ${process.env.DATABASE_URL ? "Postgres (DATABASE_URL)" : "embedded registry (PGlite)"}, seeded at 1.0; the rollout of 1.1`),
    { name: `the command provisioner deploying \`true\` alone (work folder, watchdog shell, command; a bare \`sh -c true\`: ${spawnMs.toFixed(1)} ms)`, value: provisionerMs, unit: "ms", runs: [] },
  ];
  for (const variant of ["command", "memory"] as const) {
    const rs = runs[variant];
    if (!rs.length) continue;
    const m = (pick: (r: Run) => number) => ({ value: median(rs.map(pick)), runs: rs.length > 1 ? rs.map(pick) : [] });
    const first = rs[0]!;
    const variantIdeal = variant === "command" ? ideal : 0;
    const perDeployment = (map: Map<string, number>, pattern: RegExp) => [...map].filter(([name]) => pattern.test(name))
      .sort((a, b) => b[1] - a[1]).slice(0, 8).map(([name, n]) => `${name} ${(n / first.deployments).toFixed(1)}`).join(", ");
    out.push(
      note(variant === "command" ? "command provisioner running `true`:" : "provisioner in memory, succeeding at once:"),
      { name: `  total time, ${first.deployments} deployments`, unit: "s", ...m((r) => r.totalMs / 1000) },
      ...(variant === "command" ? [
        { name: `  ideal: ${size.instances} ÷ ${CONCURRENCY} × ${provisionerMs.toFixed(1)} ms`, value: ideal / 1000, unit: "s", runs: [] },
        { name: "  total ÷ ideal", unit: "×", ...m((r) => r.totalMs / ideal) },
      ] : []),
      { name: `  scheduling overhead per deployment ((total − ideal) ÷ instances${variant === "memory" ? ", ideal 0" : ""})`, unit: "ms", ...m((r) => (r.totalMs - variantIdeal) / size.instances) },
      { name: "  registry statements per deployment", unit: "statements", ...m((r) => r.statements / r.deployments) },
      { name: "  rows read per deployment", unit: "rows", ...m((r) => r.rows / r.deployments) },
      note(`  jobs run: ${[...first.jobs].map(([kind, n]) => `${kind} ${n}`).join(", ")}`),
      { name: "  rollout_targets rows read per tick job", unit: "rows", ...m((r) => r.targetRows / r.tickMs.length) },
      { name: "  tick job duration, median", unit: "ms", ...m((r) => median(r.tickMs)) },
      { name: "  tick jobs' time summed (they run one at a time), share of the total", unit: "%", ...m((r) => (100 * r.tickMs.reduce((a, b) => a + b, 0)) / r.totalMs) },
      note(`  store calls per deployment: ${perDeployment(first.calls, /^(deployments|rollouts|versions)\./)}`),
      note(`  ms per deployment in: ${perDeployment(first.busyMs, /^(deployments|rollouts|versions)\.|^sql$|^renderer\.|^provisioner\./)} (summed over concurrent calls)`),
      { name: "  peak RSS of the process, sampled every 20 ms (render children not included)", unit: "MB", ...m((r) => r.peakRss / 2 ** 20) },
    );
  }
  out.push(note("one tick alone, mid-batch (first batch asked for, rollout paused so the tick asks for nothing), as the fleet grows:"));
  for (const t of ticks) {
    const parts = `rollouts.targets ${t.targetsMs.toFixed(0)} ms, advance() ${t.advanceMs.toFixed(1)} ms; ${t.statements.toFixed(1)} statements, ${t.rows.toFixed(0)} rows`;
    out.push({ name: `  ${t.instances} targets, ${t.batch} deployments asked for (${parts})`, value: t.tickMs, unit: "ms", runs: [] });
  }
  return out;
}

async function runRollout(size: RolloutBenchSize, variant: Variant, shared: Shared): Promise<Run> {
  const fleet = await openFleet(size, shared);
  const { renderer } = shared;
  const { counts, dir } = fleet;
  let targetRows = 0;
  const registry: Registry = {
    ...fleet.registry,
    rollouts: (owner) => {
      const store = fleet.registry.rollouts(owner);
      return { ...store, targets: async (id) => { const targets = await store.targets(id); targetRows += targets.size; return targets; } };
    },
  };
  const queue = createInProcessQueue({ logger: { warn: (_, message) => console.error(message), error: (_, message) => console.error(message) } });
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 20);
  let progress: NodeJS.Timeout | undefined;
  try {
    const succeeded = async () => ({ status: "succeeded" as const, outputs: {}, log: "" });
    const memory: Provisioner = { deploy: succeeded, destroy: succeeded, status: succeeded };
    const command = commandProvisioner(NOOP, { name: "noop", workRoot: dir });
    const provisioner: Adapters["provisioner"] = () => countingCalls(variant === "memory" ? memory : command, "provisioner", counts);
    const adapters = {
      registry, artifacts: fleet.artifacts, queue, renderer: countingCalls(renderer, "renderer", counts), forkRenderer: renderer, provisioner, verifier: createVerifier(),
      description: "bench", close: async () => undefined,
    } satisfies Adapters;
    const jobs = new Map<string, number>();
    const kindOf = (fields: object) => (fields as { kind: string }).kind;
    const log = { info: (fields: object) => void jobs.set(kindOf(fields), (jobs.get(kindOf(fields)) ?? 0) + 1), warn: () => undefined, error: (_: object, message: string) => console.error(message) };
    const tickMs: number[] = [];
    const timedTick: JobKind<TickJobData> = {
      ...rolloutTickJob,
      run: async (data, context, job) => {
        const began = performance.now();
        try {
          return await rolloutTickJob.run(data, context, job);
        } finally {
          tickMs.push(performance.now() - began);
        }
      },
    };
    const context = { adapters, metrics: createMetrics({ defaultMetrics: false }), log };
    // Every kind of the catalogue, as startWorkers registers them; not the resync's schedule (nothing is lost here).
    for (const kind of CATALOGUE) if (kind.name !== resyncJob.name) work(kind.name === rolloutTickJob.name ? timedTick : kind, context);

    resetCounts(counts);
    targetRows = 0;
    const start = performance.now();
    // A long run says how far it got (on stderr), every half minute.
    progress = setInterval(() => console.error(`rollout bench, ${variant}: ${counts.calls.get("provisioner.deploy") ?? 0} of ${size.instances} deployed, `
      + `${((performance.now() - start) / 1000).toFixed(0)} s, ${tickMs.length} ticks (median ${median(tickMs).toFixed(0)} ms)`), 30_000);
    const [started] = await startRollouts(adapters, OWNER, fleet.published, { repository: "acme/templates", commit: "c2" }, POLICY);
    await queue.idle();
    const totalMs = performance.now() - start;
    const { statements, rows, calls, busyMs } = counts;

    if (!started || !("rollout" in started)) throw new Error(`the rollout of 1.1 did not start: ${JSON.stringify(started)}`);
    const rollout = await fleet.registry.rollouts(OWNER).getRollout(started.rollout.id);
    const done = await fleet.registry.rollouts(OWNER).targets(started.rollout.id);
    const deployed = [...done.values()].filter((t) => t.deployment?.status === "succeeded").length;
    if (rollout?.status !== "succeeded" || deployed !== size.instances) {
      throw new Error(`the rollout ended ${rollout?.status} (${rollout?.reason ?? ""}) with ${deployed} of ${size.instances} deployments succeeded`);
    }
    return { totalMs, deployments: deployed, statements, rows, calls, busyMs, tickMs, targetRows, jobs, peakRss };
  } finally {
    clearInterval(sampler);
    clearInterval(progress);
    await queue.close();
    await fleet.close();
  }
}

/**
 * A rollout of `size.instances` targets with its first batch asked for, then paused (so a tick asks
 * for nothing more), ticked alone: the tick that a finished deployment leads to, mid-batch.
 */
async function tickCost(size: RolloutBenchSize, shared: Shared): Promise<TickCost> {
  const fleet = await openFleet(size, shared);
  try {
    const { registry } = fleet;
    const ports: RolloutPorts = { rollouts: registry.rollouts(OWNER), store: registry.deployments(OWNER), versions: registry.versions(OWNER), now: () => new Date() };
    const started = await startRollout(ports, { template: TEMPLATE, major: 1, minor: 1, origin: { repository: "acme/templates" }, policy: POLICY });
    if (!started.started) throw new Error(`the rollout did not start: ${started.why}`);
    const id = started.rollout.id;
    const first = await tickRollout(ports, id);
    if (!first?.deployments.length) throw new Error("the rollout's first tick asked for no deployment");
    if (!(await ports.rollouts.updateRollout(id, { status: "paused", reason: "bench" }))) throw new Error("could not pause the rollout");
    const rollout = (await ports.rollouts.getRollout(id))!;
    const targets = await ports.rollouts.targets(id);
    const targetsMs = await timed(5, () => ports.rollouts.targets(id));
    const advanceMs = await timed(5, async () => advance(rollout, targets, new Date()));
    resetCounts(fleet.counts);
    const tickMs = await timed(5, () => tickRollout(ports, id));
    return { instances: size.instances, batch: first.deployments.length, tickMs, targetsMs, advanceMs, statements: fleet.counts.statements / 5, rows: fleet.counts.rows / 5 };
  } finally {
    await fleet.close();
  }
}

/** What every fleet of the bench uses; no PGlite on Postgres. */
interface Shared { templates: Snapshot; renderer: Renderer; pglite?: PGlite }

interface Fleet {
  registry: Registry;
  counts: QueryCounts;
  artifacts: Adapters["artifacts"];
  /** What publishing 1.1 returned. */
  published: PublishOutcome[];
  /** A work folder, removed on close. */
  dir: string;
  close(): Promise<void>;
}

/** A fresh registry with 1.0 published, the fleet seeded at it, then 1.1 published. */
async function openFleet(size: RolloutBenchSize, { templates, renderer, pglite }: Shared): Promise<Fleet> {
  const dir = mkdtempSync(join(tmpdir(), "baryon-bench-rollout-"));
  const counts = emptyCounts();
  const { db, schema } = await openDb(pglite);
  const registry = await openSqlRegistry(countingDb(db, counts), schema ? { schema } : {});
  const close = async () => {
    if (schema) await db.exec(`DROP SCHEMA ${schema} CASCADE`);
    await registry.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const counted: Registry = {
      ...registry,
      versions: (owner) => countingCalls(registry.versions(owner), "versions", counts),
      deployments: (owner) => countingCalls(registry.deployments(owner), "deployments", counts),
      rollouts: (owner) => countingCalls(registry.rollouts(owner), "rollouts", counts),
    };
    const artifacts = createLocalArtifactStore({ dir: join(dir, "artifacts") });
    await publish(registry, artifacts, renderer, templates, "c1", "1.0");
    await seed(db, registry, size);
    const published = await publish(registry, artifacts, renderer, changed(templates), "c2", "1.1");
    return { registry: counted, counts, artifacts, published, dir, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** A fresh registry: PGlite's public schema emptied (starting PGlite takes seconds), or a new schema on DATABASE_URL's Postgres. */
async function openDb(pglite: PGlite | undefined): Promise<{ db: Db; schema?: string }> {
  if (pglite) {
    await pglite.exec("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
    return { db: pgliteDb(pglite) };
  }
  const schema = `bench_${randomUUID().replace(/-/g, "").slice(0, 16)}`;
  return { db: openPostgresDb(process.env.DATABASE_URL!, { schema }), schema };
}

async function publish(registry: Registry, artifacts: Adapters["artifacts"], renderer: Renderer, head: Snapshot, commit: string, expect: string): Promise<PublishOutcome[]> {
  const ports = { head: async () => head, versions: registry.versions(OWNER), artifacts, renderer };
  const outcomes = await publishChange({ repository: "acme/templates", commit, status: "published" }, ports);
  if (!outcomes.some((o) => o.template === TEMPLATE && o.result === "published" && o.version === expect)) {
    throw new Error(`publishing ${TEMPLATE} ${expect}: ${JSON.stringify(outcomes)}`);
  }
  return outcomes;
}

/** The example templates with a comment added to the instance's CloudFormation: a compatible change, so 1.1. */
function changed(templates: Snapshot): Snapshot {
  const files = new Map(templates.files);
  const text = new TextDecoder().decode(files.get(INSTANCE_CFN)!);
  files.set(INSTANCE_CFN, new TextEncoder().encode(`${text}\n# 1.1: the rollout bench's change\n`));
  return { ...templates, files };
}

/**
 * Environments and instances, each with a succeeded 1.0 deployment, as if deployed long ago:
 * two statements, then read back through the DeploymentStore to be sure it sees them so.
 */
async function seed(db: Queryable, registry: Registry, size: RolloutBenchSize): Promise<void> {
  const env = (i: number) => `env-${String(i).padStart(4, "0")}`;
  const rows: object[] = [];
  for (let i = 0; i < size.environments; i++) {
    const b = i % 250;
    rows.push({
      key: env(i), kind: "environment", name: env(i), stage: STAGES[i % STAGES.length], template: "fargate-env", file: `inventory/environments/${env(i)}.yaml`, line: 1,
      inputs: { vpc_cidr: `10.${b}.0.0/16`, subnet_one_cidr: `10.${b}.0.0/24`, subnet_two_cidr: `10.${b}.1.0/24` },
    });
  }
  for (let n = 0; n < size.instances; n++) {
    const service = `svc-${String(Math.floor(n / 5)).padStart(4, "0")}`;
    const name = `${service}-${n % 5}`;
    const e = n % size.environments;
    rows.push({
      key: `${service}/${name}`, kind: "service_instance", name, service, environment: env(e), stage: STAGES[e % STAGES.length], template: TEMPLATE,
      file: `inventory/services/${service}.yaml`, line: 1 + (n % 5) * 6,
      inputs: { port: [80, 8080, 3000][n % 3], desired_count: 1 + (n % 4), task_size: SIZES[n % SIZES.length], image: `public.ecr.aws/acme/app-${n % 50}:1.${n % 7}.0` },
    });
  }
  await db.query("INSERT INTO owners (login) VALUES ($1) ON CONFLICT (login) DO NOTHING", [OWNER.login]);
  await db.query(
    `INSERT INTO resources (owner, key, kind, name, service, environment, stage, template, template_major, inputs, provisioner, source, declared_file, declared_line)
     SELECT $1, r.key, r.kind, r.name, r.service, r.environment, r.stage, r.template, 1, r.inputs, 'noop', 'acme/fleet', r.file, r.line
     FROM jsonb_to_recordset($2::jsonb) AS r(key text, kind text, name text, service text, environment text, stage text, template text, inputs jsonb, file text, line int)`,
    [OWNER.login, JSON.stringify(rows)],
  );
  await db.query(
    `INSERT INTO deployments (owner, resource, action, template, major, minor, inputs, provisioner, provisioner_settings, requested_by, status, outputs, rendered_digest, started_at, finished_at)
     SELECT owner, key, 'deploy', template, template_major, 0, inputs, provisioner, $2::jsonb, $3::jsonb, 'succeeded',
       CASE kind WHEN 'environment' THEN $4::jsonb ELSE '{}' END, 'seed', now(), now()
     FROM resources WHERE owner = $1 ORDER BY kind <> 'environment', key`,
    [OWNER.login, JSON.stringify(NOOP), JSON.stringify({ actor: "bench", reason: "seed" }), JSON.stringify(OUTPUTS)],
  );
  const store = registry.deployments(OWNER);
  const [resources, succeeded] = [(await store.resources()).length, (await store.lastSucceededAll()).size];
  if (resources !== rows.length || succeeded !== rows.length) throw new Error(`seeded ${rows.length} resources; the store reads ${resources}, ${succeeded} at 1.0`);
}

/** Median ms of the command provisioner deploying `true` once, alone: the provisioner time of the ideal. */
async function commandAlone(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "baryon-bench-rollout-"));
  try {
    const provisioner = commandProvisioner(NOOP, { name: "noop", workRoot: dir });
    const request: DeploymentRequest = {
      id: "1", action: "deploy", owner: OWNER.login, resource: { kind: "service_instance", name: "svc-0000-0", service: "svc-0000", environment: "env-0000" },
      template: { name: TEMPLATE, version: "1.1" }, inputs: {}, files: [{ path: "instance_infrastructure/cloudformation.yaml", content: "Resources: {}\n" }],
    };
    return await timed(15, async () => {
      const result = await provisioner.deploy(request);
      if (result.status !== "succeeded") throw new Error(`the command provisioner running \`true\`: ${result.status}`);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
