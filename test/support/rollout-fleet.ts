// A fleet for rollout tests on real adapters: the test catalog (inventory.ts)
// published into a Postgres registry, `net@1` environments reconciled and deployed
// through the real `command` provisioner, and the job catalogue working on an
// in-process queue with the real render pool and verifier. The deploy command
// keeps a ledger of what it deployed and fails where a test says, so a test reads
// what happened from the registry and the ledger, never from Baryon's own log.
import { appendFileSync, existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, expect } from "vitest";
import { createLocalArtifactStore } from "../../src/adapters/artifacts/local.js";
import { createMetrics } from "../../src/adapters/metrics.js";
import { createInProcessQueue } from "../../src/adapters/queue/in-process.js";
import { createVerifier } from "../../src/adapters/verifiers/verifier.js";
import type { Adapters } from "../../src/compose/adapters.js";
import { provisionerRegistry } from "../../src/compose/provisioners.js";
import { publishChange, type PublishOutcome } from "../../src/flows/publish-change.js";
import { reconcileInventory } from "../../src/flows/reconcile-inventory.js";
import type { RolloutPorts } from "../../src/flows/rollout.js";
import { bundleLoader } from "../../src/flows/stored-bundle.js";
import { createRenderPool } from "../../src/jinja/pool.js";
import { startWorkers } from "../../src/jobs/catalogue.js";
import { enqueueDeployment } from "../../src/jobs/lanes.js";
import { rolloutPorts, startRollouts } from "../../src/jobs/rollout.js";
import type { DeploymentRecord, DeploymentStore } from "../../src/ports/deployment-store.js";
import type { Owner } from "../../src/ports/registry.js";
import type { Renderer } from "../../src/ports/renderer.js";
import type { RolloutStore } from "../../src/ports/rollout-store.js";
import type { RolloutRecord, RolloutStatus } from "../../src/rollout/model.js";
import { DEFAULT_STAGE, type RolloutPolicy, type StagePolicy } from "../../src/rollout/policy.js";
import { CATALOG_FILES } from "./inventory.js";
import { testRegistry, type TestRegistry } from "./registry.js";
import { snapshot } from "./snapshot.js";

export const OWNER: Owner = { login: "acme" };
export const ORIGIN = { repository: "acme/templates", pullRequest: 7, author: "octocat" };
const NET_IAC = "net/v1/infrastructure/cloudformation.yaml";

/** A stage with the defaults of `rollout:` and these settings. */
export const stage = (name: string, settings: Partial<Omit<StagePolicy, "name">> = {}): StagePolicy => ({ ...DEFAULT_STAGE, name, ...settings });
export const policy = (stages: StagePolicy[], autoRollback = false): RolloutPolicy => ({ stages, autoRollback });

/** An environment of the inventory: `template` is `net@1` unless it is pinned (`net@1.0`). */
export interface FleetEnvironment {
  name: string;
  stage: string;
  template?: string;
}

/** One tick of a rollout as the tick job told it, and when. */
export interface SeenStep {
  at: Date;
  rollout: string;
  status: RolloutStatus;
  stage?: string;
  reason?: string;
}

export interface RolloutFleet {
  db: TestRegistry;
  adapters: Adapters;
  store: DeploymentStore;
  rollouts: RolloutStore;
  ports: RolloutPorts;
  /** Every step the tick jobs took, in order. */
  steps: SeenStep[];
  /** Jobs that failed (they are retried; a test expects none). */
  jobErrors: string[];
  /** `resource version` per successful deploy, in the order they ran. */
  deployed(): string[];
  /** Deploys of `resource` at `version` (`web-prod-2 1.1`) fail from now on. */
  failDeploys(...entries: string[]): void;
  /** Reconciles these environments (added to the inventory) and runs their deployments to the end. */
  reconcile(environments: FleetEnvironment[]): Promise<DeploymentRecord[]>;
  /** Publishes a change to net v1 (revision `n`): its next minor. */
  publishNet(revision: number): Promise<PublishOutcome[]>;
  /** Starts the rollouts of what was published, as a publish job does, and runs the queue until nothing is left. */
  roll(outcomes: readonly PublishOutcome[], rolloutPolicy: RolloutPolicy): Promise<RolloutRecord>;
  /** The rollout as recorded now. */
  rollout(id: string): Promise<RolloutRecord>;
  /** The rollout's deployments of a resource (rollbacks included), oldest first. */
  deploymentsOf(resource: string, rolloutId: string): Promise<DeploymentRecord[]>;
  /** `major.minor` of each resource's last successful deployment, by key. */
  versions(): Promise<Record<string, string>>;
  close(): Promise<void>;
}

/** For a test file: one render pool, and a fleet per test (`open(environments)`), closed after it. */
export function rolloutFleetPerTest(): (environments: FleetEnvironment[]) => Promise<RolloutFleet> {
  const renderer = createRenderPool({ size: 2 });
  afterAll(() => renderer.close());
  let fleet: RolloutFleet | undefined;
  afterEach(async () => {
    await fleet?.close();
    fleet = undefined;
  });
  return async (environments) => (fleet = await rolloutFleet(renderer, environments));
}

