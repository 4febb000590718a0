// The Registry contract, rollouts: one per version however often asked, older minors of
// the major superseded, one deployment per resource and attempt however many ticks race,
// targets seen with their deployments and verdicts, gates opened once, a resume that
// retries what failed and releases holds, and owners apart.
import { describe, expect, it } from "vitest";
import type { NewDeployment, ResourceRecord } from "../../src/ports/deployment-store.js";
import type { Owner, Registry } from "../../src/ports/registry.js";
import type { NewRollout } from "../../src/ports/rollout-store.js";
import { DEFAULT_STAGE } from "../../src/rollout/policy.js";
import { newVersion } from "./helpers.js";
import { ACME, usePlace, type RegistryTarget } from "./place.js";

const GLOBEX: Owner = { login: "globex", installationId: 7301 };

const instance = (key: string): ResourceRecord => ({
  key, kind: "service_instance", name: key.split("/")[1]!, service: "shop", environment: "dev", stage: "test",
  template: { name: "fargate-svc", major: 1 }, inputs: {}, provisioner: "local", source: "acme/fleet", declared: { file: "inventory/shop.yaml", line: 3 },
});
const deployment = (resource: string, minor: number, over: Partial<NewDeployment> = {}): NewDeployment => ({
  resource, action: "deploy", template: "fargate-svc", major: 1, minor, inputs: {}, provisioner: "local",
  provisionerSettings: { kind: "command", deploy: "true" }, requestedBy: { actor: "baryon", reason: "rollout" }, ...over,
});
const rolloutOf = (minor: number, resources: string[]): NewRollout => ({
  template: "fargate-svc", major: 1, minor, autoRollback: true, origin: { repository: "acme/templates", pullRequest: 12, author: "octocat" },
  plan: { stages: [{ name: "test", policy: { ...DEFAULT_STAGE, name: "test" }, resources }], skipped: [] },
});

