// A worker process for crash.test.ts (built there with esbuild, run with node): a Baryon
// worker as `baryon serve` runs one — every job kind of the catalogue and the resync
// schedule — on the test's Postgres schema and artifact folder, with either BullMQ on the
// test's Redis and prefix or the in-process queue. It says "ready", then works until killed.
// Job lines go to stderr only with BARYON_TEST_VERBOSE; warnings and errors always do.
import { createLocalArtifactStore } from "../../src/adapters/artifacts/local.js";
import { createMetrics } from "../../src/adapters/metrics.js";
import { createBullmqQueue } from "../../src/adapters/queue/bullmq.js";
import { createInProcessQueue } from "../../src/adapters/queue/in-process.js";
import { createPostgresRegistry } from "../../src/adapters/registry/postgres.js";
import { createVerifier } from "../../src/adapters/verifiers/verifier.js";
import type { Adapters } from "../../src/compose/adapters.js";
import { provisionerRegistry } from "../../src/compose/provisioners.js";
import { createRenderPool } from "../../src/jinja/pool.js";
import { startWorkers } from "../../src/jobs/catalogue.js";

const env = process.env;
const say = (_fields: object, message: string) => console.error(message);
const log = { info: env.BARYON_TEST_VERBOSE ? say : () => {}, warn: say, error: say };
const queue = env.BARYON_TEST_QUEUE === "in-process"
  ? createInProcessQueue({ logger: log })
  : createBullmqQueue({ connection: env.REDIS_URL!, prefix: env.BARYON_TEST_PREFIX!, lockMs: Number(env.BARYON_TEST_LOCK_MS), logger: log });
// Four workers, their render sandboxes and their commands share a small machine on purpose:
// a render that is slow here is starved of CPU, not a runaway template.
const renderer = createRenderPool({ size: 1, deadlineMs: 20_000 });
const adapters: Adapters = {
  registry: await createPostgresRegistry(env.DATABASE_URL!, { schema: env.BARYON_TEST_SCHEMA! }),
  artifacts: createLocalArtifactStore({ dir: env.BARYON_TEST_ARTIFACTS! }),
  queue,
  renderer,
  forkRenderer: renderer,
  provisioner: provisionerRegistry({ env: process.env, workRoot: env.BARYON_TEST_WORK! }),
  verifier: createVerifier(),
  // A killed worker's runs are taken up again once silent this long (production: 15 s).
  liveness: { heartbeatMs: 250, staleMs: 2500 },
  description: "rollout worker",
  close: async () => {},
};
await startWorkers({ adapters, metrics: createMetrics(), log }, { resyncEveryMs: Number(env.BARYON_TEST_RESYNC_MS) });
process.stdout.write("ready\n");
