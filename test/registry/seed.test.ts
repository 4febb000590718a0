// The build's seed of the embedded registry (scripts/build-seed.mjs): a fresh data
// directory starts from it, opens as a migrated registry, keeps what it records, and
// opens again; in memory, PGlite loads it. Without a build there is no seed to test.
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createPgliteRegistry } from "../../src/adapters/registry/pglite.js";
import { ROOT } from "../support/cli.js";
import { newVersion } from "./helpers.js";
import { ACME } from "./place.js";

const seed = join(ROOT, "dist/adapters/registry/seed.tar.gz");

describe.skipIf(!existsSync(seed))("a registry started from the build's seed", () => {
  it("is made in a fresh data directory, with nothing left beside it, and keeps what it records", async () => {
    const parent = mkdtempSync(join(tmpdir(), "baryon-seed-"));
    const dataDir = join(parent, "registry");
    const first = await createPgliteRegistry(dataDir, { seed });
    expect(readdirSync(parent)).toEqual(["registry"]);
    expect((await first.versions(ACME).recordVersion(newVersion())).version.minor).toBe(0);
    await first.close();

    // Opened again without migrating: the seed's schema is the migrations' schema.
    const again = await createPgliteRegistry(dataDir, { seed, migrate: false });
    expect((await again.versions(ACME).recordVersion(newVersion({ bundle: "b" }))).version.minor).toBe(1);
    await again.close();
  }, 60_000);

  it("starts in memory from it too", async () => {
    const registry = await createPgliteRegistry(undefined, { seed, migrate: false });
    expect((await registry.versions(ACME).recordVersion(newVersion())).version.minor).toBe(0);
    await registry.close();
  }, 60_000);
});