export function describeRollouts(target: RegistryTarget): void {
  describe("rollouts", () => {
    const { open } = usePlace(target);

    async function setup(): Promise<Registry> {
      const registry = await open();
      const versions = registry.versions(ACME);
      for (const bundle of ["a", "b", "c"]) await versions.recordVersion(newVersion({ bundle }));
      for (const key of ["shop/a", "shop/b"]) await registry.deployments(ACME).requestDeployment(instance(key), deployment(key, 0, { requestedBy: { actor: "octocat", reason: "inventory change" } }));
      return registry;
    }

    it("records one rollout per version, however often started, and supersedes the unfinished rollout of an older minor", async () => {
      const registry = await setup();
      const acme = registry.rollouts(ACME);
      const first = await acme.startRollout(rolloutOf(1, ["shop/a", "shop/b"]));
      expect(first).toMatchObject({ created: true, superseded: [], rollout: { status: "running", template: "fargate-svc", major: 1, minor: 1, autoRollback: true, approvals: [] } });
      const [again, raced] = await Promise.all([acme.startRollout(rolloutOf(1, ["shop/a"])), acme.startRollout(rolloutOf(1, ["shop/b"]))]);
      expect([again.created, raced.created]).toEqual([false, false]);
      expect(again.rollout.id).toBe(first.rollout.id);

      const newer = await acme.startRollout(rolloutOf(2, ["shop/a", "shop/b"]));
      expect(newer.superseded.map((r) => [r.id, r.status, r.reason])).toEqual([[first.rollout.id, "superseded", "superseded by 1.2"]]);
      expect(await acme.updateRollout(first.rollout.id, { status: "running" })).toBe(false);
      expect((await acme.rollouts({ unfinished: true })).map((r) => r.minor)).toEqual([2]);
      expect((await acme.rollouts({ origin: { repository: "ACME/templates", pullRequest: 12 } })).map((r) => r.minor)).toEqual([2, 1]);
      expect(await acme.rollouts({ origin: { repository: "acme/templates", pullRequest: 13 } })).toEqual([]);
      expect(await registry.unfinishedRollouts()).toEqual([{ owner: ACME, rollout: newer.rollout.id }]);
    });

    it("gives each target its attempt's deployment once, however many ticks ask at once, and sees what already runs the version", async () => {
      const registry = await setup();
      const { rollout } = await registry.rollouts(ACME).startRollout(rolloutOf(1, ["shop/a", "shop/b"]));
      const store = registry.deployments(ACME);
      const ask = () => store.requestDeployment(undefined, deployment("shop/a", 1, { rollout: { id: rollout.id, attempt: 0, rollback: false } }));
      const asked = await Promise.all([ask(), ask(), ask(), ask()]);
      expect(asked.filter((a) => a.created)).toHaveLength(1);
      expect(new Set(asked.map((a) => a.deployment.id)).size).toBe(1);
      expect(asked[0]!.deployment.rollout).toEqual({ id: rollout.id, attempt: 0, rollback: false });

      // shop/b reaches 1.1 by another route (a reconcile): already there.
      const other = (await store.requestDeployment(undefined, deployment("shop/b", 1))).deployment;
      await store.finishDeployment(other.id, { status: "succeeded", outputs: {} });
      const targets = await registry.rollouts(ACME).targets(rollout.id);
      expect(targets.get("shop/a")).toEqual({ resource: "shop/a", attempt: 0, deployment: { id: asked[0]!.deployment.id, status: "pending" } });
      expect(targets.get("shop/b")).toEqual({ resource: "shop/b", attempt: 0, nothingToDo: true });

      // In flight while its one deployment is unfinished; the reconcile's deployment is not the rollout's.
      expect(await registry.rollouts(ACME).inFlight(rollout.id)).toBe(true);
      await store.startDeployment(asked[0]!.deployment.id, "digest");
      expect(await registry.rollouts(ACME).inFlight(rollout.id)).toBe(true);
      await store.finishDeployment(asked[0]!.deployment.id, { status: "failed", reason: "stack rolled back" });
      expect(await registry.rollouts(ACME).inFlight(rollout.id)).toBe(false);
      expect(await registry.rollouts(ACME).inFlight("no-such-id")).toBe(false);
    });

    it("asks for no new deployment once a command stopped the rollout, but still for a rollback; and follows only what still follows it", async () => {
      const registry = await setup();
      const rollouts = registry.rollouts(ACME);
      const store = registry.deployments(ACME);
      const { rollout } = await rollouts.startRollout(rolloutOf(1, ["shop/a", "shop/b"]));
      const ask = (key: string, rollback = false) => store.requestDeployment(undefined, deployment(key, rollback ? 0 : 1, { rollout: { id: rollout.id, attempt: 0, rollback } }));
      const first = (await ask("shop/a")).deployment;
      expect(await rollouts.updateRollout(rollout.id, { status: "paused", reason: "paused by lead", from: "running" })).toBe(true);
      await expect(ask("shop/b")).rejects.toMatchObject({ name: "RolloutNotRunningError", message: `rollout ${rollout.id} is paused: no new deployment is asked for it` });
      expect((await ask("shop/a")).deployment.id).toBe(first.id); // what was asked for before stays asked for
      expect((await ask("shop/a", true)).created).toBe(true);
      expect((await rollouts.targets(rollout.id)).get("shop/b")!.deployment).toBeUndefined();

      // shop/b pinned to 1.0 by its owner meanwhile: nothing to do for it any more.
      await store.requestDeployment({ ...instance("shop/b"), template: { name: "fargate-svc", major: 1, minor: 0 } }, deployment("shop/b", 0, { inputs: { pinned: true } }));
      expect((await rollouts.targets(rollout.id)).get("shop/b")).toMatchObject({ nothingToDo: true });
    });

    it("does not count a resource its own rollback left behind as done, whatever deployed it at the version since", async () => {
      const registry = await setup();
      const rollouts = registry.rollouts(ACME);
      const store = registry.deployments(ACME);
      const { rollout } = await rollouts.startRollout(rolloutOf(1, ["shop/a"]));
      const succeed = async (d: NewDeployment) => {
        const { deployment: made } = await store.requestDeployment(undefined, d);
        await store.finishDeployment(made.id, { status: "succeeded", outputs: {} });
      };
      await succeed(deployment("shop/a", 1, { rollout: { id: rollout.id, attempt: 0, rollback: false } }));
      // At 1.1 again from elsewhere (its pipeline following it, say): already there.
      await succeed(deployment("shop/a", 1, { inputs: { image: "again" } }));
      expect((await rollouts.targets(rollout.id)).get("shop/a")!.nothingToDo).toBe(true);
      // Then its verification fails and the rollout rolls it back to 1.0: it is no longer at the version.
      await succeed(deployment("shop/a", 0, { rollout: { id: rollout.id, attempt: 0, rollback: true } }));
      expect(await rollouts.resume(rollout.id, "lead")).toEqual(["shop/a"]);
      expect((await rollouts.targets(rollout.id)).get("shop/a")!.nothingToDo).toBeUndefined();
    });

    it("opens a gate once, records verdicts of the current attempt only, and a resume retries what failed and releases the holds", async () => {
      const registry = await setup();
      const rollouts = registry.rollouts(ACME);
      const store = registry.deployments(ACME);
      const { rollout } = await rollouts.startRollout(rolloutOf(1, ["shop/a", "shop/b"]));
      const approval = { stage: "prod", by: "lead", at: new Date("2026-12-02T10:00:00Z"), commentUrl: "https://github.com/acme/templates/pull/12#issuecomment-1" };
      expect(await rollouts.approve(rollout.id, approval)).toBe(true);
      expect(await rollouts.approve(rollout.id, { ...approval, by: "other" })).toBe(false);
      expect((await rollouts.getRollout(rollout.id))!.approvals).toEqual([approval]);

      for (const key of ["shop/a", "shop/b"]) {
        const d = (await store.requestDeployment(undefined, deployment(key, 1, { rollout: { id: rollout.id, attempt: 0, rollback: false } }))).deployment;
        await store.finishDeployment(d.id, key === "shop/a" ? { status: "failed", reason: "stack rolled back" } : { status: "succeeded", outputs: {} });
      }
      await rollouts.recordVerification(rollout.id, "shop/b", 0, { verdict: "failed", at: new Date(), detail: "smoke.sh exited with 1" });
      await rollouts.recordVerification(rollout.id, "shop/b", 5, { verdict: "passed", at: new Date(), detail: "stale attempt" });
      expect((await rollouts.targets(rollout.id)).get("shop/b")!.verification).toMatchObject({ verdict: "failed", detail: "smoke.sh exited with 1" });
      await store.requestDeployment(undefined, deployment("shop/b", 0, { rollout: { id: rollout.id, attempt: 0, rollback: true }, hold: `rolled back by rollout ${rollout.id}` }));
      expect(await store.resource("shop/b")).toMatchObject({ held: `rolled back by rollout ${rollout.id}` });

      expect(await rollouts.resume(rollout.id, "lead")).toEqual(["shop/a", "shop/b"]);
      const targets = await rollouts.targets(rollout.id);
      expect(targets.get("shop/a")).toMatchObject({ attempt: 1 });
      expect(targets.get("shop/a")!.deployment).toBeUndefined();
      expect(targets.get("shop/b")!.verification).toBeUndefined();
      // Its attempt 0 reached 1.1 but failed verification: attempt 1 deploys again, it is not "already there".
      expect(targets.get("shop/b")!.nothingToDo).toBeUndefined();
      expect((await store.resource("shop/b"))!.held).toBeUndefined();
    });

    it("lifts the holds of older versions' rollouts for a newer one, for its owner only", async () => {
      const registry = await setup();
      const { rollout } = await registry.rollouts(ACME).startRollout(rolloutOf(1, ["shop/a", "shop/b"]));
      await registry.deployments(ACME).requestDeployment(undefined, deployment("shop/b", 0, { rollout: { id: rollout.id, attempt: 0, rollback: true }, hold: "rolled back to 1.0 by the rollout of fargate-svc 1.1" }));
      expect(await registry.rollouts(GLOBEX).releaseOlderHolds("fargate-svc", 1, 2)).toEqual([]);
      expect(await registry.rollouts(ACME).releaseOlderHolds("fargate-svc", 1, 1)).toEqual([]); // its own version: held still
      expect(await registry.rollouts(ACME).releaseOlderHolds("other", 1, 2)).toEqual([]);
      expect((await registry.deployments(ACME).resource("shop/b"))!.held).toBe("rolled back to 1.0 by the rollout of fargate-svc 1.1");
      expect(await registry.rollouts(ACME).releaseOlderHolds("fargate-svc", 1, 2)).toEqual(["shop/b"]);
      expect((await registry.deployments(ACME).resource("shop/b"))!.held).toBeUndefined();
    });

    it("keeps owners apart", async () => {
      const registry = await setup();
      await registry.versions(GLOBEX).recordVersion(newVersion({ bundle: "g" }));
      const { rollout } = await registry.rollouts(ACME).startRollout(rolloutOf(1, ["shop/a"]));
      await registry.deployments(ACME).requestDeployment(undefined, deployment("shop/a", 1, { rollout: { id: rollout.id, attempt: 0, rollback: false } }));
      const globex = registry.rollouts(GLOBEX);
      expect(await registry.rollouts(ACME).inFlight(rollout.id)).toBe(true);
      expect(await globex.inFlight(rollout.id)).toBe(false);
      expect(await globex.getRollout(rollout.id)).toBeUndefined();
      expect(await globex.rollouts()).toEqual([]);
      expect(await globex.targets(rollout.id)).toEqual(new Map());
      expect(await globex.updateRollout(rollout.id, { status: "aborted" })).toBe(false);
      expect(await globex.approve(rollout.id, { stage: "test", by: "mallory", at: new Date() })).toBe(false);
      expect((await registry.rollouts(ACME).getRollout(rollout.id))!.status).toBe("running");
    });
  });
}
