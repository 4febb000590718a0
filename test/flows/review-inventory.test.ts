// The inventory part of a review, on a real registry and the real sandboxed
// renderer: the plan a merge would carry out, the render of each resource it
// creates or redeploys against what is deployed now, and problems at their line.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLocalArtifactStore } from "../../src/adapters/artifacts/local.js";
import { parseRepository } from "../../src/bundle/parse/repository.js";
import { fleetDiff, reviewInventory } from "../../src/flows/review-inventory.js";
import { bundleLoader } from "../../src/flows/stored-bundle.js";
import { createRenderPool } from "../../src/jinja/pool.js";
import type { ArtifactStore } from "../../src/ports/artifact-store.js";
import { deployFleet, FLEET_CONFIG, publishCatalog, type FleetAdapters } from "../support/fleet.js";
import { CATALOG_FILES } from "../support/inventory.js";
import { testRegistry, type TestRegistry } from "../support/registry.js";
import { snapshot } from "../support/snapshot.js";

const renderer = createRenderPool({ size: 1 });
afterAll(() => renderer.close());

const owner = { login: "acme" };
let db: TestRegistry;
let artifacts: ArtifactStore;
let fleet: FleetAdapters;

beforeEach(async () => {
  db = await testRegistry();
  artifacts = createLocalArtifactStore({ dir: mkdtempSync(join(tmpdir(), "baryon-review-inventory-")) });
  fleet = { registry: db.registry, artifacts, renderer };
  await publishCatalog(fleet, owner);
});
afterEach(() => db.drop());

const env = (count: number, provisioner = "local") => `proton: EnvironmentSpec\ntemplate: net@1\nstage: test\nprovisioner: ${provisioner}\nspec:\n  count: ${count}\n`;
const svc = (image: string, instances = ["dev"]) => `proton: ServiceSpec\ntemplate: api@1\nprovisioner: local\npipeline:\n  branch: release\ninstances:\n${instances.map((e) => `  - name: api-${e}\n    environment: ${e}\n    spec:\n      image: ${image}\n`).join("")}`;
const config = { ...FLEET_CONFIG, inventory: [{ path: "inventory" }] };

const review = (base: Record<string, string>, head: Record<string, string>) => reviewInventory(
  { base: snapshot(base), head: snapshot(head), config, repository: "acme/templates" },
  { versions: db.registry.versions(owner), bundleOf: bundleLoader(artifacts), store: db.registry.deployments(owner), renderer },
);

