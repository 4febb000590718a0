// The Registry contract, run against every adapter (postgres.test.ts, pglite.test.ts):
// one owner's versions here; owner scope, mirror state and migrations in the contract-*.ts files.
import { describe, expect, it } from "vitest";
import type { InputSchema } from "../../src/bundle/model.js";
import { RegistryError, VersionNotFoundError } from "../../src/ports/registry.js";
import { describeDeployments } from "./contract-deployments.js";
import { describeMigrations } from "./contract-migrations.js";
import { describeMirrorState } from "./contract-mirrors.js";
import { describeRollouts } from "./contract-rollouts.js";
import { describeOwnerScope } from "./contract-owners.js";
import { commitOf, digestOf, newVersion } from "./helpers.js";
import { ACME, usePlace, type RegistryTarget } from "./place.js";

export type { RegistryPlace, RegistryTarget } from "./place.js";

const WORKERS = 8;

const SCHEMA: InputSchema = {
  file: "fargate-svc/v1/schema/schema.yaml",
  openapi: "3.0.0",
  serviceInputType: "SvcInput",
  types: { SvcInput: { type: "object", properties: { port: { type: "number", default: 80, minimum: 1 } }, required: [] } },
  lines: { "schema.types.SvcInput.properties.port": 7 },
};

export function describeRegistry(label: string, target: RegistryTarget): void {
  describe(`Registry contract: ${label}`, () => {
    describeVersions(target);
    describeOwnerScope(target);
    describeMirrorState(target);
    describeDeployments(target);
    describeRollouts(target);
    describeMigrations(target);
  });
}

