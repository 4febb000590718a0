// Reconcile and deploy, end to end on a real registry, the real sandboxed
// renderer and the real `command` provisioner: create, outputs flowing
// environment → instance → pipeline, redeploy, delete only when confirmed, a
// reconcile run twice, and a deployment whose worker died (run again) or lives on (left alone).
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLocalArtifactStore } from "../../src/adapters/artifacts/local.js";
import { sha256Hex } from "../../src/bundle/archive/archive.js";
import { provisionerRegistry } from "../../src/compose/provisioners.js";
import { deployResource, type DeployOutcome, type DeployPorts } from "../../src/flows/deploy-resource.js";
import { publishChange } from "../../src/flows/publish-change.js";
import { reconcileInventory, type ReconcileInput } from "../../src/flows/reconcile-inventory.js";
import { bundleLoader } from "../../src/flows/stored-bundle.js";
import { describeAction } from "../../src/inventory/plan.js";
import { createRenderPool } from "../../src/jinja/pool.js";
import type { ArtifactStore } from "../../src/ports/artifact-store.js";
import type { DeploymentStore } from "../../src/ports/deployment-store.js";
import type { VersionStore } from "../../src/ports/registry.js";
import { CATALOG_FILES } from "../support/inventory.js";
import { testRegistry, type TestRegistry } from "../support/registry.js";
import { snapshot } from "../support/snapshot.js";

const renderer = createRenderPool({ size: 1 });
afterAll(() => renderer.close());

// Appends what it deployed to a ledger and answers the rendered TopicName as an output.
const DEPLOY = [
  "set -e",
  'f=$(find . -name cloudformation.yaml | head -n 1)',
  'topic=$(sed -n "s/.*TopicName: //p" "$f")',
  'echo "$BARYON_RESOURCE_KIND $BARYON_RESOURCE $BARYON_VERSION $topic" >> "$LEDGER"',
  'printf \'{"TopicName": "%s"}\' "$topic" > outputs.json',
].join("\n");

let db: TestRegistry;
let versions: VersionStore;
let store: DeploymentStore;
let artifacts: ArtifactStore;
let ledger: string;
let deployPorts: DeployPorts;

beforeEach(async () => {
  db = await testRegistry();
  versions = db.registry.versions({ login: "acme" });
  store = db.registry.deployments({ login: "acme" });
  const dir = mkdtempSync(join(tmpdir(), "baryon-reconcile-"));
  artifacts = createLocalArtifactStore({ dir: join(dir, "artifacts") });
  ledger = join(dir, "ledger.txt");
  const published = await publishChange({ repository: "acme/templates", commit: "c1", status: "published" }, {
    head: async () => snapshot(CATALOG_FILES), versions, artifacts, renderer,
  });
  expect(published.map((o) => o.result)).toEqual(["published", "published", "published", "published"]);
  const provisioners = provisionerRegistry({ env: { ...process.env, LEDGER: ledger }, workRoot: dir });
  deployPorts = {
    store, versions, bundleOf: bundleLoader(artifacts), renderer,
    provisioner: provisioners,
    saveLog: async (_id, text) => (await artifacts.put(sha256Hex(new TextEncoder().encode(text)), new TextEncoder().encode(text))).location,
  };
});
afterEach(() => db.drop());

const ENV = "proton: EnvironmentSpec\ntemplate: net@1\nstage: test\nspec:\n  count: 2\n";
const SVC = "proton: ServiceSpec\ntemplate: api@1\npipeline:\n  branch: release\ninstances:\n  - name: api-test\n    environment: dev\n    spec:\n      image: nginx\n";
const LOCAL = { kind: "command" as const, deploy: DEPLOY, destroy: 'echo "destroy $BARYON_RESOURCE" >> "$LEDGER"', env: ["LEDGER"] };
const config = { provisioners: { local: LOCAL } };
const requestedBy = { actor: "octocat", reason: "inventory change", repository: "acme/fleet", pullRequest: 3 };

const reconcile = (files: Record<string, string>, extra: Partial<ReconcileInput> = {}) =>
  reconcileInventory({ versions, bundleOf: bundleLoader(artifacts), store }, {
    source: "acme/fleet", files: Object.entries(files).map(([file, text]) => ({ file, text })), config, requestedBy, ...extra,
  });

