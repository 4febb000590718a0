// A registry that cannot be used at all: a damaged or foreign PGlite data directory, a Postgres
// nobody answers at, and a schema a newer Baryon migrated. Each is a typed error that says what
// and where, and each leaves the registry exactly as it was.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createRegistry,
  RegistryTooNewError,
  RegistryUnreachableError,
  RegistryUnreadableError,
} from "../../src/adapters/registry/index.js";
import { loadMigrations } from "../../src/adapters/registry/migrate.js";
import { canRead, closedPort, damagedCopy, DAMAGE, fingerprint, healthyDataDir } from "./support/damaged-registry.js";
import { uniqueSchema } from "./helpers.js";

const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

describe("an embedded registry that cannot be read", () => {
  let healthy: string;
  let migrationsFile: string;
  beforeAll(async () => {
    ({ dataDir: healthy, migrationsFile } = await healthyDataDir());
  }, 60_000);

  const reasons: Record<keyof typeof DAMAGE, RegExp> = {
    "PG_VERSION garbled": /: PG_VERSION is damaged\. Nothing was changed\./,
    "pg_control truncated": /: global\/pg_control is damaged\. Nothing was changed\./,
    "pg_control garbled": /: PGlite could not start on its files\. Nothing was changed\./,
    "a relation file truncated": /: could not read blocks 3\.\.3 in file "base\/5\/1255": read only 0 of 8192 bytes\. Nothing was changed\./,
    "the WAL segment removed": /: PGlite aborted while reading its files\. Nothing was changed\./,
  };

  for (const damage of Object.keys(DAMAGE) as (keyof typeof DAMAGE)[]) {
    it(`${damage}: says so, with the way to recover, and leaves every byte as it was`, async () => {
      const dataDir = damagedCopy(healthy, damage);
      const before = fingerprint(dataDir);
      for (const migrate of [true, false]) {
        const error = await createRegistry({ dataDir, migrate }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(RegistryUnreadableError);
        const message = (error as Error).message;
        expect(message).toMatch(new RegExp(`^the registry in ${dataDir} cannot be read${reasons[damage].source}\n`));
        expect(message).toMatch(new RegExp(`\n  mv ${dataDir} ${dataDir}\\.damaged-\\d{8}-\\d{6}$`));
        expect(message).not.toMatch(/ASSERTIONS|Aborted\(\)/);
        expect(fingerprint(dataDir)).toBe(before);
      }
    }, 60_000);
  }

  it("a file where the data directory should be (EEXIST before): refused, the file untouched", async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), "baryon-damaged-")), "registry");
    writeFileSync(dataDir, "not a registry\n");
    const error = await createRegistry({ dataDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryUnreadableError);
    expect((error as Error).message).toMatch(/cannot be read: it is a file, not a directory\. Nothing was changed\./);
    expect(readFileSync(dataDir, "utf8")).toBe("not a registry\n");
  });

  it("a folder of other files: refused rather than made into a registry among them", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "baryon-damaged-"));
    mkdirSync(join(dataDir, "photos"));
    writeFileSync(join(dataDir, "notes.txt"), "mine\n");
    const before = fingerprint(dataDir);
    const error = await createRegistry({ dataDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryUnreadableError);
    expect((error as Error).message).toContain("cannot be read: it holds other files (notes.txt, photos), not a registry: there is no PG_VERSION.");
    expect(fingerprint(dataDir)).toBe(before);
  });

  it("a Baryon table damaged, found once PGlite started: unreadable, not taken for an old registry to upgrade", async () => {
    const dataDir = damagedCopy(healthy, (dir) => writeFileSync(join(dir, migrationsFile), Buffer.alloc(8192, 0x7f)));
    for (const migrate of [true, false]) {
      const error = await createRegistry({ dataDir, migrate }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RegistryUnreadableError);
      expect(error).toMatchObject({ code: "XX001" });
      expect((error as Error).message).toContain(`cannot be read: invalid page in block 0 of relation "${migrationsFile}". Nothing was changed.`);
    }
  }, 60_000);

  it("a folder this user may not read: permission denied (skipped where the tests run as root, who reads it anyway)", async (context) => {
    const dataDir = damagedCopy(healthy, (dir) => chmodSync(dir, 0o000));
    try {
      if (canRead(dataDir)) context.skip();
      const error = await createRegistry({ dataDir }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RegistryUnreadableError);
      expect((error as Error).message).toContain("cannot be read: permission denied. Nothing was changed.");
    } finally {
      chmodSync(dataDir, 0o755);
    }
  });
});

describe("a Postgres registry that cannot be used", () => {
  let admin: pg.Client;
  beforeAll(async () => {
    admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
  });
  afterAll(async () => {
    await admin.end();
  });

  it("unreachable: names host:port, never the password, and says nothing was changed", async () => {
    const port = await closedPort();
    const error = await createRegistry({ databaseUrl: `postgres://baryon:s3cret@127.0.0.1:${port}/registry` }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryUnreachableError);
    expect(error).toMatchObject({ address: `127.0.0.1:${port}`, code: "ECONNREFUSED" });
    expect((error as Error).message).toBe(
      `cannot reach the registry's Postgres at 127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}. Nothing was changed.\nCheck DATABASE_URL and that the server is running.`,
    );
    expect((error as Error).message).not.toContain("s3cret");
  });

  it("migrated by a newer Baryon: refused before anything runs on it, by a writer and a reader alike", async () => {
    const schema = uniqueSchema();
    const [first] = await loadMigrations();
    // Only the first migration of ours is recorded, then one of a later Baryon: applying ours would write.
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.query(`CREATE TABLE ${schema}.schema_migrations (name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    await admin.query(`INSERT INTO ${schema}.schema_migrations (name, checksum) VALUES ($1, $2), ('998-rollouts.sql', 'x'), ('999-from-a-newer-baryon.sql', 'y')`, [first!.name, first!.checksum]);
    const tables = async () => (await admin.query("SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1", [schema])).rows;
    try {
      for (const migrate of [true, false]) {
        const error = await createRegistry({ databaseUrl: DATABASE_URL, schema, migrate }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(RegistryTooNewError);
        expect((error as Error).message).toBe("the registry was migrated by a newer Baryon (migration 999-from-a-newer-baryon.sql); upgrade Baryon. Nothing was changed.");
      }
      expect(await tables()).toEqual([{ table_name: "schema_migrations" }]);
      expect((await admin.query(`SELECT count(*)::int AS n FROM ${schema}.schema_migrations`)).rows).toEqual([{ n: 3 }]);
    } finally {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    }
  });
});
