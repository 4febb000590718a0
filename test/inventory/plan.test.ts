import { describe, expect, it } from "vitest";
import { checkInventory } from "../../src/inventory/check-inventory.js";
import { describeAction, planReconcile, type RecordedResource } from "../../src/inventory/plan.js";
import { testCatalog } from "../support/inventory.js";

const catalog = testCatalog();
const ENV = (name: string, extra = "") => ({ file: `inventory/${name}.yaml`, text: `proton: EnvironmentSpec\ntemplate: net@1${extra}\nstage: test\nspec:\n  count: 2\n` });
const resourcesOf = (...files: { file: string; text: string }[]) => {
  const { inventory, diagnostics } = checkInventory(files, catalog, { provisioners: ["local"], stages: ["test", "prod"] });
  expect(diagnostics).toEqual([]);
  return inventory.resources;
};
const recorded = (key: string, over: Partial<RecordedResource> = {}): RecordedResource => ({
  key, kind: "environment", template: { name: "net", major: 1 }, inputs: { count: 2 }, provisioner: "local", deployed: { major: 1, minor: 0 }, ...over,
});

describe("planReconcile", () => {
  it("creates what is new at the recommended version, and leaves what matches alone", () => {
    const plan = planReconcile(resourcesOf(ENV("dev"), ENV("qa")), [recorded("qa")]);
    expect(plan.actions.map(describeAction)).toEqual(["create dev at net 1.1"]);
    expect(plan.unchanged).toEqual(["qa"]);
  });

  it("redeploys a changed spec at the version that runs: a newer minor is a rollout's business", () => {
    const plan = planReconcile(resourcesOf(ENV("dev")), [recorded("dev", { inputs: { count: 1 } })]);
    expect(plan.actions.map(describeAction)).toEqual(["redeploy dev at net 1.0 (spec changed)"]);
  });

  it("moves to the pinned or new major version when the template reference changes", () => {
    const pinned = planReconcile(resourcesOf(ENV("dev", ".0")), [recorded("dev", { deployed: { major: 1, minor: 1 } })]);
    expect(pinned.actions.map(describeAction)).toEqual(["redeploy dev at net 1.0 (template net@1 → net@1.0)"]);
    const major = planReconcile(resourcesOf({ ...ENV("dev"), text: ENV("dev").text.replace("net@1", "net@2") }), [recorded("dev")]);
    expect(major.actions.map(describeAction)).toEqual(["redeploy dev at net 2.0 (template net@1 → net@2)"]);
  });

  it("retries a resource that never deployed successfully, and follows a provisioner change", () => {
    expect(planReconcile(resourcesOf(ENV("dev")), [recorded("dev", { deployed: undefined })]).actions.map(describeAction))
      .toEqual(["redeploy dev at net 1.1 (never deployed successfully)"]);
    expect(planReconcile(resourcesOf(ENV("dev")), [recorded("dev", { provisioner: "aws" })]).actions.map(describeAction))
      .toEqual(["redeploy dev at net 1.0 (provisioner aws → local)"]);
  });

  it("deletes only what a person confirmed, and says how to confirm the rest", () => {
    const plan = planReconcile([], [recorded("old"), recorded("gone")], new Set(["gone"]));
    expect(plan.actions.map(describeAction)).toEqual([
      "delete old: waits for confirmation (`/baryon confirm-delete old` on the pull request, or `baryon apply --confirm-delete old`)",
      "delete gone",
    ]);
  });

  it("redeploys a service's pipeline when an instance is added, or when an instance's delete is confirmed", () => {
    const shop = (...names: string[]) => ({
      file: "inventory/shop.yaml",
      text: ["proton: ServiceSpec", "template: api@1", "pipeline:", "  branch: release", "instances:",
        ...names.flatMap((n) => [`  - name: ${n}`, "    environment: dev", "    spec:", "      image: nginx"]), ""].join("\n"),
    });
    // What the registry holds after the inventory with instances a and b deployed.
    const deployed = resourcesOf(ENV("dev"), shop("a", "b")).map((r): RecordedResource => ({
      key: r.key, kind: r.kind, template: r.template, inputs: r.inputs, provisioner: r.provisioner,
      ...(r.kind !== "environment" ? { service: r.service } : {}), deployed: { major: 1, minor: 0 },
    }));
    const withoutB = deployed.filter((r) => r.key !== "shop/b");

    expect(planReconcile(resourcesOf(ENV("dev"), shop("a", "b", "c")), deployed).actions.map(describeAction)).toEqual([
      "create shop/c at api 1.0", "redeploy shop/pipeline at api 1.0 (instances changed: +shop/c)",
    ]);
    expect(planReconcile(resourcesOf(ENV("dev"), shop("a", "b")), withoutB).actions.map(describeAction)).toEqual([
      "create shop/b at api 1.0", "redeploy shop/pipeline at api 1.0 (instances changed: +shop/b)",
    ]);
    // Removed from the file, b stays until its delete is confirmed, and the pipeline with it.
    const unconfirmed = planReconcile(resourcesOf(ENV("dev"), shop("a")), deployed);
    expect(unconfirmed.actions.map(describeAction)).toEqual([expect.stringMatching(/^delete shop\/b: waits for confirmation/)]);
    expect(unconfirmed.unchanged).toContain("shop/pipeline");
    expect(planReconcile(resourcesOf(ENV("dev"), shop("a")), deployed, new Set(["shop/b"])).actions.map(describeAction)).toEqual([
      "redeploy shop/pipeline at api 1.0 (instances changed: -shop/b)", "delete shop/b",
    ]);
    expect(planReconcile(resourcesOf(ENV("dev"), shop("a", "b")), deployed).unchanged).toEqual(["dev", "shop/a", "shop/b", "shop/pipeline"]);
  });

  it("compares inputs by value, not by key order", () => {
    const env = { file: "inventory/dev.yaml", text: "proton: EnvironmentSpec\ntemplate: net@1\nstage: test\nspec:\n  size: large\n  count: 2\n" };
    expect(planReconcile(resourcesOf(env), [recorded("dev", { inputs: { count: 2, size: "large" } })]).unchanged).toEqual(["dev"]);
  });
});