export async function rolloutFleet(renderer: Renderer, environments: FleetEnvironment[]): Promise<RolloutFleet> {
  const db = await testRegistry();
  const dir = mkdtempSync(join(tmpdir(), "baryon-rollout-"));
  const ledger = join(dir, "ledger.txt");
  const fails = join(dir, "fails.txt");
  const deploy = [
    "set -e",
    `if grep -qxF "$BARYON_RESOURCE $BARYON_VERSION" '${fails}' 2>/dev/null; then echo "no capacity for $BARYON_RESOURCE" >&2; exit 3; fi`,
    `echo "$BARYON_RESOURCE $BARYON_VERSION" >> '${ledger}'`,
    'printf \'{"Url": "http://%s.example"}\' "$BARYON_RESOURCE" > outputs.json',
  ].join("\n");
  const config = { provisioners: { local: { kind: "command" as const, deploy, destroy: "true" } } };

  const queue = createInProcessQueue();
  const artifacts = createLocalArtifactStore({ dir: join(dir, "artifacts") });
  const adapters: Adapters = {
    registry: db.registry, artifacts, queue, renderer, forkRenderer: renderer, verifier: createVerifier(),
    provisioner: provisionerRegistry({ env: process.env, workRoot: dir }),
    description: "rollout test fleet",
    close: () => queue.close(),
  };
  const steps: SeenStep[] = [];
  const jobErrors: string[] = [];
  const log = { info: () => undefined, warn: () => undefined, error: (_fields: object, message: string) => void jobErrors.push(message) };
  await startWorkers({
    adapters, metrics: createMetrics(), log,
    onRolloutStep: (_owner, { rollout, step }) => void steps.push({
      at: new Date(), rollout: rollout.id, status: step.status, ...(step.stage ? { stage: step.stage } : {}), ...(step.reason ? { reason: step.reason } : {}),
    }),
  }, { resyncEveryMs: 60 * 60 * 1000 });

  const store = db.registry.deployments(OWNER);
  const versionStore = db.registry.versions(OWNER);
  const files = { ...CATALOG_FILES };
  const publish = (commit: string) => publishChange({ repository: ORIGIN.repository, commit, status: "published" }, {
    head: async () => snapshot(files), versions: versionStore, artifacts, renderer,
  });
  expect((await publish("c0")).map((o) => o.result)).toEqual(["published", "published", "published", "published"]);

  const inventory = new Map<string, string>();
  const fleet: RolloutFleet = {
    db, adapters, store, rollouts: db.registry.rollouts(OWNER), ports: rolloutPorts(adapters, OWNER), steps, jobErrors,
    deployed: () => (existsSync(ledger) ? readFileSync(ledger, "utf8").trim().split("\n") : []),
    failDeploys: (...entries) => appendFileSync(fails, entries.map((e) => `${e}\n`).join("")),
    async reconcile(added) {
      for (const env of added) {
        inventory.set(`inventory/${env.name}.yaml`, `proton: EnvironmentSpec\ntemplate: ${env.template ?? "net@1"}\nstage: ${env.stage}\nspec:\n  count: 1\n`);
      }
      const outcome = await reconcileInventory({ versions: versionStore, bundleOf: bundleLoader(artifacts), store }, {
        source: "acme/fleet", files: [...inventory].map(([file, text]) => ({ file, text })), config,
        requestedBy: { actor: "octocat", reason: "inventory change" },
      });
      expect(outcome.diagnostics).toEqual([]);
      for (const d of outcome.deployments) await enqueueDeployment(queue, OWNER, d);
      await queue.idle();
      for (const d of outcome.deployments) expect((await store.getDeployment(d.id))!.status).toBe("succeeded");
      return outcome.deployments;
    },
    async publishNet(revision) {
      files[NET_IAC] = `${CATALOG_FILES[NET_IAC]}# revision ${revision}\n`;
      return publish(`c${revision}`);
    },
    async roll(outcomes, rolloutPolicy) {
      const starts = await startRollouts(adapters, OWNER, outcomes, ORIGIN, rolloutPolicy);
      const started = starts.flatMap((s) => ("rollout" in s ? [s.rollout] : []));
      expect(started, JSON.stringify(starts)).toHaveLength(1);
      await queue.idle();
      return fleet.rollout(started[0]!.id);
    },
    rollout: async (id) => (await fleet.rollouts.getRollout(id))!,
    async deploymentsOf(resource, rolloutId) {
      return (await store.deploymentsOf(resource, 100)).filter((d) => d.rollout?.id === rolloutId).reverse();
    },
    async versions() {
      const last = await store.lastSucceededAll();
      return Object.fromEntries([...last].map(([key, d]) => [key, `${d.major}.${d.minor}`]).sort());
    },
    async close() {
      await queue.close();
      await db.drop();
    },
  };
  await fleet.reconcile(environments);
  return fleet;
}
