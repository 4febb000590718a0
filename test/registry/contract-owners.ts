// The Registry contract, owner scope: two owners may both have a `vpc` template, each numbered
// from its own history, and neither sees, numbers from, nor writes the other's.
import { describe, expect, it } from "vitest";
import { RegistryError, TemplateOwnedElsewhereError, VersionNotFoundError, type Owner } from "../../src/ports/registry.js";
import { newVersion } from "./helpers.js";
import { ACME, usePlace, type RegistryTarget } from "./place.js";

const GLOBEX: Owner = { login: "globex", installationId: 7301 };

const vpc = (bundle: string, repository: string) =>
  newVersion({ template: "vpc", kind: "environment", bundle, source: { repository, commit: `${bundle}-commit`, pullRequest: 1 } });

export function describeOwnerScope(target: RegistryTarget): void {
  describe("owner scope", () => {
    const { open, openDb } = usePlace(target);

    it("gives a template name to the first repository of its owner that publishes it, even when two race", async () => {
      const registry = await open();
      const acme = registry.versions(ACME);
      expect(await acme.templateRepository("vpc")).toBeUndefined();
      const raced = await Promise.allSettled(["acme/templates", "acme/network", "acme/sandbox"].map((repository, i) => acme.recordVersion(vpc(`race-${i}`, repository))));
      const won = raced.flatMap((r) => (r.status === "fulfilled" ? [r.value.version.source.repository] : []));
      expect(won).toHaveLength(1);
      expect(raced.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason)).toEqual([
        expect.any(TemplateOwnedElsewhereError), expect.any(TemplateOwnedElsewhereError),
      ]);
      expect(await acme.templateRepository("vpc")).toBe(won[0]);
      // The same repository, however GitHub spells it, publishes on; another owner's `vpc` is its own.
      expect(await acme.recordVersion(vpc("next", won[0]!.toUpperCase()))).toMatchObject({ created: true, version: { minor: 1 } });
      expect(await registry.versions(GLOBEX).recordVersion(vpc("globex", "globex/infra"))).toMatchObject({ created: true, version: { minor: 0 } });
    });

    it("numbers each owner's `vpc` from its own history and shows neither to the other", async () => {
      const registry = await open();
      const acme = registry.versions(ACME);
      const globex = registry.versions(GLOBEX);

      const acmeFirst = await acme.recordVersion(vpc("acme-1", "acme/templates"));
      const globexFirst = await globex.recordVersion(vpc("globex-1", "globex/infra"));
      expect(acmeFirst).toMatchObject({ created: true, version: { major: 1, minor: 0, source: { repository: "acme/templates" } } });
      expect(globexFirst).toMatchObject({ created: true, version: { major: 1, minor: 0, source: { repository: "globex/infra" } } });
      const acmeSecond = await acme.recordVersion(vpc("acme-2", "acme/templates"));
      expect(acmeSecond).toMatchObject({ created: true, version: { minor: 1 } });

      expect(await acme.listVersions("vpc")).toEqual([acmeFirst.version, acmeSecond.version]);
      expect(await globex.listVersions("vpc")).toEqual([globexFirst.version]);
      await acme.recordVersion(newVersion({ template: "app-svc", bundle: "acme-app" }));
      expect(await acme.templates()).toEqual(["app-svc", "vpc"]);
      expect(await globex.templates()).toEqual(["vpc"]);
      expect(await acme.latestMinor("vpc", 1)).toBe(1);
      expect(await globex.latestMinor("vpc", 1)).toBe(0);
      expect(await globex.getVersion("vpc", 1, 1)).toBeUndefined();
      expect(await globex.getVersion("vpc", 1, 0)).toEqual(globexFirst.version);
      expect(await acme.recommendedVersion("vpc")).toEqual(acmeSecond.version);
      expect(await globex.recommendedVersion("vpc")).toEqual(globexFirst.version);

      const refused = await globex.setVersionStatus("vpc", 1, 1, "draft").catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(VersionNotFoundError);
      expect(refused).toMatchObject({ template: "vpc", major: 1, minor: 1, owner: "globex" });
      expect(await acme.getVersion("vpc", 1, 1)).toMatchObject({ status: "published" });

      // The same bundle recorded by the other owner is that owner's own version, not "nothing new".
      const copied = await globex.recordVersion(vpc("acme-2", "globex/infra"));
      expect(copied).toMatchObject({ created: true, version: { minor: 1, source: { repository: "globex/infra" } } });
      expect(await acme.listVersions("vpc")).toEqual([acmeFirst.version, acmeSecond.version]);
    });

    it("numbers concurrent first merges of two owners' same-named template apart", async () => {
      const workers = await Promise.all(Array.from({ length: 8 }, () => open()));
      const results = await Promise.all(
        workers.map((registry, n) => {
          const owner = n % 2 === 0 ? ACME : GLOBEX;
          return registry.versions(owner).recordVersion(vpc(`${owner.login}-1`, `${owner.login}/templates`));
        }),
      );
      expect(results.filter((r) => r.created)).toHaveLength(2);
      expect(new Set(results.map((r) => `${r.version.source.repository} ${r.version.major}.${r.version.minor}`))).toEqual(
        new Set(["acme/templates 1.0", "globex/templates 1.0"]),
      );
    });

    it("treats logins case-insensitively, as GitHub does", async () => {
      const registry = await open();
      const recorded = await registry.versions({ login: "ACME" }).recordVersion(vpc("acme-1", "ACME/templates"));
      expect(await registry.versions({ login: "acme" }).getVersion("vpc", 1, 0)).toEqual(recorded.version);
      expect(() => registry.versions({ login: " " })).toThrow(RegistryError);
    });

    it("keeps the owner's installation id up to date on writes, and keeps it when a write does not know it", async () => {
      const registry = await open();
      const installationOf = async () =>
        (await openDb().query<{ id: string | null }>("SELECT installation_id::text AS id FROM owners WHERE login = 'acme'"))[0]?.id;
      await registry.versions({ login: "acme" }).recordVersion(vpc("a", "acme/templates"));
      expect(await installationOf()).toBeNull();
      await registry.versions({ login: "acme", installationId: 11 }).recordVersion(vpc("b", "acme/templates"));
      expect(await installationOf()).toBe("11");
      await registry.versions({ login: "acme", installationId: 12 }).recordVersion(vpc("b", "acme/templates"));
      expect(await installationOf()).toBe("12");
      await registry.versions({ login: "acme" }).recordVersion(vpc("c", "acme/templates"));
      expect(await installationOf()).toBe("12");
    });
  });
}
