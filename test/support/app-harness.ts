// Baryon's real server against the loopback fake GitHub, with logs captured.
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterAll, afterEach, beforeEach } from "vitest";
import { createRenderPool } from "../../src/jinja/pool.js";
import { startServer, type RunningServer } from "../../src/main/serve.js";
import type { JobQueue } from "../../src/ports/job-queue.js";
import type { Renderer } from "../../src/ports/renderer.js";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { createLocalArtifactStore } from "../../src/adapters/artifacts/local.js";
import type { VersionMirror } from "../../src/ports/version-mirror.js";
import type { Adapters } from "../../src/compose/adapters.js";
import { testRegistry, type TestRegistry } from "./registry.js";
import { startFakeGitHub, type FakeGitHub } from "./fake-github/index.js";
import { ROOT } from "./cli.js";

export const SECRET = "test-webhook-secret";
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });

export interface Harness {
  fake: FakeGitHub;
  /** The app's registry: real Postgres, in a schema of this harness's own. */
  db: TestRegistry;
  app: RunningServer;
  /** Every log line the app wrote, as text. */
  logs: string[];
  webhookUrl: string;
  /**
   * Stops the app and starts a new one on the same fake GitHub, registry and artifacts (a restart,
   * or a deploy); `queue` replaces the queue it was given (null: the app builds its own).
   */
  restartApp(options?: { queue?: JobQueue | null }): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  queue?: JobQueue; renderer?: Renderer; forkRenderer?: Renderer; latencyMs?: number; firstId?: number; mirror?: VersionMirror; githubThrottling?: boolean;
  /** The app's environment; a function when it needs the fake GitHub (its app's OAuth client id). */
  env?: Record<string, string> | ((fake: FakeGitHub) => Record<string, string>);
  /** The app's port (default: any free one), for settings that name the app's own URL. */
  port?: number;
  /** Builds the provisioner a deployment names (default: the composition root's). */
  provisioner?: Adapters["provisioner"];
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const fake = await startFakeGitHub({
    ...(options.latencyMs ? { latencyMs: options.latencyMs } : {}),
    ...(options.firstId ? { firstId: options.firstId } : {}),
    precompile: true,
  });
  const logs: string[] = [];
  const sink = new Writable({ write(chunk, _enc, done) { logs.push(String(chunk)); done(); } });
  const db = await testRegistry();
  const artifactDir = mkdtempSync(join(tmpdir(), "baryon-artifacts-"));
  let queue = options.queue;
  const start = () => startServer({
    port: options.port ?? 0,
    host: "127.0.0.1",
    env: typeof options.env === "function" ? options.env(fake) : (options.env ?? {}),
    probot: { appId: fake.state.app.id, privateKey, secret: SECRET, baseUrl: fake.url, log: pino({ level: "debug" }, sink) },
    adapters: {
      ...(queue ? { queue } : {}),
      ...(options.renderer ? { renderer: options.renderer } : {}),
      ...(options.forkRenderer ? { forkRenderer: options.forkRenderer } : {}),
      ...(options.mirror ? { mirror: options.mirror } : {}),
      ...(options.provisioner ? { provisioner: options.provisioner } : {}),
      registry: db.registry,
      artifacts: createLocalArtifactStore({ dir: artifactDir }),
    },
    // Tests do not wait out GitHub's write spacing; the benchmark keeps it.
    githubThrottling: options.githubThrottling ?? false,
  });
  const harness: Harness = {
    fake, app: await start(), logs, db,
    get webhookUrl() {
      return `${harness.app.url}/api/github/webhooks`;
    },
    async restartApp(restart = {}) {
      await harness.app.close();
      if (restart.queue !== undefined) queue = restart.queue ?? undefined;
      harness.app = await start();
    },
    async close() {
      await harness.app.close();
      await fake.close();
      await db.drop();
    },
  };
  return harness;
}

/** The example templates as repository files under `prefix`. */
export function exampleFiles(prefix = "templates", dir = join(ROOT, "examples/templates")): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else files[`${prefix}/${relative(dir, full).split("\\").join("/")}`] = readFileSync(full, "utf8");
    }
  };
  walk(dir);
  return files;
}

export const uuid = () => randomUUID();

/**
 * A fresh harness for each test, all sharing the render pools (starting
 * children is the slow part); after each test, any request GitHub's description
 * does not allow fails it. `use` receives each new harness; `restart` swaps in
 * one with other options (a BullMQ queue, a mirror).
 */
export function harnessPerTest(use: (h: Harness) => void): { restart(options: Parameters<typeof startHarness>[0]): Promise<Harness> } {
  // The app suites share 2 cores with every other test file: a render that is slow here is
  // starved of CPU, not a runaway template (with the 2 s default, a deployment's render
  // occasionally failed its deadline in CI, and a fleet setup found 4 of 5 deployments done).
  // QuickJS for both pools, as these suites have always run; app.test.ts's fork routing test
  // uses both engines.
  const renderer = createRenderPool({ engine: "quickjs", deadlineMs: 20_000 });
  const forkRenderer = createRenderPool({ engine: "quickjs", deadlineMs: 20_000 });
  let current: Harness | undefined;
  const start = async (options: Parameters<typeof startHarness>[0] = {}) => {
    current = await startHarness({ renderer, forkRenderer, ...options });
    use(current);
    return current;
  };
  afterAll(async () => void (await Promise.all([renderer.close(), forkRenderer.close()])));
  beforeEach(async () => void (await start()));
  afterEach(async () => {
    try {
      current?.fake.assertNoUnexpected();
    } finally {
      await current?.close();
    }
  });
  return {
    async restart(options) {
      await current?.close();
      return start(options);
    },
  };
}
