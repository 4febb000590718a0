// A second process for the two-process queue tests (bullmq-processes.test.ts builds it with
// esbuild and runs it with node): a BullMQ queue on the prefix it is given that handles one
// job name, records its runs, adds the jobs it is told to, then says "ready".
import { Redis } from "ioredis";
import { createBullmqQueue } from "../../src/adapters/queue/bullmq.js";
import type { JobOptions } from "../../src/ports/job-queue.js";
import { recordingHandler, type RunData } from "./run-log.js";

const env = process.env;
const connection = env.REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = env.BARYON_TEST_PREFIX ?? "";
const redis = new Redis(connection);
const queue = createBullmqQueue({
  connection,
  prefix,
  lockMs: Number(env.BARYON_TEST_LOCK_MS ?? 30_000),
  logger: { warn: (_fields, message) => console.error(message), error: (_fields, message) => console.error(message) },
});
queue.process<RunData>(env.BARYON_TEST_PROCESS ?? "", recordingHandler(redis, prefix), { concurrency: 4 });
const adds = JSON.parse(env.BARYON_TEST_ADD ?? "[]") as { name: string; data: RunData; options: JobOptions }[];
for (const { name, data, options } of adds) await queue.add(name, data, options);
process.stdout.write("ready\n");
process.on("SIGTERM", () => void queue.close().then(() => redis.quit()).finally(() => process.exit(0)));
