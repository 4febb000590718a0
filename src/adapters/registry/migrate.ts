// Applies the SQL files of ./migrations in name order, each in its own transaction,
// and records them in schema_migrations. The whole run holds one lock, so several
// processes starting at once apply each file exactly once: the first does the work,
// the others wait, then find everything recorded.
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { checkSchemaName, lockKey, type Db, type Queryable } from "./db.js";
import { RegistryTooNewError } from "./registry-errors.js";
import { MigrationError } from "../../ports/registry.js";

/** The .sql files ship beside the compiled module (scripts/build.mjs copies them into dist/). */
export const MIGRATIONS_DIR = new URL("./migrations/", import.meta.url);

export interface Migration {
  /** File name, e.g. "001-initial.sql". */
  name: string;
  sql: string;
  /** sha256 of the SQL, so an edit to an applied file is noticed rather than silently skipped. */
  checksum: string;
}

const MIGRATION_NAME = /^\d{3}-[a-z0-9-]+\.sql$/;

export async function loadMigrations(dir: URL = MIGRATIONS_DIR): Promise<Migration[]> {
  const names = (await readdir(dir)).filter((name) => name.endsWith(".sql")).sort();
  const migrations: Migration[] = [];
  for (const name of names) {
    if (!MIGRATION_NAME.test(name)) throw new MigrationError(`migration file ${name} must be named NNN-name.sql`);
    const sql = await readFile(new URL(name, dir), "utf8");
    migrations.push({ name, sql, checksum: createHash("sha256").update(sql).digest("hex") });
  }
  return migrations;
}

export interface MigrateOptions {
  /** Create and migrate this schema (the connection's search_path must name it). */
  schema?: string;
  /** Defaults to the files of ./migrations. */
  migrations?: Migration[];
}

/**
 * Checks, without changing anything, that every migration of this Baryon is applied: a
 * reader (`baryon check`) must not upgrade a registry that servers share. Throws MigrationError
 * naming what is missing, RegistryTooNewError when a newer Baryon migrated it.
 */
export async function verifyMigrations(db: Db, options: MigrateOptions = {}): Promise<void> {
  const migrations = options.migrations ?? (await loadMigrations());
  const recorded = await recordedMigrations(db);
  refuseNewer(recorded, migrations);
  const missing = migrations.filter((m) => recorded.get(m.name) !== m.checksum).map((m) => m.name);
  if (missing.length) {
    throw new MigrationError(`the registry is older than this Baryon (${missing.join(", ")} not applied); \`baryon serve\` or \`baryon publish\` upgrades it`);
  }
}

/** Brings the database up to date; returns the names applied by this call (none when up to date). */
export async function runMigrations(db: Db, options: MigrateOptions = {}): Promise<string[]> {
  const schema = options.schema === undefined ? undefined : checkSchemaName(options.schema);
  const migrations = options.migrations ?? (await loadMigrations());
  // One lock per schema, so that test schemas (or tenants) do not wait for each other.
  return db.exclusive(lockKey(`baryon.registry.migrate:${schema ?? ""}`), async (session) => {
    // Read before any statement that could write: a registry a newer Baryon migrated is left alone.
    const recorded = await recordedMigrations(session);
    refuseNewer(recorded, migrations);
    if (schema) await session.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await session.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      name        text PRIMARY KEY,
      checksum    text NOT NULL,
      applied_at  timestamptz NOT NULL DEFAULT now()
    )`);
    const applied: string[] = [];
    for (const migration of migrations) {
      const checksum = recorded.get(migration.name);
      if (checksum === migration.checksum) continue;
      if (checksum !== undefined) {
        throw new MigrationError(`migration ${migration.name} was changed after it was applied; add a new migration instead`);
      }
      await session.transaction(async (tx) => {
        await tx.exec(migration.sql);
        await tx.query("INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)", [migration.name, migration.checksum]);
      });
      applied.push(migration.name);
    }
    return applied;
  });
}

/** name → checksum of the applied migrations; none when the table (or the schema) does not exist yet. */
async function recordedMigrations(db: Queryable): Promise<Map<string, string>> {
  try {
    const rows = await db.query<{ name: string; checksum: string }>("SELECT name, checksum FROM schema_migrations");
    return new Map(rows.map((row) => [row.name, row.checksum]));
  } catch (error) {
    // 42P01 undefined_table; anything else (a damaged table, a lost connection) is a real failure.
    if ((error as { code?: unknown } | null)?.code === UNDEFINED_TABLE) return new Map();
    throw error;
  }
}

const UNDEFINED_TABLE = "42P01";

/** Migrations are numbered in order, so a recorded name after this Baryon's last one came from a newer Baryon. */
function refuseNewer(recorded: Map<string, string>, migrations: Migration[]): void {
  const last = migrations.at(-1)?.name ?? "";
  const newer = [...recorded.keys()].filter((name) => name > last).sort();
  if (newer.length) throw new RegistryTooNewError(newer.at(-1)!);
}
