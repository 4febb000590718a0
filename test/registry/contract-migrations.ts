// The Registry contract, migrations: applied once, guarded against edits, and a registry
// written by an earlier Baryon upgraded in place.
import { describe, expect, it } from "vitest";
import type { Queryable } from "../../src/adapters/registry/db.js";
import { loadMigrations, runMigrations, verifyMigrations } from "../../src/adapters/registry/migrate.js";
import { MigrationError, type VersionRecord } from "../../src/ports/registry.js";
import { commitOf, digestOf, newVersion } from "./helpers.js";
import { ACME, usePlace, type RegistryTarget } from "./place.js";

/** A version as Baryon wrote it before owners existed (001-initial.sql, the recordVersion of that time). */
interface OldVersion {
  template: string;
  kind: "environment" | "service";
  major: number;
  minor: number;
  bundle: string;
  repository: string;
  pullRequest: number | null;
  published: boolean;
  reasons: unknown[];
  createdAt: string;
}

const SCHEMA = { file: "vpc-env/v1/schema/schema.yaml", openapi: "3.0.0", types: {}, lines: {} };

const OLD_VERSIONS: OldVersion[] = [
  { template: "vpc-env", kind: "environment", major: 1, minor: 0, bundle: "vpc-a", repository: "acme/templates", pullRequest: 3, published: true, reasons: [], createdAt: "2025-01-02T03:04:05.678Z" },
  { template: "vpc", kind: "environment", major: 1, minor: 0, bundle: "globex-vpc", repository: "Globex/infra", pullRequest: null, published: true, reasons: [], createdAt: "2025-01-03T00:00:00.000Z" },
  { template: "vpc-env", kind: "environment", major: 1, minor: 1, bundle: "vpc-b", repository: "acme/templates", pullRequest: 4, published: true, reasons: [{ path: "environment.inputs.cidr", change: "optional input added", breaking: false }], createdAt: "2025-01-04T00:00:00.000Z" },
  // Old main numbered from one global history: acme's `vpc` went on from Globex's 1.0.
  { template: "vpc", kind: "environment", major: 1, minor: 1, bundle: "acme-vpc", repository: "acme/templates", pullRequest: 5, published: true, reasons: [], createdAt: "2025-01-05T00:00:00.000Z" },
  { template: "vpc-env", kind: "environment", major: 2, minor: 0, bundle: "vpc-c", repository: "acme/templates", pullRequest: 6, published: false, reasons: [], createdAt: "2025-01-06T00:00:00.000Z" },
];

async function writeAsOldMain(db: Queryable, v: OldVersion): Promise<void> {
  await db.query("INSERT INTO templates (name, kind) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING", [v.template, v.kind]);
  await db.query(
    `INSERT INTO versions (template, major, minor, kind, status, digest, artifact, source_repository, source_commit,
       source_pull_request, input_schema, reasons, created_at, published_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12::jsonb, $13, CASE WHEN $5 = 'published' THEN $13::timestamptz END)`,
    [
      v.template, v.major, v.minor, v.kind, v.published ? "published" : "draft", digestOf(v.bundle), artifactOf(v.bundle),
      v.repository, commitOf(v.bundle), v.pullRequest, JSON.stringify(SCHEMA), JSON.stringify(v.reasons), v.createdAt,
    ],
  );
}

function artifactOf(bundle: string): string {
  return `s3://baryon-artifacts/sha256/${digestOf(bundle)}.tar.gz`;
}

/** What the upgraded registry must give back for an old version: every field as written, no mirror. */
function expectedRecord(v: OldVersion): VersionRecord {
  const createdAt = new Date(v.createdAt);
  return {
    template: v.template,
    kind: v.kind,
    major: v.major,
    minor: v.minor,
    status: v.published ? "published" : "draft",
    digest: digestOf(v.bundle),
    artifact: artifactOf(v.bundle),
    source: { repository: v.repository, commit: commitOf(v.bundle), ...(v.pullRequest === null ? {} : { pullRequest: v.pullRequest }) },
    schema: SCHEMA as unknown as VersionRecord["schema"],
    reasons: v.reasons as VersionRecord["reasons"],
    createdAt,
    publishedAt: v.published ? createdAt : null,
  };
}

