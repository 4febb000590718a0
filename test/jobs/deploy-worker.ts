// A second process for deploy-kill.test.ts (built there with esbuild, run with node): a
// Baryon worker for deploy jobs only, on the test's Postgres schema, BullMQ prefix and
// artifact folder, as `baryon serve` would run one. It says "ready", then works until killed.
import { createLocalArtifactStore } from "../../src/adapters/artifacts/local.js";
import { createMetrics } from "../../src/adapters/metrics.js";
import { createBullmqQueue } from "../../src/adapters/queue/bullmq.js";
import { createPostgresRegistry } from "../../src/adapters/registry/postgres.js";
import type { Adapters } from "../../src/compose/adapters.js";
import { provisionerRegistry } from "../../src/compose/provisioners.js";
import { createVerifier } from "../../src/adapters/verifiers/verifier.js";
import { createRenderPool } from "../../src/jinja/pool.js";
import { deployJob } from "../../src/jobs/deploy.js";
import { work } from "../../src/jobs/job-kind.js";

const env = process.env;
const log = {
  info: (_fields: object, message: string) => console.error(message),
  warn: (_fields: object, message: string) => console.error(message),
  error: (_fields: object, message: string) => console.error(message),
};
const renderer = createRenderPool({ size: 1 });
const adapters: Adapters = {
  registry: await createPostgresRegistry(env.DATABASE_URL!, { schema: env.BARYON_TEST_SCHEMA! }),
  artifacts: createLocalArtifactStore({ dir: env.BARYON_TEST_ARTIFACTS! }),
  queue: createBullmqQueue({ connection: env.REDIS_URL!, prefix: env.BARYON_TEST_PREFIX!, lockMs: Number(env.BARYON_TEST_LOCK_MS), logger: log }),
  renderer,
  forkRenderer: renderer,
  provisioner: provisionerRegistry({ env: process.env }), verifier: createVerifier(),
  description: "deploy worker",
  close: async () => {},
};
work(deployJob, { adapters, metrics: createMetrics(), log });
process.stdout.write("ready\n");
