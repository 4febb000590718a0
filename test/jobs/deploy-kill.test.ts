// A worker killed mid-deployment, for real: a child Node process (deploy-worker.ts) runs
// the deploy job, whose `command` provisioner is running a long command, and dies by
// SIGKILL, taking the command with it. Another queue on the same Redis and registry then runs the resync: the
// deployment, alive no more, runs again under the same row and succeeds: never stuck
// `in_progress`, never failed for a worker's death, never deployed twice.
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createLocalArtifactStore } from "../../src/adapters/artifacts/local.js";
import { createMetrics } from "../../src/adapters/metrics.js";
import { createBullmqQueue } from "../../src/adapters/queue/bullmq.js";
import type { Adapters } from "../../src/compose/adapters.js";
import { provisionerRegistry } from "../../src/compose/provisioners.js";
import { createVerifier } from "../../src/adapters/verifiers/verifier.js";
import { publishChange } from "../../src/flows/publish-change.js";
import { reconcileInventory } from "../../src/flows/reconcile-inventory.js";
import { bundleLoader } from "../../src/flows/stored-bundle.js";
import { createRenderPool } from "../../src/jinja/pool.js";
import { resyncJob } from "../../src/jobs/catalogue.js";
import { deployJob } from "../../src/jobs/deploy.js";
import { enqueueDeployment } from "../../src/jobs/lanes.js";
import { enqueue, work } from "../../src/jobs/job-kind.js";
import type { JobQueue } from "../../src/ports/job-queue.js";
import { CATALOG_FILES } from "../support/inventory.js";
import { DATABASE_URL, testRegistry, type TestRegistry } from "../support/registry.js";
import { snapshot } from "../support/snapshot.js";
import { recordingLogger, waitFor, waitForAsync } from "../queue/helpers.js";
import { connectRedis, deleteKeysUnder, REDIS_URL, uniquePrefix } from "../queue/redis.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
// Inside the repository, so that the child resolves its packages from node_modules.
const CHILD_DIR = join(ROOT, "node_modules/.cache/baryon-deploy-kill-test");
const CHILD = join(CHILD_DIR, `deploy-worker-${process.pid}.mjs`);
/** Short, so the dead worker's job and serialization key are given up soon; live processes renew theirs. */
const LOCK_MS = 1000;

const renderer = createRenderPool({ size: 1 });
let redis: Redis;
let db: TestRegistry | undefined;
let prefix: string;
let child: ChildProcess | undefined;
let commandGroup: number | undefined;
const queues: JobQueue[] = [];

beforeAll(async () => {
  redis = await connectRedis();
  mkdirSync(CHILD_DIR, { recursive: true });
  await build({ entryPoints: [join(ROOT, "test/jobs/deploy-worker.ts")], bundle: true, platform: "node", format: "esm", packages: "external", outfile: CHILD, logLevel: "error" });
  // The registry reads its SQL migrations from beside its module: here, beside the bundle.
  cpSync(join(ROOT, "src/adapters/registry/migrations"), join(CHILD_DIR, "migrations"), { recursive: true });
});
afterAll(async () => {
  await renderer.close();
  await redis.quit();
  rmSync(CHILD, { force: true });
});
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  // The command ran in its own process group, which outlives the worker that started it.
  if (commandGroup) {
    try {
      process.kill(-commandGroup, "SIGKILL");
    } catch {
      // gone already
    }
  }
  await Promise.all(queues.splice(0).map((q) => q.close()));
  await deleteKeysUnder(redis, prefix);
  await db?.drop();
});

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function openQueue(): JobQueue {
  const queue = createBullmqQueue({ connection: REDIS_URL, prefix, logger: recordingLogger(), idlePollMs: 10, lockMs: LOCK_MS });
  queues.push(queue);
  return queue;
}

const ENV = "proton: EnvironmentSpec\ntemplate: net@1\nstage: test\nspec:\n  count: 2\n";