/** Runs deployments the way the deploy jobs do: a finished one releases those waiting for it. */
async function deployAll(ids: string[]): Promise<Map<string, DeployOutcome>> {
  const outcomes = new Map<string, DeployOutcome>();
  const queue = [...ids];
  for (let turns = 0; queue.length > 0 && turns < 50; turns++) {
    const id = queue.shift()!;
    const outcome = await deployResource(deployPorts, id);
    outcomes.set(id, outcome);
    if (outcome.state === "finished") queue.push(...outcome.next.map((d) => d.id).filter((n) => !queue.includes(n)));
  }
  return outcomes;
}
const deployed = () => readFileSync(ledger, "utf8").trim().split("\n");

/** `store`, where another worker's `step` happens right after the first call `when` picks has read the registry. */
function raceAfter(store: DeploymentStore, when: (prop: PropertyKey, args: unknown[]) => boolean, step: () => Promise<unknown>) {
  let raced = false;
  const racing = new Proxy(store, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        if (!raced && when(prop, args)) {
          raced = true;
          await step();
        }
        return result;
      };
    },
  });
  return { store: racing, raced: () => raced };
}

describe("reconcile and deploy", () => {
  it("creates every resource, the instance after its environment, with outputs flowing on to the pipeline", async () => {
    const outcome = await reconcile({ "inventory/dev.yaml": ENV, "inventory/shop.yaml": SVC });
    expect(outcome.diagnostics).toEqual([]);
    expect(outcome.plan!.actions.map(describeAction)).toEqual(["create dev at net 1.0", "create shop/api-test at api 1.0", "create shop/pipeline at api 1.0"]);
    expect(outcome.deployments.map((d) => [d.resource, d.status])).toEqual([["dev", "pending"], ["shop/api-test", "pending"], ["shop/pipeline", "pending"]]);

    // The instance and the pipeline are asked first: they wait; the environment's success releases them in order.
    const [env, instance, pipeline] = outcome.deployments.map((d) => d.id);
    expect(await deployResource(deployPorts, instance!)).toEqual({ state: "waiting", on: "dev" });
    expect(await deployResource(deployPorts, pipeline!)).toEqual({ state: "waiting", on: "shop/api-test" });
    const outcomes = await deployAll([env!]);
    expect([...outcomes.values()].map((o) => o.state)).toEqual(["finished", "finished", "finished"]);
    expect(deployed()).toEqual([
      "environment dev 1.0 net-dev-2",
      "service_instance api-test 1.0 net-dev-2-api-test-nginx",
      "service_pipeline shop 1.0 pipe-release-net-dev-2-api-test-nginx",
    ]);
    const record = await store.getDeployment(pipeline!);
    expect(record).toMatchObject({ status: "succeeded", outputs: { TopicName: "pipe-release-net-dev-2-api-test-nginx" }, renderedDigest: expect.stringMatching(/^[0-9a-f]{64}$/), requestedBy });
    expect(new TextDecoder().decode(await artifacts.get(record!.log!))).toMatch(/^\[baryon\]/m);
  });

  it("deploys nothing twice when the same inventory is reconciled again (a redelivered push)", async () => {
    const files = { "inventory/dev.yaml": ENV };
    const first = await reconcile(files);
    const again = await reconcile(files);
    expect(again.deployments).toEqual([]);
    expect(again.plan!.actions.map(describeAction)).toEqual(["redeploy dev at net 1.0 (never deployed successfully)"]);
    await deployAll(first.deployments.map((d) => d.id));
    const settled = await reconcile(files);
    expect(settled.plan).toEqual({ actions: [], unchanged: ["dev"] });
    expect(deployed()).toEqual(["environment dev 1.0 net-dev-2"]);
  });

  it("redeploys a changed spec, and deletes a removed resource only once it is confirmed", async () => {
    await deployAll((await reconcile({ "inventory/dev.yaml": ENV, "inventory/qa.yaml": ENV })).deployments.map((d) => d.id));
    const changed = await reconcile({ "inventory/dev.yaml": ENV.replace("count: 2", "count: 3") });
    expect(changed.plan!.actions.map(describeAction)).toEqual([
      "redeploy dev at net 1.0 (spec changed)",
      "delete qa: waits for confirmation (`/baryon confirm-delete qa` on the pull request, or `baryon apply --confirm-delete qa`)",
    ]);
    expect(changed.deployments.map((d) => [d.resource, d.action])).toEqual([["dev", "deploy"]]);
    await deployAll(changed.deployments.map((d) => d.id));
    expect((await store.resources()).map((r) => r.key)).toEqual(["dev", "qa"]);

    const confirmed = await reconcile({ "inventory/dev.yaml": ENV.replace("count: 2", "count: 3") }, { confirmedDeletes: new Set(["qa"]) });
    expect(confirmed.deployments.map((d) => [d.resource, d.action, d.status])).toEqual([["qa", "delete", "delete_pending"]]);
    await deployAll(confirmed.deployments.map((d) => d.id));
    expect(deployed().slice(-2)).toEqual(["environment dev 1.0 net-dev-3", "destroy qa"]);
    expect((await store.resources()).map((r) => r.key)).toEqual(["dev"]);
  });

  it("deletes an environment after the instances that live in it, and refuses while one is still wanted", async () => {
    const created = await reconcile({ "inventory/dev.yaml": ENV, "inventory/shop.yaml": SVC });
    await deployAll(created.deployments.map((d) => d.id));
    // The environment alone is removed from the inventory: its instance still lives there.
    const alone = await reconcile({ "inventory/shop.yaml": SVC }, { confirmedDeletes: new Set(["dev"]) }).catch((e: unknown) => e);
    expect(alone).toMatchObject({ diagnostics: [expect.objectContaining({ message: expect.stringMatching(/environment "dev" is not in the inventory/) })] });

    const all = await reconcile({}, { confirmedDeletes: new Set(["dev", "shop/api-test", "shop/pipeline"]) });
    expect(all.deployments.map((d) => d.resource)).toEqual(["dev", "shop/api-test", "shop/pipeline"]);
    // The environment's delete is asked first: it waits for its instance's, which releases it.
    expect(await deployResource(deployPorts, all.deployments[0]!.id)).toEqual({ state: "waiting", on: "shop/api-test" });
    await deployAll(all.deployments.slice(1).map((d) => d.id));
    for (const d of all.deployments) expect((await store.getDeployment(d.id))!.status).toBe("delete_succeeded");
    expect(deployed().slice(-3)).toEqual(["destroy api-test", "destroy shop", "destroy dev"]);
    expect(await store.resources()).toEqual([]);
  });

  it("fails an instance whose environment never deployed, saying why, instead of waiting forever", async () => {
    const outcome = await reconcile({ "inventory/dev.yaml": ENV, "inventory/shop.yaml": SVC });
    const [env, instance] = outcome.deployments;
    await store.startDeployment(env!.id, "x");
    await store.finishDeployment(env!.id, { status: "failed", reason: "deploy command exited with code 1" });
    const result = await deployResource(deployPorts, instance!.id);
    expect(result).toMatchObject({ state: "finished", deployment: { status: "failed", reason: expect.stringMatching(/environment dev has never deployed successfully \(its last deployment \d+ failed: deploy command exited with code 1\)/) } });
  });

  it("deploys an instance whose environment finishes while the instance reads its state, instead of failing it", async () => {
    const outcome = await reconcile({ "inventory/dev.yaml": ENV, "inventory/shop.yaml": SVC });
    const [env, instance] = outcome.deployments;
    await store.startDeployment(env!.id, "x");
    // The environment's worker finishes right after the instance's first read of the environment.
    const racing = raceAfter(store, (prop, args) => args[0] === "dev" && (prop === "lastSucceeded" || prop === "deploymentsOf"),
      () => store.finishDeployment(env!.id, { status: "succeeded", outputs: { TopicName: "net-dev-2" } }));
    const result = await deployResource({ ...deployPorts, store: racing.store }, instance!.id);
    expect(racing.raced()).toBe(true);
    expect(result).toMatchObject({ state: "finished", deployment: { status: "succeeded", outputs: { TopicName: "net-dev-2-api-test-nginx" } } });
  });

  it("deletes an environment whose last instance is deleted while the environment's delete reads its tenants", async () => {
    const created = await reconcile({ "inventory/dev.yaml": ENV, "inventory/shop.yaml": SVC });
    await deployAll(created.deployments.map((d) => d.id));
    const all = await reconcile({}, { confirmedDeletes: new Set(["dev", "shop/api-test", "shop/pipeline"]) });
    const [env, instance, pipeline] = all.deployments;
    await deployAll([pipeline!.id]);
    await store.startDeployment(instance!.id, "x");
    // The instance's worker finishes its delete right after the environment's delete lists the environment's tenants.
    const racing = raceAfter(store, (prop, args) => prop === "resources" && (args[0] as { environment?: string } | undefined)?.environment === "dev",
      () => store.finishDeployment(instance!.id, { status: "delete_succeeded", outputs: {} }));
    const result = await deployResource({ ...deployPorts, store: racing.store }, env!.id);
    expect(racing.raced()).toBe(true);
    expect(result).toMatchObject({ state: "finished", deployment: { status: "delete_succeeded" } });
    expect(await store.resources()).toEqual([]);
  });

  it("redeploys the pipeline with its service's instances as they come and go", async () => {
    const two = `${SVC}  - name: api-qa\n    environment: dev\n    spec:\n      image: nginx\n`;
    await deployAll((await reconcile({ "inventory/dev.yaml": ENV, "inventory/shop.yaml": SVC })).deployments.map((d) => d.id));
    const added = await reconcile({ "inventory/dev.yaml": ENV, "inventory/shop.yaml": two });
    expect(added.plan!.actions.map(describeAction)).toEqual(["create shop/api-qa at api 1.0", "redeploy shop/pipeline at api 1.0 (instances changed: +shop/api-qa)"]);
    await deployAll(added.deployments.map((d) => d.id));
    expect(deployed().slice(-2)).toEqual([
      "service_instance api-qa 1.0 net-dev-2-api-qa-nginx",
      "service_pipeline shop 1.0 pipe-release-net-dev-2-api-qa-nginx-net-dev-2-api-test-nginx",
    ]);

    const removed = await reconcile({ "inventory/dev.yaml": ENV, "inventory/shop.yaml": SVC }, { confirmedDeletes: new Set(["shop/api-qa"]) });
    expect(removed.deployments.map((d) => [d.resource, d.action])).toEqual([["shop/api-qa", "delete"], ["shop/pipeline", "deploy"]]);
    // The pipeline no longer delivers to the instance on its way out, whether it deploys before its delete or after.
    await deployAll([removed.deployments[1]!.id]);
    expect(deployed().at(-1)).toBe("service_pipeline shop 1.0 pipe-release-net-dev-2-api-test-nginx");
    await deployAll([removed.deployments[0]!.id]);
    expect(deployed().at(-1)).toBe("destroy api-qa");
    expect((await store.resources()).map((r) => r.key)).toEqual(["dev", "shop/api-test", "shop/pipeline"]);
  });

  it("redeploys the pipeline when an instance changes what it renders, and not when it renders the same", async () => {
    await deployAll((await reconcile({ "inventory/dev.yaml": ENV, "inventory/shop.yaml": SVC })).deployments.map((d) => d.id));
    // A new image changes the instance's TopicName output, which the pipeline renders.
    const changed = await reconcile({ "inventory/dev.yaml": ENV, "inventory/shop.yaml": SVC.replace("image: nginx", "image: httpd") });
    expect(changed.plan!.actions.map(describeAction)).toEqual(["redeploy shop/api-test at api 1.0 (spec changed)"]);
    const outcomes = await deployAll(changed.deployments.map((d) => d.id));
    expect(deployed().slice(-2)).toEqual([
      "service_instance api-test 1.0 net-dev-2-api-test-httpd",
      "service_pipeline shop 1.0 pipe-release-net-dev-2-api-test-httpd",
    ]);
    const pipeline = [...outcomes.values()].find((o) => o.state === "finished" && o.deployment.resource === "shop/pipeline");
    expect(pipeline).toMatchObject({ deployment: { status: "succeeded", requestedBy: { actor: "baryon", reason: "its instances changed: shop/api-test" } } });

    // Another input (the port), the same outputs: this pipeline renders no instance input, so it renders the same and is left alone.
    const port = await reconcile({ "inventory/dev.yaml": ENV, "inventory/shop.yaml": SVC.replace("image: nginx", "image: httpd\n      port: 8080") });
    await deployAll(port.deployments.map((d) => d.id));
    expect(deployed().slice(-1)).toEqual(["service_instance api-test 1.0 net-dev-2-api-test-httpd"]);
    expect(await store.deploymentsOf("shop/pipeline")).toHaveLength(2);

    // The instance deployed again as it was (a retry, a redeploy to the same spec): the pipeline is left alone.
    const [latest] = await store.deploymentsOf("shop/api-test", 1);
    const { deployment: same } = await store.requestDeployment(undefined, { ...latest!, requestedBy: { actor: "octocat", reason: "manual" } });
    await deployAll([same.id]);
    expect(deployed().slice(-1)).toEqual(["service_instance api-test 1.0 net-dev-2-api-test-httpd"]);
    expect(await store.deploymentsOf("shop/pipeline")).toHaveLength(2);
  });

  it("redeploys a pipeline whose instance's outputs changed while the pipeline was deploying", async () => {
    await deployAll((await reconcile({ "inventory/dev.yaml": ENV, "inventory/shop.yaml": SVC })).deployments.map((d) => d.id));
    // The pipeline's branch and the instance's image change together; the pipeline is the first to run.
    const both = await reconcile({ "inventory/dev.yaml": ENV, "inventory/shop.yaml": SVC.replace("branch: release", "branch: main").replace("image: nginx", "image: httpd") });
    const instance = both.deployments.find((d) => d.resource === "shop/api-test")!;
    const pipeline = both.deployments.find((d) => d.resource === "shop/pipeline")!;
    // While the pipeline's provisioner runs (it rendered the old TopicName), the instance's deployment finishes.
    let during: DeployOutcome | undefined;
    const racing: DeployPorts = {
      ...deployPorts,
      provisioner: (name, settings) => {
        const inner = deployPorts.provisioner(name, settings);
        return {
          status: (request, handle) => inner.status(request, handle),
          destroy: (request, signal) => inner.destroy(request, signal),
          deploy: async (request, signal) => {
            if (request.resource.kind === "service_pipeline" && !during) during = await deployResource(deployPorts, instance.id);
            return inner.deploy(request, signal);
          },
        };
      },
    };
    const first = await deployResource(racing, pipeline.id);
    expect(during).toMatchObject({ state: "finished", deployment: { status: "succeeded" }, next: [] });
    expect(first).toMatchObject({ state: "finished", deployment: { status: "succeeded" }, next: [{ resource: "shop/pipeline", status: "pending" }] });
    expect(deployed().slice(-2)).toEqual(["service_instance api-test 1.0 net-dev-2-api-test-httpd", "service_pipeline shop 1.0 pipe-main-net-dev-2-api-test-nginx"]);
    const again = first.state === "finished" ? first.next[0]! : undefined;
    expect(again?.requestedBy.reason).toBe("its instances changed: while it deployed");
    await deployAll([again!.id]);
    expect(deployed().at(-1)).toBe("service_pipeline shop 1.0 pipe-main-net-dev-2-api-test-httpd");
  });

  it("cancels a pipeline's redeploy for its instances' outputs once something moved the pipeline to another version", async () => {
    await deployAll((await reconcile({ "inventory/dev.yaml": ENV, "inventory/shop.yaml": SVC })).deployments.map((d) => d.id));
    const [instance] = (await reconcile({ "inventory/dev.yaml": ENV, "inventory/shop.yaml": SVC.replace("image: nginx", "image: httpd") })).deployments;
    const outcome = await deployResource(deployPorts, instance!.id);
    const follow = outcome.state === "finished" ? outcome.next.find((d) => d.resource === "shop/pipeline") : undefined;
    expect(follow).toMatchObject({ status: "pending", major: 1, minor: 0 });
    // Before it starts, a rollout takes the pipeline to a new minor, 1.1 (recorded here as done).
    const pipelineFile = "api/v1/pipeline_infrastructure/cloudformation.yaml";
    const next = { ...CATALOG_FILES, [pipelineFile]: `${CATALOG_FILES[pipelineFile]}# 1.1\n` };
    const published = await publishChange({ repository: "acme/templates", commit: "c2", status: "published" }, { head: async () => snapshot(next), versions, artifacts, renderer });
    expect(published.filter((o) => o.result === "published").map((o) => o.template)).toEqual(["api"]);
    const { deployment: moved } = await store.requestDeployment(undefined, {
      resource: "shop/pipeline", action: "deploy", template: "api", major: 1, minor: 1, inputs: { branch: "release" },
      provisioner: "local", provisionerSettings: LOCAL, requestedBy: { actor: "baryon", reason: "rollout" },
    });
    await store.startDeployment(moved.id, "digest");
    await store.finishDeployment(moved.id, { status: "succeeded", outputs: {} });
    const ledger = deployed();
    expect(await deployResource(deployPorts, follow!.id)).toMatchObject({
      state: "finished", deployment: { status: "cancelled", reason: `shop/pipeline deployed again meanwhile (${moved.id}, 1.1), with its instances as they are` },
    });
    expect(deployed()).toEqual(ledger);
  });

  it("leaves a run that still beats alone, runs one that stopped beating again under the same row, and fails one that died too often", async () => {
    const [env] = (await reconcile({ "inventory/dev.yaml": ENV })).deployments;
    await store.startDeployment(env!.id, "digest"); // a worker took it: its first beat
    // Another job for it (a lost lock, a resync) while that run lives: nothing starts beside it.
    expect(await deployResource(deployPorts, env!.id)).toEqual({ state: "elsewhere", afterMs: 15_000 });
    expect(await store.getDeployment(env!.id)).toMatchObject({ status: "in_progress", restarts: 0 });

    // Its worker died: silent past staleMs, it runs again, same row, and succeeds.
    const result = await deployResource({ ...deployPorts, liveness: { staleMs: 0 } }, env!.id);
    expect(result).toMatchObject({ state: "finished", deployment: { id: env!.id, status: "succeeded", restarts: 1 } });
    expect(await store.deploymentsOf("dev")).toHaveLength(1);

    // Died once more than allowed: failed with the reason, never stuck in progress; the next reconcile asks again.
    const both = { "inventory/dev.yaml": ENV, "inventory/qa.yaml": ENV };
    const [qa] = (await reconcile(both)).deployments;
    await store.startDeployment(qa!.id, "digest");
    const failed = await deployResource({ ...deployPorts, liveness: { staleMs: 0, maxRestarts: 0 } }, qa!.id);
    expect(failed).toMatchObject({ state: "finished", deployment: { resource: "qa", status: "failed", reason: expect.stringMatching(/stopped before it finished/) } });
    expect((await reconcile(both)).deployments.map((d) => [d.resource, d.status])).toEqual([["qa", "pending"]]);
  });

  it("plans each repository's inventory apart: one never removes, nor takes, another's resources", async () => {
    await deployAll((await reconcile({ "inventory/dev.yaml": ENV })).deployments.map((d) => d.id));
    const other = await reconcile({ "inventory/qa.yaml": ENV }, { source: "acme/other-fleet" });
    expect(other.plan!.actions.map(describeAction)).toEqual(["create qa at net 1.0"]);
    const taken = await reconcile({ "inventory/dev.yaml": ENV }, { source: "acme/other-fleet" });
    expect(taken.plan).toBeUndefined();
    expect(taken.diagnostics.map((d) => `${d.file}:${d.line}: ${d.message}`)).toEqual([
      "inventory/dev.yaml:1: dev is already declared by the inventory of acme/fleet (inventory/dev.yaml); remove it there first",
    ]);
    expect((await reconcile({ "inventory/dev.yaml": ENV })).plan).toEqual({ actions: [], unchanged: ["dev"] });
  });

  it("records and deploys nothing for an inventory with errors", async () => {
    const outcome = await reconcile({ "inventory/dev.yaml": ENV, "inventory/shop.yaml": SVC.replace("environment: dev", "environment: prod") });
    expect(outcome.plan).toBeUndefined();
    expect(outcome.diagnostics.map((d) => `${d.file}:${d.line}: ${d.message}`)).toEqual([
      expect.stringMatching(/^inventory\/shop\.yaml:7: instance "api-test": environment "prod" is not in the inventory/),
    ]);
    expect(await store.resources()).toEqual([]);
  });
});
