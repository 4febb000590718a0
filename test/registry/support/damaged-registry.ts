// Damaged registries for the tests of what Baryon says about them: one healthy PGlite data
// directory made once, copied and broken per test, and a fingerprint to show it was left as it was.
import { createHash } from "node:crypto";
import { accessSync, constants, cpSync, mkdtempSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { createRegistry } from "../../../src/adapters/registry/index.js";

/** A migrated, closed PGlite data directory under a new temp folder, and the file of its schema_migrations table. */
export async function healthyDataDir(): Promise<{ dataDir: string; migrationsFile: string }> {
  const dataDir = join(mkdtempSync(join(tmpdir(), "baryon-damaged-")), "registry");
  await (await createRegistry({ dataDir })).close();
  const pglite = await PGlite.create({ dataDir });
  const [row] = (await pglite.query<{ path: string }>("SELECT pg_relation_filepath('schema_migrations') AS path")).rows;
  await pglite.close();
  return { dataDir, migrationsFile: row!.path };
}

/** The ways a data directory is found broken, each applied to a fresh copy of `healthy`. */
export const DAMAGE = {
  "PG_VERSION garbled": (dir: string) => writeFileSync(join(dir, "PG_VERSION"), "garbage\n"),
  "pg_control truncated": (dir: string) => truncateSync(join(dir, "global/pg_control"), 100),
  // Full size, so only PGlite can tell: it starts, fails, and writes on the way.
  "pg_control garbled": (dir: string) => writeFileSync(join(dir, "global/pg_control"), Buffer.alloc(8192, 0x5a)),
  // pg_proc of the `postgres` database: read while PGlite starts ("could not read blocks 3..3").
  "a relation file truncated": (dir: string) => truncateSync(join(dir, "base/5/1255"), 8192),
  "the WAL segment removed": (dir: string) => {
    const wal = readdirSync(join(dir, "pg_wal")).find((name) => /^[0-9A-F]{24}$/.test(name))!;
    writeFileSync(join(dir, "pg_wal", wal), "");
  },
} as const;

/** A copy of `healthy`, broken by `damage` (one of DAMAGE, or any change to the copy). */
export function damagedCopy(healthy: string, damage: keyof typeof DAMAGE | ((dir: string) => void)): string {
  const dir = join(mkdtempSync(join(tmpdir(), "baryon-damaged-")), "registry");
  cpSync(healthy, dir, { recursive: true });
  (typeof damage === "function" ? damage : DAMAGE[damage])(dir);
  return dir;
}

/** Every file's path and bytes, and every folder's path: equal fingerprints, an untouched directory. */
export function fingerprint(path: string): string {
  const hash = createHash("sha256");
  const visit = (at: string, rel: string): void => {
    const info = statSync(at);
    if (!info.isDirectory()) return void hash.update(`${rel}\0${createHash("sha256").update(readFileSync(at)).digest("hex")}\n`);
    hash.update(`${rel}/\n`);
    for (const name of readdirSync(at).sort()) visit(join(at, name), `${rel}/${name}`);
  };
  visit(path, ".");
  return hash.digest("hex");
}

/** True when this process can still read `path` (root can, whatever its mode says). */
export function canRead(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    readdirSync(path);
    return true;
  } catch {
    return false;
  }
}

/** A TCP port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
export function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