describe("a deploy worker killed mid-deployment", () => {
  it("leaves a deployment that another process runs again under the same row once it stops beating, and it succeeds", async () => {
    prefix = uniquePrefix();
    db = await testRegistry();
    const dir = mkdtempSync(join(tmpdir(), "baryon-deploy-kill-"));
    const artifactDir = join(dir, "artifacts");
    const artifacts = createLocalArtifactStore({ dir: artifactDir });
    const owner = { login: "acme", installationId: 1 };
    const versions = db.registry.versions(owner);
    const store = db.registry.deployments(owner);
    await publishChange({ repository: "acme/templates", commit: "c1", status: "published" }, { head: async () => snapshot(CATALOG_FILES), versions, artifacts, renderer });

    // The deploy command says it started (its shell's pid leads its process group), then runs far
    // longer than the test; run again (after the restart), it finishes at once.
    const started = join(dir, "started");
    const deploy = `if [ -f ${started} ]; then echo again >> ${started}.log; echo '{"TopicName": "t"}' > outputs.json; exit 0; fi\necho $$ > ${started}\nsleep 600`;
    const config = { provisioners: { local: { kind: "command" as const, deploy } } };
    const reconcile = () => reconcileInventory({ versions, bundleOf: bundleLoader(artifacts), store }, {
      source: "acme/fleet", files: [{ file: "inventory/dev.yaml", text: ENV }], config, requestedBy: { actor: "octocat", reason: "inventory change" },
    });
    const [deployment] = (await reconcile()).deployments;
    await enqueueDeployment(openQueue(), owner, deployment!);

    // The worker process takes the job and starts the command.
    child = spawn(process.execPath, [CHILD], {
      env: { ...process.env, DATABASE_URL, REDIS_URL, BARYON_TEST_SCHEMA: db.schema, BARYON_TEST_PREFIX: prefix, BARYON_TEST_ARTIFACTS: artifactDir, BARYON_TEST_LOCK_MS: String(LOCK_MS) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    await waitFor("the command to start in the worker process", () => {
      if (child!.exitCode !== null) throw new Error(`the worker exited with ${child!.exitCode}: ${stderr}`);
      return existsSync(started) && readFileSync(started, "utf8").endsWith("\n");
    }, 20_000);
    commandGroup = Number(readFileSync(started, "utf8"));
    expect(await store.getDeployment(deployment!.id)).toMatchObject({ status: "in_progress" });

    const exited = new Promise((resolve) => child!.once("exit", (_code, signal) => resolve(signal)));
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    // Mid-deployment indeed; and the command it started stops with it (run-command.ts), so
    // nothing runs on beside whatever the resync decides.
    expect(await store.getDeployment(deployment!.id)).toMatchObject({ status: "in_progress" });
    await waitFor("the command's process group to stop with its worker", () => !groupAlive(commandGroup!), 10_000);

    // Another process's queue, as `baryon serve` runs it: deploy and resync workers; the resync runs.
    // The dead worker's run stops beating; once it has been silent for staleMs, it runs again.
    const liveness = { heartbeatMs: 200, staleMs: 1500 };
    const adapters: Adapters = {
      registry: db.registry, artifacts, queue: openQueue(), renderer, forkRenderer: renderer, provisioner: provisionerRegistry({ env: process.env }), verifier: createVerifier(),
      liveness, description: "test", close: async () => {},
    };
    const lines: string[] = [];
    const record = (_fields: object, message: string) => void lines.push(message);
    const context = { adapters, metrics: createMetrics(), log: { info: record, warn: record, error: record } };
    work(deployJob, context);
    work(resyncJob, context);
    await enqueue(adapters.queue, resyncJob, {});
    await waitForAsync("the deployment to finish", async () => {
      if ((await store.getDeployment(deployment!.id))!.status === "in_progress") await enqueue(adapters.queue, resyncJob, {});
      return (await store.getDeployment(deployment!.id))!.status !== "in_progress";
    }, 20_000);
    await waitForAsync("the restarted run to finish", async () => (await store.getDeployment(deployment!.id))!.status === "succeeded", 20_000);
    // The same deployment, run a second time: no new row, no failure.
    expect(await store.getDeployment(deployment!.id)).toMatchObject({ status: "succeeded", restarts: 1, outputs: { TopicName: "t" } });
    expect(await store.deploymentsOf("dev")).toHaveLength(1);
    expect(readFileSync(`${started}.log`, "utf8")).toBe("again\n");

    // The next reconcile has nothing to do.
    const again = await reconcile();
    expect(again.plan!.actions).toEqual([]);
    expect(again.deployments).toEqual([]);
  }, 60_000);
});
