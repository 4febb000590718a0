// The composition root's way in: Postgres when DATABASE_URL is set, embedded PGlite otherwise.
import { resolve } from "node:path";
import { createPgliteRegistry } from "./pglite.js";
import { createPostgresRegistry } from "./postgres.js";
import type { Registry } from "../../ports/registry.js";

export * from "../../ports/registry.js";
export { createPostgresRegistry, type PostgresRegistryOptions } from "./postgres.js";
export { createPgliteRegistry, registryOnPglite, type PgliteRegistryOptions } from "./pglite.js";
export { inspectDataDir, type DataDirState } from "./data-dir.js";
export { RegistryTooNewError, RegistryUnavailableError, RegistryUnreachableError, RegistryUnreadableError } from "./registry-errors.js";

/** Where the embedded registry keeps its data when no dataDir is given, relative to the current directory. */
export const DEFAULT_DATA_DIR = ".baryon/registry";

export interface RegistryConfig {
  /** DATABASE_URL: when set, the registry lives in this Postgres database. */
  databaseUrl?: string;
  /** PGlite's data directory when no databaseUrl is set (default `.baryon/registry` under the current directory). */
  dataDir?: string;
  /** Keep the tables in this schema (created when missing); default: the connection's own. */
  schema?: string;
  /** False: open an up-to-date registry without migrating it, or throw MigrationError (default true). */
  migrate?: boolean;
}

/** Opens the registry and brings its tables up to date (migrations run before this resolves), unless `migrate: false`. */
export function createRegistry(config: RegistryConfig = {}): Promise<Registry> {
  const { databaseUrl, dataDir, schema, migrate } = config;
  const options = { ...(schema === undefined ? {} : { schema }), ...(migrate === undefined ? {} : { migrate }) };
  if (databaseUrl) return createPostgresRegistry(databaseUrl, options);
  return createPgliteRegistry(resolve(dataDir ?? DEFAULT_DATA_DIR), options);
}