export function describeMigrations(target: RegistryTarget): void {
  describe("migrations", () => {
    const { open, store, openDb } = usePlace(target);

    it("migrates once: a second run applies nothing", async () => {
      await open();
      expect(await runMigrations(openDb(), {})).toEqual([]);
      const rows = await openDb().query<{ name: string }>("SELECT name FROM schema_migrations ORDER BY name");
      expect(rows.map((row) => row.name)).toEqual((await loadMigrations()).map((m) => m.name));
    });

    it("migrates a fresh database once when two processes start at the same time", async () => {
      const [a, b] = [openDb(), openDb()];
      const runs = await Promise.all([runMigrations(a, {}), runMigrations(b, {})]);
      const names = (await loadMigrations()).map((m) => m.name);
      expect(runs.flat().sort()).toEqual(names);
      expect(runs.some((run) => run.length === 0)).toBe(true);
      const registry = await store();
      expect((await registry.recordVersion(newVersion())).created).toBe(true);
    });

    it("refuses to start when an applied migration was edited", async () => {
      await open();
      const [first, ...rest] = await loadMigrations();
      const edited = { ...first!, sql: `${first!.sql}\n-- edited`, checksum: digestOf("edited") };
      const error = await runMigrations(openDb(), { migrations: [edited, ...rest] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as Error).message).toMatch(/001-initial\.sql was changed after it was applied/);
    });

    it("checks a registry without upgrading it, for readers such as baryon check: an old one is refused and left as it was", async () => {
      const all = await loadMigrations();
      const db = openDb();
      await runMigrations(db, { migrations: [all[0]!] });
      const refused = await verifyMigrations(db).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(MigrationError);
      expect((refused as Error).message).toContain(`${all[1]!.name}, `);
      const names = async () => (await db.query<{ name: string }>("SELECT name FROM schema_migrations ORDER BY name")).map((r) => r.name);
      expect(await names()).toEqual([all[0]!.name]);
      await runMigrations(db);
      await expect(verifyMigrations(db)).resolves.toBeUndefined();
      expect(await names()).toEqual(all.map((m) => m.name));
    });

    it("upgrades a registry written before owners in place: versions, digests and artifacts intact, each under its repository's owner", async () => {
      const [initial] = await loadMigrations();
      const old = openDb();
      expect(await runMigrations(old, { migrations: [initial!] })).toEqual(["001-initial.sql"]);
      await old.transaction(async (tx) => {
        for (const version of OLD_VERSIONS) await writeAsOldMain(tx, version);
      });

      const registry = await open();
      const applied = await openDb().query<{ name: string }>("SELECT name FROM schema_migrations ORDER BY name");
      expect(applied.map((row) => row.name)).toEqual((await loadMigrations()).map((m) => m.name));
      const owners = await openDb().query("SELECT login, installation_id FROM owners ORDER BY login");
      expect(owners).toEqual([
        { login: "acme", installation_id: null },
        { login: "globex", installation_id: null },
      ]);

      const acme = registry.versions(ACME);
      const globex = registry.versions({ login: "Globex" });
      const of = (template: string, repository: string) => OLD_VERSIONS.filter((v) => v.template === template && v.repository === repository);
      expect(await acme.listVersions("vpc-env")).toEqual(of("vpc-env", "acme/templates").map(expectedRecord));
      // The `vpc` both organizations published under one global name is now one template each.
      expect(await acme.listVersions("vpc")).toEqual(of("vpc", "acme/templates").map(expectedRecord));
      expect(await globex.listVersions("vpc")).toEqual(of("vpc", "Globex/infra").map(expectedRecord));
      expect(await globex.listVersions("vpc-env")).toEqual([]);
      expect(await acme.recommendedVersion("vpc-env")).toMatchObject({ major: 1, minor: 1 });

      // A redelivered merge of the latest bundle still publishes nothing; a new bundle numbers on.
      const replay = await acme.recordVersion(newVersion({ template: "vpc-env", kind: "environment", bundle: "vpc-b", source: { repository: "acme/templates", commit: "later" } }));
      expect(replay).toEqual({ created: false, version: expectedRecord(OLD_VERSIONS[2]!) });
      const next = await acme.recordVersion(newVersion({ template: "vpc-env", kind: "environment", bundle: "vpc-d" }));
      expect(next).toMatchObject({ created: true, version: { major: 1, minor: 2 } });
      // Each template keeps the repository it was published from (GitHub spells names in any case).
      expect(await acme.templateRepository("vpc-env")).toBe("acme/templates");
      expect(await globex.templateRepository("vpc")).toBe("Globex/infra");
      const globexSource = { repository: "globex/infra", commit: "globex-vpc-2-commit" };
      expect(await globex.recordVersion(newVersion({ template: "vpc", kind: "environment", bundle: "globex-vpc-2", source: globexSource }))).toMatchObject({
        created: true,
        version: { major: 1, minor: 1 },
      });
      const updated = await openDb().query("SELECT login, installation_id::text AS installation_id FROM owners ORDER BY login");
      expect(updated).toEqual([
        { login: "acme", installation_id: String(ACME.installationId) },
        { login: "globex", installation_id: null },
      ]);
    });
  });
}
