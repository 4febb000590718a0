// The Registry contract, mirror state: versions to mirror to AWS Proton are recorded pending,
// the mirror job records its outcome, and the resync finds what is still pending, across owners.
import { describe, expect, it } from "vitest";
import { VersionNotFoundError, type Owner } from "../../src/ports/registry.js";
import { newVersion } from "./helpers.js";
import { ACME, usePlace, type RegistryTarget } from "./place.js";

const GLOBEX: Owner = { login: "globex", installationId: 7301 };

export function describeMirrorState(target: RegistryTarget): void {
  describe("mirror state", () => {
    const { open } = usePlace(target);

    it("records versions to mirror as pending and lists them across owners, oldest first, until their outcome is recorded", async () => {
      const registry = await open();
      const acme = registry.versions(ACME);
      const globex = registry.versions(GLOBEX);
      const a = await acme.recordVersion(newVersion({ bundle: "a", mirror: true }));
      const b = await acme.recordVersion(newVersion({ bundle: "b" }));
      const c = await globex.recordVersion(newVersion({ bundle: "c", mirror: true }));
      expect(a.version.mirror).toEqual({ status: "pending" });
      expect(b.version).not.toHaveProperty("mirror");

      expect(await registry.pendingMirrors()).toEqual([
        { owner: ACME, version: a.version },
        { owner: GLOBEX, version: c.version },
      ]);
      expect(await registry.pendingMirrors(1)).toEqual([{ owner: ACME, version: a.version }]);

      await acme.setMirrorState("fargate-svc", 1, 0, { status: "done" });
      await acme.setMirrorState("fargate-svc", 1, 0, { status: "done" });
      expect(await acme.getVersion("fargate-svc", 1, 0)).toEqual({ ...a.version, mirror: { status: "done" } });
      await globex.setMirrorState("fargate-svc", 1, 0, { status: "failed", error: "AccessDenied: proton:CreateEnvironmentTemplateVersion" });
      expect(await globex.getVersion("fargate-svc", 1, 0)).toMatchObject({
        mirror: { status: "failed", error: "AccessDenied: proton:CreateEnvironmentTemplateVersion" },
      });
      expect(await registry.pendingMirrors()).toEqual([]);

      // A retry after a failure goes back to pending, and the resync finds it again.
      await globex.setMirrorState("fargate-svc", 1, 0, { status: "pending" });
      expect(await registry.pendingMirrors()).toEqual([{ owner: GLOBEX, version: { ...c.version, mirror: { status: "pending" } } }]);
      // A redelivered merge returns the version with the state recorded since.
      expect((await acme.recordVersion(newVersion({ bundle: "b" }))).version).toEqual(b.version);
      expect((await globex.recordVersion(newVersion({ bundle: "c", mirror: true }))).created).toBe(false);
    });

    it("refuses to record a mirror outcome for a version the owner does not have", async () => {
      const registry = await open();
      await registry.versions(ACME).recordVersion(newVersion({ mirror: true }));
      const error = await registry.versions(GLOBEX).setMirrorState("fargate-svc", 1, 0, { status: "done" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(VersionNotFoundError);
      expect(error).toMatchObject({ owner: "globex" });
      expect(await registry.pendingMirrors()).toHaveLength(1);
    });

    it("lists a pending version of an owner whose installation is unknown without one", async () => {
      const registry = await open();
      const recorded = await registry.versions({ login: "local" }).recordVersion(newVersion({ mirror: true }));
      expect(await registry.pendingMirrors()).toEqual([{ owner: { login: "local" }, version: recorded.version }]);
    });
  });
}