describe("reviewing an inventory change", () => {
  it("has nothing to say about a change that touches no inventory file", async () => {
    const files = { "inventory/dev.yaml": env(2) };
    expect(await review(files, { ...files, "README.md": "hello\n" })).toBeUndefined();
  });

  it("plans the creates and renders each new resource in full, placeholders for outputs not deployed yet", async () => {
    const result = await review({}, { "inventory/dev.yaml": env(2), "inventory/shop.yaml": svc("nginx") });
    expect(result!.files).toEqual(["inventory/dev.yaml", "inventory/shop.yaml"]);
    expect(result!.plan.map((l) => l.text)).toEqual(["create dev at net 1.0", "create shop/api-dev at api 1.0", "create shop/pipeline at api 1.0"]);
    expect(result!.diff).toMatchObject({ total: 3, changed: 3 });
    const byLabel = new Map(result!.diff.groups.flatMap((g) => g.labels.map((l) => [l, g])));
    expect(byLabel.get("dev")!.diffs[0]).toMatchObject({ path: "infrastructure/cloudformation.yaml", deletions: 0 });
    expect(byLabel.get("dev")!.diffs[0]!.patch).toMatch(/^\+      TopicName: net-dev-2$/m);
    expect(byLabel.get("shop/api-dev")!.diffs[0]!.patch).toMatch(/^\+      TopicName: <environment\.outputs\.TopicName>-api-dev-nginx$/m);
  });

  it("shows only the changed instance's diff against its deployed render, with the recorded outputs", async () => {
    const deployed = { "inventory/dev.yaml": env(2), "inventory/qa.yaml": env(5), "inventory/shop.yaml": svc("nginx", ["dev", "qa"]) };
    await deployFleet(fleet, owner, deployed);
    const edited = svc("nginx", ["dev", "qa"]).replace(/(api-qa[\s\S]*image: )nginx/, "$1httpd");
    const result = await review(deployed, { ...deployed, "inventory/shop.yaml": edited });
    expect(result!.files).toEqual(["inventory/shop.yaml"]);
    expect(result!.plan.map((l) => l.text)).toEqual(["redeploy shop/api-qa at api 1.0 (spec changed)"]);
    expect(result!.unchanged).toBe(4);
    expect(result!.diff.groups).toEqual([expect.objectContaining({ labels: ["shop/api-qa"] })]);
    const patch = result!.diff.groups[0]!.diffs[0]!.patch;
    expect(patch).toMatch(/^-      TopicName: net-qa-5-api-qa-nginx$/m);
    expect(patch).toMatch(/^\+      TopicName: net-qa-5-api-qa-httpd$/m);
  });

  it("marks a removed resource's delete as waiting for confirmation, with nothing rendered", async () => {
    const deployed = { "inventory/dev.yaml": env(2), "inventory/qa.yaml": env(5) };
    await deployFleet(fleet, owner, deployed);
    const result = await review(deployed, { "inventory/dev.yaml": env(2) });
    expect(result!.plan).toEqual([expect.objectContaining({ action: "delete", key: "qa", waiting: true, text: expect.stringMatching(/^delete qa: waits for confirmation/) })]);
    expect(result!.diff).toEqual({ groups: [], total: 0, changed: 0 });
  });

  it("reports a bad inventory file at its line and plans nothing", async () => {
    const result = await review({}, { "inventory/dev.yaml": env(2, "nowhere") });
    expect(result!.plan).toEqual([]);
    expect(result!.diagnostics).toEqual([expect.objectContaining({ file: "inventory/dev.yaml", line: 4, severity: "error", message: expect.stringMatching(/nowhere/) })]);
  });
});

describe("the deployed fleet of a template change", () => {
  const bundleOf = (files: Record<string, string>, template: string) =>
    parseRepository(snapshot(files)).templates.find((t) => t.name === template)!.bundles.find((b) => b.major === 1)!;
  const ports = () => ({ store: db.registry.deployments(owner), renderer });

  it("renders every deployed resource that follows the major with its deployed inputs and outputs; a pinned one is left alone", async () => {
    await deployFleet(fleet, owner, {
      "inventory/dev.yaml": env(2), "inventory/qa.yaml": env(5),
      "inventory/old.yaml": env(7).replace("net@1", "net@1.0"),
      "inventory/shop.yaml": svc("nginx", ["dev", "qa"]),
    });
    const cfn = "api/v1/instance_infrastructure/cloudformation.yaml";
    const head = { ...CATALOG_FILES, [cfn]: CATALOG_FILES[cfn]!.replace("-{{ service_instance.inputs.image }}", "-{{ service_instance.inputs.image | upper }}") };
    const diff = await fleetDiff("api", 1, bundleOf(CATALOG_FILES, "api"), bundleOf(head, "api"), ports());
    // Two instances and the pipeline follow api@1; only the instances render differently, each with its environment's recorded output.
    expect(diff).toMatchObject({ total: 3, changed: 2 });
    const patches = diff!.groups.flatMap((g) => g.diffs.map((d) => d.patch)).join("\n");
    expect(patches).toMatch(/^\+      TopicName: net-dev-2-api-dev-NGINX$/m);
    expect(patches).toMatch(/^\+      TopicName: net-qa-5-api-qa-NGINX$/m);

    const envs = await fleetDiff("net", 1, bundleOf(CATALOG_FILES, "net"), bundleOf({ ...CATALOG_FILES, "net/v1/infrastructure/cloudformation.yaml": CATALOG_FILES["net/v1/infrastructure/cloudformation.yaml"]!.replace("net-", "n-") }, "net"), ports());
    expect(envs!.groups.flatMap((g) => g.labels).sort()).toEqual(["dev", "qa"]); // not `old`, pinned to 1.0
    expect(await fleetDiff("worker", 1, undefined, bundleOf(CATALOG_FILES, "worker"), ports())).toBeUndefined();
  });
});
