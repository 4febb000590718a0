// The PGlite adapter. The contract runs on one in-memory instance shared by the file, each test
// in its own schema (starting PGlite takes seconds; a schema takes milliseconds); the tests
// below open instances of their own, in memory and on a data directory.
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRegistry } from "../../src/adapters/registry/index.js";
import { createPgliteRegistry, pgliteDb, registryOnPglite } from "../../src/adapters/registry/pglite.js";
import { describeRegistry } from "./conformance.js";
import { newVersion, uniqueSchema } from "./helpers.js";
import { ACME } from "./place.js";

let shared: PGlite;

beforeAll(async () => {
  shared = await PGlite.create();
});

afterAll(async () => {
  await shared.close();
});

describeRegistry("PGlite", {
  async setup() {
    const schema = uniqueSchema();
    await shared.exec(`CREATE SCHEMA ${schema}`);
    return {
      open: () => registryOnPglite(shared, { schema }),
      openDb: () => pgliteDb(shared, { schema }),
      teardown: async () => void (await shared.exec(`DROP SCHEMA ${schema} CASCADE`)),
    };
  },
});

describe("PGlite registry", () => {
  it("runs in memory when given no data directory", async () => {
    const registry = await createPgliteRegistry();
    try {
      expect((await registry.versions(ACME).recordVersion(newVersion())).version.minor).toBe(0);
    } finally {
      await registry.close();
    }
  });

  it("persists to its data directory: closed and reopened, it finds its versions", async () => {
    const dir = await mkdtemp(join(tmpdir(), "baryon-registry-"));
    const dataDir = join(dir, "nested", "registry");
    try {
      const first = await createRegistry({ dataDir });
      await first.versions(ACME).recordVersion(newVersion({ bundle: "a" }));
      await first.versions(ACME).recordVersion(newVersion({ bundle: "b", status: "draft" }));
      expect(await first.markDeliveryProcessed("d-1", "push")).toBe(true);
      await first.close();
      expect(await readdir(dataDir)).toContain("PG_VERSION");

      const reopened = await createPgliteRegistry(dataDir);
      try {
        expect((await reopened.versions(ACME).listVersions("fargate-svc")).map((v) => [v.minor, v.status])).toEqual([
          [0, "published"],
          [1, "draft"],
        ]);
        expect(await reopened.markDeliveryProcessed("d-1", "push")).toBe(false);
        expect((await reopened.versions(ACME).recordVersion(newVersion({ bundle: "c" }))).version.minor).toBe(2);
      } finally {
        await reopened.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("leaves a shared instance open when its registry closes", async () => {
    const schema = uniqueSchema();
    const registry = await registryOnPglite(shared, { schema });
    await registry.close();
    expect((await shared.query(`SELECT count(*)::int AS n FROM ${schema}.versions`)).rows).toEqual([{ n: 0 }]);
    await shared.exec(`DROP SCHEMA ${schema} CASCADE`);
  });
});
