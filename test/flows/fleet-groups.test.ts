// A deployed fleet's change, grouped on a real registry and the real sandboxed
// renderer: instances whose renders differ only by their own names (instance,
// environment, service) make one change, shown once.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLocalArtifactStore } from "../../src/adapters/artifacts/local.js";
import { parseRepository } from "../../src/bundle/parse/repository.js";
import { fleetDiff } from "../../src/flows/review-inventory.js";
import { createRenderPool } from "../../src/jinja/pool.js";
import { deployFleet, publishCatalog, type FleetAdapters } from "../support/fleet.js";
import { CATALOG_FILES } from "../support/inventory.js";
import { testRegistry, type TestRegistry } from "../support/registry.js";
import { snapshot } from "../support/snapshot.js";

const renderer = createRenderPool({ size: 1 });
afterAll(() => renderer.close());

const owner = { login: "acme" };
let db: TestRegistry;
let fleet: FleetAdapters;

beforeEach(async () => {
  db = await testRegistry();
  fleet = { registry: db.registry, artifacts: createLocalArtifactStore({ dir: mkdtempSync(join(tmpdir(), "baryon-fleet-groups-")) }), renderer };
  await publishCatalog(fleet, owner);
});
afterEach(() => db.drop());

const env = (count: number) => `proton: EnvironmentSpec\ntemplate: net@1\nstage: test\nprovisioner: local\nspec:\n  count: ${count}\n`;
const svc = (name: string, instances: Record<string, string>) => `proton: ServiceSpec\nname: ${name}\ntemplate: api@1\nprovisioner: local\npipeline:\n  branch: release\ninstances:\n${Object.entries(instances).map(([e, image]) => `  - name: ${name}-${e}\n    environment: ${e}\n    spec:\n      image: ${image}\n`).join("")}`;
const bundleOf = (files: Record<string, string>) => parseRepository(snapshot(files)).templates.find((t) => t.name === "api")!.bundles.find((b) => b.major === 1)!;

describe("the deployed fleet's change, grouped", () => {
  it("makes one group of the instances whose diffs differ only by their own names, and keeps an outlier apart", async () => {
    await deployFleet(fleet, owner, {
      "inventory/dev.yaml": env(2), "inventory/qa.yaml": env(2),
      "inventory/shop.yaml": svc("shop", { dev: "nginx", qa: "nginx" }),
      "inventory/cart.yaml": svc("cart", { dev: "nginx", qa: "httpd" }),
    });
    const cfn = "api/v1/instance_infrastructure/cloudformation.yaml";
    const head = { ...CATALOG_FILES, [cfn]: CATALOG_FILES[cfn]!.replace("-{{ service_instance.inputs.image }}", "-{{ service_instance.inputs.image | upper }}") };
    const diff = await fleetDiff("api", 1, bundleOf(CATALOG_FILES), bundleOf(head), { store: db.registry.deployments(owner), renderer });
    expect(diff).toMatchObject({ total: 6, changed: 4 });
    expect(diff!.groups.map((g) => [g.labels, g.ownNames])).toEqual([
      [["cart/cart-dev", "shop/shop-dev", "shop/shop-qa"], true],
      [["cart/cart-qa"], undefined],
    ]);
    // The group shows its first instance's own diff, as rendered.
    expect(diff!.groups[0]!.diffs[0]!.patch).toMatch(/^-      TopicName: net-dev-2-cart-dev-nginx$/m);
    expect(diff!.groups[0]!.diffs[0]!.patch).toMatch(/^\+      TopicName: net-dev-2-cart-dev-NGINX$/m);
    expect(diff!.groups[1]!.diffs[0]!.patch).toMatch(/^\+      TopicName: net-qa-2-cart-qa-HTTPD$/m);
  });
});
