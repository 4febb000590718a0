// The Registry contract, resources and deployments: a reconcile run twice records
// once, one deployment in flight per resource, finishing is once only, a finished
// delete removes the resource, the resync finds what is unfinished, owners apart.
import { describe, expect, it } from "vitest";
import type { NewDeployment, ResourceRecord } from "../../src/ports/deployment-store.js";
import type { Owner } from "../../src/ports/registry.js";
import { newVersion } from "./helpers.js";
import { ACME, usePlace, type RegistryTarget } from "./place.js";

const GLOBEX: Owner = { login: "globex", installationId: 7301 };

const resource = (key = "dev", over: Partial<ResourceRecord> = {}): ResourceRecord => ({
  key, kind: "environment", name: key, stage: "test", template: { name: "fargate-svc", major: 1 },
  inputs: { count: 2 }, provisioner: "local", source: "acme/fleet", declared: { file: `inventory/${key}.yaml`, line: 1 }, ...over,
});
const deploy = (key = "dev", over: Partial<NewDeployment> = {}): NewDeployment => ({
  resource: key, action: "deploy", template: "fargate-svc", major: 1, minor: 0, inputs: { count: 2 },
  provisioner: "local", provisionerSettings: { kind: "command", deploy: "./deploy.sh" },
  requestedBy: { actor: "octocat", reason: "inventory change", repository: "acme/fleet", pullRequest: 7 }, ...over,
});

