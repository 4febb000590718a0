// The Registry on PGlite: Postgres compiled to WebAssembly, embedded in this process,
// persisted to a data directory (or in memory). The default when no DATABASE_URL is set.
// One process per data directory: PGlite cannot share its files with another process.
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, rmdir } from "node:fs/promises";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import { inspectDataDir, openUndoingFailure } from "./data-dir.js";
import { checkSchemaName, toRegistryError, type Db, type Queryable, type Row } from "./db.js";
import { RegistryUnreadableError } from "./registry-errors.js";
import { plantSeed, SEED_PATH } from "./seed.js";
import { openSqlRegistry } from "./sql-registry.js";
import { RegistryError, type Registry } from "../../ports/registry.js";

export interface PgliteRegistryOptions {
  /** Keep Baryon's tables in this schema (created when missing), e.g. to share one instance between tests. */
  schema?: string;
  /** False: only check that the schema is up to date, and change nothing (default true: migrate). */
  migrate?: boolean;
  /** The seed a fresh registry starts from (default: the build's, beside this module; none when missing). */
  seed?: string;
}

function txQueryable(tx: Transaction): Queryable {
  return {
    query: async <R extends Row>(sql: string, params: readonly unknown[] = []) => (await tx.query<R>(sql, [...params])).rows,
    exec: async (script) => void (await tx.exec(script)),
  };
}

// exclusive() needs no cross-process lock (one process per data directory), only one per instance.
const instanceLocks = new WeakMap<PGlite, Promise<unknown>>();

/**
 * A Db on an open PGlite instance. PGlite runs one statement or transaction at a time,
 * so concurrent callers queue rather than interleave. With a schema, every call runs in a
 * transaction that sets its search_path first, so registries on different schemas can share
 * the instance. close() closes the instance only when `owned`.
 */
export function pgliteDb(instance: PGlite, options: PgliteRegistryOptions & { owned?: boolean } = {}): Db {
  const schema = options.schema === undefined ? undefined : checkSchemaName(options.schema);
  const transaction = <T>(fn: (tx: Queryable) => Promise<T>): Promise<T> =>
    instance.transaction(async (tx) => {
      if (schema) await tx.exec(`SET LOCAL search_path TO ${schema}`);
      return fn(txQueryable(tx));
    });
  const db: Db = {
    query: <R extends Row>(sql: string, params: readonly unknown[] = []) =>
      schema ? transaction((tx) => tx.query<R>(sql, params)) : instance.query<R>(sql, [...params]).then((result) => result.rows),
    exec: (script) => (schema ? transaction((tx) => tx.exec(script)) : instance.exec(script).then(() => undefined)),
    transaction,
    exclusive: (_key, fn) => {
      const run = (instanceLocks.get(instance) ?? Promise.resolve()).then(() => fn(db));
      instanceLocks.set(
        instance,
        run.catch(() => undefined),
      );
      return run;
    },
    close: async () => {
      if (options.owned && !instance.closed) await instance.close();
    },
  };
  return db;
}

/** Migrates and returns a Registry on an instance the caller opened and will close. */
export async function registryOnPglite(instance: PGlite, options: PgliteRegistryOptions = {}): Promise<Registry> {
  const db = pgliteDb(instance, options);
  return openSqlRegistry(db, options);
}

/** How long PGlite may take to start before the open is given up (it can hang on damaged files). */
const START_DEADLINE_MS = 60_000;

/**
 * Opens PGlite on `dataDir` (created when missing; in memory when undefined), migrates it, and
 * returns the Registry. A data directory that is damaged or not a registry is never recreated:
 * RegistryUnreadableError says so, with the directory as it was.
 */
export async function createPgliteRegistry(dataDir?: string, options: PgliteRegistryOptions = {}): Promise<Registry> {
  if (dataDir === undefined || (await inspectDataDir(dataDir)) !== "cluster") {
    let instance: PGlite;
    try {
      const seed = options.seed ?? SEED_PATH;
      if (dataDir !== undefined) await prepareDataDir(dataDir, seed);
      instance = await startPglite(dataDir, seed);
    } catch (error) {
      throw toRegistryError("open", error);
    }
    return openSqlRegistry(pgliteDb(instance, { ...options, owned: true }), options);
  }
  const instance = await openUndoingFailure(dataDir, () => startPglite(dataDir), startFailure);
  try {
    return await openSqlRegistry(pgliteDb(instance, { ...options, owned: true }), options);
  } catch (error) {
    // Postgres' classes XX (data or index corrupted) and 58 (I/O): the files, not Baryon, are at fault.
    const code = error instanceof RegistryError ? (error.code ?? "") : "";
    if (!/^(XX|58)/.test(code)) throw error;
    throw new RegistryUnreadableError(dataDir, startFailure((error as Error).cause ?? error), { cause: error, code });
  }
}

/**
 * A missing or empty data directory gets the build's seed, unpacked beside it and renamed
 * into place, so a start cut short leaves no half-made cluster behind. Without a seed
 * (running from the sources), PGlite makes the cluster itself.
 */
async function prepareDataDir(dataDir: string, seed: string): Promise<void> {
  if (!existsSync(seed)) return void (await mkdir(dataDir, { recursive: true }));
  const staging = `${dataDir}.seeding-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  try {
    await plantSeed(staging, seed);
    // inspectDataDir found it missing or empty.
    await rmdir(dataDir).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw error;
    });
    await rename(staging, dataDir);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function startPglite(dataDir: string | undefined, seed?: string): Promise<PGlite> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`PGlite did not start on it within ${START_DEADLINE_MS / 1000} s`)), START_DEADLINE_MS);
    timer.unref();
  });
  try {
    // In memory there is no folder to unpack into: PGlite loads the seed itself.
    const load = dataDir === undefined && seed !== undefined && existsSync(seed) ? { loadDataDir: new Blob([await readFile(seed)]) } : {};
    return await Promise.race([PGlite.create({ ...(dataDir === undefined ? {} : { dataDir }), ...load }), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** PGlite's own words for a failed start, without the WebAssembly build's advice to developers. */
function startFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (message.startsWith("Aborted(")) return "PGlite aborted while reading its files";
  if (/failed to initialize/.test(message)) return "PGlite could not start on its files";
  return message;
}