function describeVersions(target: RegistryTarget): void {
  describe("versions of one owner", () => {
    const { open, store, openDb } = usePlace(target);

    it("numbers 1.0, then 1.1, then 2.0 for a new major, and gives every field back", async () => {
      const registry = await store();
      expect(registry.owner).toEqual(ACME);
      const first = await registry.recordVersion(newVersion({ bundle: "a", schema: SCHEMA }));
      expect(first.created).toBe(true);
      expect(first.version).toMatchObject({ template: "fargate-svc", major: 1, minor: 0, status: "published", schema: SCHEMA });
      const reasons = [{ path: "service_instance.inputs.cpu", change: "optional input added (default 256) — ünïcode ✓", breaking: false }];
      const second = await registry.recordVersion(newVersion({ bundle: "b", reasons, source: { repository: "acme/templates", commit: "c0ffee" } }));
      expect(second.version).toMatchObject({ major: 1, minor: 1, reasons, source: { repository: "acme/templates", commit: "c0ffee" } });
      expect(second.version.source).not.toHaveProperty("pullRequest");
      const major = await registry.recordVersion(newVersion({ bundle: "c", major: 2 }));
      expect(major.version).toMatchObject({ major: 2, minor: 0 });

      const listed = await registry.listVersions("fargate-svc");
      expect(listed.map((v) => `${v.major}.${v.minor}`)).toEqual(["1.0", "1.1", "2.0"]);
      expect(listed[0]).toEqual(first.version);
      expect(await registry.getVersion("fargate-svc", 1, 1)).toEqual(second.version);
      expect(await registry.getVersion("fargate-svc", 1, 2)).toBeUndefined();
      const expected = newVersion({ bundle: "a", schema: SCHEMA });
      expect(first.version).toEqual({ ...expected, minor: 0, createdAt: expect.any(Date), publishedAt: expect.any(Date) });
      expect(await registry.latestMinor("fargate-svc", 1)).toBe(1);
      expect(await registry.latestMinor("fargate-svc", 2)).toBe(0);
      expect(await registry.latestMinor("fargate-svc", 3)).toBeUndefined();
      expect(await registry.latestMinor("no-such-template", 1)).toBeUndefined();
      expect(await registry.listVersions("no-such-template")).toEqual([]);
    });

    it("publishes nothing for a byte-identical bundle", async () => {
      const registry = await store();
      const first = await registry.recordVersion(newVersion({ bundle: "a" }));
      const again = await registry.recordVersion(newVersion({ bundle: "a", source: { repository: "acme/templates", commit: "later" } }));
      expect(again).toEqual({ version: first.version, created: false });
      expect(await registry.listVersions("fargate-svc")).toHaveLength(1);
    });

    it("makes a new minor for a revert to an older bundle: only the latest digest counts", async () => {
      const registry = await store();
      await registry.recordVersion(newVersion({ bundle: "a" }));
      await registry.recordVersion(newVersion({ bundle: "b" }));
      const revert = await registry.recordVersion(newVersion({ bundle: "a", source: { repository: "acme/templates", commit: commitOf("revert b") } }));
      expect(revert).toMatchObject({ created: true, version: { minor: 2, digest: digestOf("a") } });
      const versions = await registry.listVersions("fargate-svc");
      expect(versions.map((v) => [v.minor, v.digest])).toEqual([
        [0, digestOf("a")],
        [1, digestOf("b")],
        [2, digestOf("a")],
      ]);
    });

    it("publishes nothing for a late replay of an older merge (same commit, same bundle)", async () => {
      const registry = await store();
      const first = await registry.recordVersion(newVersion({ bundle: "a" }));
      await registry.recordVersion(newVersion({ bundle: "b" }));
      expect(await registry.recordVersion(newVersion({ bundle: "a" }))).toEqual({ version: first.version, created: false });
      expect(await registry.latestMinor("fargate-svc", 1)).toBe(1);
    });

    it("records one version when the same merge is processed by several workers at once", async () => {
      const workers = await Promise.all(Array.from({ length: WORKERS }, () => store()));
      const results = await Promise.all(workers.map((registry) => registry.recordVersion(newVersion({ template: "new-template" }))));
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => `${r.version.major}.${r.version.minor}`))).toEqual(new Set(["1.0"]));
      // Again once the template exists, so that only its row lock keeps the workers apart.
      const next = await Promise.all(workers.map((registry) => registry.recordVersion(newVersion({ template: "new-template", bundle: "b" }))));
      expect(next.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(next.map((r) => r.version.minor))).toEqual(new Set([1]));
      expect((await workers[0]!.listVersions("new-template")).map((v) => v.minor)).toEqual([0, 1]);
    });

    it("numbers concurrent merges contiguously, each merge once, even when each is processed twice", async () => {
      const workers = await Promise.all(Array.from({ length: WORKERS }, () => store()));
      // Four merges, each picked up by two workers at the same moment.
      const calls = workers.map((registry, n) => registry.recordVersion(newVersion({ bundle: `merge-${n % 4}` })));
      const results = await Promise.all(calls);
      const versions = await workers[0]!.listVersions("fargate-svc");
      expect(versions.map((v) => v.minor)).toEqual([0, 1, 2, 3]);
      expect(new Set(versions.map((v) => v.digest)).size).toBe(4);
      expect(results.filter((r) => r.created)).toHaveLength(4);
      // Both workers of a pair get the same version back, whichever of them recorded it.
      for (const [n, result] of results.entries()) expect(result.version).toEqual(results[n % 4]!.version);
    });

    it("recommends the highest published version, never a newer draft", async () => {
      const registry = await store();
      await registry.recordVersion(newVersion({ bundle: "a" }));
      const draft = await registry.recordVersion(newVersion({ bundle: "b", status: "draft" }));
      expect(draft.version).toMatchObject({ minor: 1, status: "draft", publishedAt: null });
      expect((await registry.recommendedVersion("fargate-svc"))?.minor).toBe(0);

      const published = await registry.setVersionStatus("fargate-svc", 1, 1, "published");
      expect(published.publishedAt).toBeInstanceOf(Date);
      expect(await registry.recommendedVersion("fargate-svc")).toEqual(published);
      const again = await registry.setVersionStatus("fargate-svc", 1, 1, "published");
      expect(again.publishedAt).toEqual(published.publishedAt);

      await registry.recordVersion(newVersion({ bundle: "c", major: 2, status: "draft" }));
      expect((await registry.recommendedVersion("fargate-svc"))?.minor).toBe(1);
      expect(await registry.recommendedVersion("fargate-svc", 2)).toBeUndefined();
      await registry.setVersionStatus("fargate-svc", 2, 0, "published");
      expect(await registry.recommendedVersion("fargate-svc")).toMatchObject({ major: 2, minor: 0 });
      expect(await registry.recommendedVersion("fargate-svc", 1)).toMatchObject({ major: 1, minor: 1 });

      const unpublished = await registry.setVersionStatus("fargate-svc", 2, 0, "draft");
      expect(unpublished).toMatchObject({ status: "draft", publishedAt: null });
      expect(await registry.recommendedVersion("fargate-svc")).toMatchObject({ major: 1, minor: 1 });
      expect(await registry.recommendedVersion("no-such-template")).toBeUndefined();
    });

    it("refuses a status change for a version it does not have", async () => {
      const registry = await store();
      const error = await registry.setVersionStatus("fargate-svc", 1, 0, "published").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(VersionNotFoundError);
      expect(error).toBeInstanceOf(RegistryError);
      expect(error).toMatchObject({ template: "fargate-svc", major: 1, minor: 0, owner: "acme", message: "fargate-svc 1.0 is not in the registry of acme" });
    });

    it("rolls a refused version back whole and says why, with the database's code", async () => {
      // A new owner too: its row goes with the refused version.
      const registry = await store({ login: "initech", installationId: 9 });
      const error = await registry.recordVersion(newVersion({ template: "fresh", digest: "not-a-sha256" })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RegistryError);
      expect(error).toMatchObject({ name: "RegistryError", code: "23514", message: expect.stringContaining("recordVersion") });
      expect((error as RegistryError).cause).toBeDefined();
      const db = openDb();
      expect(await db.query("SELECT name FROM templates WHERE name = 'fresh'")).toEqual([]);
      expect(await db.query("SELECT login FROM owners WHERE login = 'initech'")).toEqual([]);
      expect((await registry.recordVersion(newVersion({ template: "fresh" }))).version.minor).toBe(0);
    });

    it("marks a webhook delivery processed once, even when redeliveries race", async () => {
      const registry = await open();
      expect(await registry.markDeliveryProcessed("d-1", "pull_request")).toBe(true);
      expect(await registry.markDeliveryProcessed("d-1", "pull_request")).toBe(false);
      expect(await registry.markDeliveryProcessed("d-2", "push")).toBe(true);
      const workers = await Promise.all(Array.from({ length: 4 }, () => open()));
      const raced = await Promise.all(workers.flatMap((worker) => [worker, worker].map((w) => w.markDeliveryProcessed("d-3", "push"))));
      expect(raced.filter(Boolean)).toHaveLength(1);
    });

    it("records requested work once, keeps it pending until finished, and lists it oldest first", async () => {
      const registry = await open();
      expect(await registry.requestWork({ kind: "publish", id: "p-1", owner: "Acme", data: { commit: "a" } })).toBe(true);
      expect(await registry.requestWork({ kind: "publish", id: "p-1", owner: "acme", data: { commit: "a" } })).toBe(false);
      expect(await registry.requestWork({ kind: "review", id: "r-1", owner: "globex", data: { n: 1 } })).toBe(true);
      expect(await registry.pendingWork()).toEqual([
        { kind: "publish", id: "p-1", owner: "acme", data: { commit: "a" } },
        { kind: "review", id: "r-1", owner: "globex", data: { n: 1 } },
      ]);
      await registry.finishWork("publish", "p-1");
      await registry.finishWork("review", "r-1", "GitHub answered 404");
      await registry.finishWork("review", "never-requested");
      expect(await registry.pendingWork()).toEqual([]);
    });

    it("prunes finished work and processed deliveries older than a date, never pending work", async () => {
      const registry = await open();
      await registry.requestWork({ kind: "publish", id: "old-done", owner: "acme", data: {} });
      await registry.requestWork({ kind: "publish", id: "old-pending", owner: "acme", data: {} });
      await registry.finishWork("publish", "old-done");
      await registry.markDeliveryProcessed("old-delivery", "push");
      expect(await registry.pruneHistory(new Date(Date.now() - 60_000))).toBe(0);
      expect(await registry.pruneHistory(new Date(Date.now() + 60_000))).toBe(2);
      expect((await registry.pendingWork()).map((w) => w.id)).toEqual(["old-pending"]);
      expect(await registry.markDeliveryProcessed("old-delivery", "push")).toBe(true);
    });

    it("forgets a delivery whose handling failed, so its redelivery counts as new", async () => {
      const registry = await open();
      expect(await registry.markDeliveryProcessed("d-9", "issue_comment")).toBe(true);
      await registry.forgetDelivery("d-9");
      expect(await registry.markDeliveryProcessed("d-9", "issue_comment")).toBe(true);
      expect(await registry.markDeliveryProcessed("d-9", "issue_comment")).toBe(false);
    });
  });
}