export function describeDeployments(target: RegistryTarget): void {
  describe("resources and deployments", () => {
    const { open } = usePlace(target);

    async function setup() {
      const registry = await open();
      await registry.versions(ACME).recordVersion(newVersion({ bundle: "a" }));
      await registry.versions(GLOBEX).recordVersion(newVersion({ bundle: "g" }));
      return { registry, acme: registry.deployments(ACME), globex: registry.deployments(GLOBEX) };
    }

    it("records a resource with its deployment once, however often the same target is asked for", async () => {
      const { acme } = await setup();
      const instance = resource("shop/api", { kind: "service_instance", name: "api", service: "shop", environment: "dev", stack: "proton-api" });
      const first = await acme.requestDeployment(instance, deploy("shop/api"));
      expect(first.created).toBe(true);
      expect(first.deployment).toMatchObject({ resource: "shop/api", status: "pending", outputs: {}, requestedBy: { actor: "octocat", pullRequest: 7 } });
      const again = await acme.requestDeployment(instance, deploy("shop/api", { inputs: { count: 2 } }));
      expect(again).toEqual({ deployment: first.deployment, created: false });
      expect(await acme.resources()).toEqual([instance]);
      // A different target is a new request, queued behind the first.
      const changed = await acme.requestDeployment({ ...instance, inputs: { count: 3 } }, deploy("shop/api", { inputs: { count: 3 } }));
      expect(changed.created).toBe(true);
      expect((await acme.deploymentsOf("shop/api")).map((d) => d.id)).toEqual([changed.deployment.id, first.deployment.id]);
      expect(await acme.resource("shop/api")).toMatchObject({ inputs: { count: 3 } });
    });

    it("lets one deployment of a resource be in flight, and finishes each once", async () => {
      const { acme } = await setup();
      const a = (await acme.requestDeployment(resource(), deploy())).deployment;
      const b = (await acme.requestDeployment(resource("dev", { inputs: { count: 5 } }), deploy("dev", { inputs: { count: 5 } }))).deployment;
      expect(await acme.startDeployment(a.id, "digest-a")).toBe(true);
      expect(await acme.startDeployment(a.id, "digest-a")).toBe(false);
      expect(await acme.startDeployment(b.id, "digest-b")).toBe(false);
      await acme.setHandle(a.id, "stack/change-set");
      expect(await acme.getDeployment(a.id)).toMatchObject({ status: "in_progress", renderedDigest: "digest-a", handle: "stack/change-set", startedAt: expect.any(Date) });
      expect(await acme.finishDeployment(a.id, { status: "succeeded", outputs: { VpcId: "vpc-1" }, log: "file:///logs/a" })).toBe(true);
      expect(await acme.finishDeployment(a.id, { status: "failed", reason: "late" })).toBe(false);
      expect(await acme.getDeployment(a.id)).toMatchObject({ status: "succeeded", outputs: { VpcId: "vpc-1" }, log: "file:///logs/a", finishedAt: expect.any(Date) });
      expect(await acme.lastSucceeded("dev")).toMatchObject({ id: a.id });
      expect(await acme.startDeployment(b.id, "digest-b")).toBe(true);
      expect(await acme.finishDeployment(b.id, { status: "failed", reason: "exit 1" })).toBe(true);
      expect(await acme.getDeployment(b.id)).toMatchObject({ status: "failed", reason: "exit 1", outputs: {} });
      expect(await acme.lastSucceeded("dev")).toMatchObject({ id: a.id });
    });

    it("removes the resource when its delete succeeds, and keeps its history", async () => {
      const { acme } = await setup();
      const created = (await acme.requestDeployment(resource(), deploy())).deployment;
      await acme.startDeployment(created.id, "d");
      await acme.finishDeployment(created.id, { status: "succeeded", outputs: {} });
      const removal = await acme.requestDeployment(undefined, deploy("dev", { action: "delete" }));
      expect(removal.deployment.status).toBe("delete_pending");
      expect(await acme.startDeployment(removal.deployment.id, "d")).toBe(true);
      expect(await acme.getDeployment(removal.deployment.id)).toMatchObject({ status: "delete_in_progress" });
      expect(await acme.finishDeployment(removal.deployment.id, { status: "delete_succeeded", outputs: {} })).toBe(true);
      expect(await acme.resources()).toEqual([]);
      expect((await acme.deploymentsOf("dev")).map((d) => d.status)).toEqual(["delete_succeeded", "succeeded"]);
    });

    it("lists unfinished deployments across owners, oldest first, and keeps each owner's apart", async () => {
      const { registry, acme, globex } = await setup();
      const a = (await acme.requestDeployment(resource(), deploy())).deployment;
      const g = (await globex.requestDeployment(resource(), deploy())).deployment;
      const done = (await acme.requestDeployment(resource("qa"), deploy("qa"))).deployment;
      await acme.finishDeployment(done.id, { status: "cancelled", reason: "superseded" });
      expect((await registry.unfinishedDeployments()).map((u) => [u.owner.login, u.deployment.id])).toEqual([["acme", a.id], ["globex", g.id]]);
      expect(await registry.unfinishedDeployments(1)).toEqual([{ owner: ACME, deployment: a }]);
      expect(await acme.unfinished()).toEqual([a]);
      expect(await globex.getDeployment(a.id)).toBeUndefined();
      expect(await globex.resources()).toEqual([resource()]);
      expect((await acme.resources()).map((r) => r.key)).toEqual(["dev", "qa"]);
      expect(await acme.getDeployment("not-a-number")).toBeUndefined();
    });

    it("reads one environment's instances or one service's resources, and every last success in one go", async () => {
      const { acme } = await setup();
      const instance = (service: string, name: string, environment: string) =>
        resource(`${service}/${name}`, { kind: "service_instance", name, service, environment, stage: "test" });
      const pipeline = resource("shop/pipeline", { kind: "service_pipeline", name: "shop", service: "shop" });
      delete (pipeline as Partial<ResourceRecord>).stage;
      const asked = [resource("dev"), resource("qa"), instance("shop", "a", "dev"), instance("shop", "b", "qa"), instance("blog", "c", "dev"), pipeline];
      const ids: string[] = [];
      for (const r of asked) ids.push((await acme.requestDeployment(r, deploy(r.key))).deployment.id);
      expect((await acme.resources({ environment: "dev" })).map((r) => r.key)).toEqual(["blog/c", "shop/a"]);
      expect((await acme.resources({ service: "shop" })).map((r) => r.key)).toEqual(["shop/a", "shop/b", "shop/pipeline"]);
      for (const id of ids.slice(0, 2)) {
        await acme.startDeployment(id, "d");
        await acme.finishDeployment(id, { status: "succeeded", outputs: { Id: id } });
      }
      const all = await acme.lastSucceededAll();
      expect([...all.keys()].sort()).toEqual(["dev", "qa"]);
      expect(all.get("dev")).toEqual(await acme.lastSucceeded("dev"));
      // The latest of each, whatever its outcome: the two succeeded, the four still pending.
      const latest = await acme.latestAll();
      expect([...latest.keys()].sort()).toEqual(asked.map((r) => r.key).sort());
      expect(latest.get("shop/a")).toEqual((await acme.deploymentsOf("shop/a", 1))[0]);
      expect(latest.get("qa")!.status).toBe("succeeded");
      expect(latest.get("blog/c")!.status).toBe("pending");
    });

    it("keeps each resource's latest drift check, replaced by the next, for its owner only", async () => {
      const { acme, globex } = await setup();
      const dev = resource("dev");
      const { deployment } = await acme.requestDeployment(dev, deploy("dev"));
      expect(await acme.driftAll()).toEqual(new Map());
      await acme.recordDrift("dev", { deployment: deployment.id, state: "drifted", findings: [{ subject: "Queue", property: "VisibilityTimeout", detail: "30 → 60" }] });
      const first = (await acme.driftAll()).get("dev")!;
      expect(first).toMatchObject({ deployment: deployment.id, state: "drifted", findings: [{ subject: "Queue", property: "VisibilityTimeout", detail: "30 → 60" }] });
      expect(first.checkedAt).toBeInstanceOf(Date);
      await acme.recordDrift("dev", { deployment: deployment.id, state: "in_sync", findings: [] });
      expect([...(await acme.driftAll()).values()].map((d) => d.state)).toEqual(["in_sync"]);
      // The console's page of resources carries it too.
      expect((await acme.statusPage({ offset: 0, limit: 10 })).statuses.map((s) => s.drift?.state)).toEqual(["in_sync"]);
      expect(await globex.driftAll()).toEqual(new Map());
    });

    it("counts the versions resources run by template and stage, and pages through resources with their deployments", async () => {
      const { registry, acme, globex } = await setup();
      await registry.versions(ACME).recordVersion(newVersion({ bundle: "b" })); // fargate-svc 1.1
      const envs = ["a", "b", "c", "d", "e"].map((k, i) => resource(`env-${k}`, { stage: i < 3 ? "test" : "prod" }));
      const pipeline = resource("shop/pipeline", { kind: "service_pipeline", name: "shop", service: "shop" });
      delete (pipeline as Partial<ResourceRecord>).stage;
      const finish = async (r: ResourceRecord, minor: number, status: "succeeded" | "failed") => {
        const { deployment } = await acme.requestDeployment(r, deploy(r.key, { minor }));
        await acme.startDeployment(deployment.id, "d");
        await acme.finishDeployment(deployment.id, status === "succeeded" ? { status, outputs: {} } : { status, reason: "boom" });
      };
      // a, b at 1.1; c at 1.0 then a failed 1.1; d at 1.0; e never succeeded; the pipeline at 1.0.
      await finish(envs[0]!, 1, "succeeded");
      await finish(envs[1]!, 1, "succeeded");
      await finish(envs[2]!, 0, "succeeded");
      await finish(envs[2]!, 1, "failed");
      await finish(envs[3]!, 0, "succeeded");
      await finish(envs[4]!, 0, "failed");
      await finish(pipeline, 0, "succeeded");
      const v = (minor: number) => ({ major: 1, minor });
      expect(await acme.versionCounts()).toEqual([
        { template: "fargate-svc", stage: "test", version: v(1), count: 2 },
        { template: "fargate-svc", version: v(0), count: 1 },
        { template: "fargate-svc", stage: "prod", version: v(0), count: 1 },
        { template: "fargate-svc", stage: "test", version: v(0), count: 1 },
        { template: "fargate-svc", stage: "prod", count: 1 },
      ]);
      expect(await acme.versionCounts({ stage: "prod" })).toEqual([
        { template: "fargate-svc", stage: "prod", version: v(0), count: 1 }, { template: "fargate-svc", stage: "prod", count: 1 },
      ]);
      expect(await globex.versionCounts()).toEqual([]);

      const first = await acme.statusPage({ offset: 0, limit: 4 });
      expect(first.total).toBe(6);
      expect(first.statuses.map((s) => [s.resource.key, s.running && `1.${s.running.minor}`, s.latest?.status])).toEqual([
        ["env-a", "1.1", "succeeded"], ["env-b", "1.1", "succeeded"], ["env-c", "1.0", "failed"], ["env-d", "1.0", "succeeded"],
      ]);
      expect(first.statuses[2]).toEqual({ resource: envs[2], running: await acme.lastSucceeded("env-c"), latest: (await acme.deploymentsOf("env-c", 1))[0] });
      const rest = await acme.statusPage({ offset: 4, limit: 4 });
      expect(rest.statuses.map((s) => [s.resource.key, s.running?.minor, s.latest?.status])).toEqual([["env-e", undefined, "failed"], ["shop/pipeline", 0, "succeeded"]]);
      expect((await acme.statusPage({ offset: 0, limit: 10, stage: "prod", template: "fargate-svc" })).statuses.map((s) => s.resource.key)).toEqual(["env-d", "env-e"]);
      expect(await globex.statusPage({ offset: 0, limit: 10 })).toEqual({ statuses: [], total: 0 });
    });

    it("refuses a deployment of a version the owner does not have", async () => {
      const { acme } = await setup();
      await expect(acme.requestDeployment(resource(), deploy("dev", { minor: 9 }))).rejects.toThrow(/requestDeployment failed/);
      expect(await acme.resources()).toEqual([]);
    });
  });
}
