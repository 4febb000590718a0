// The little each SQL engine must provide so that one implementation (sql-registry.ts,
// migrate.ts) serves Postgres and PGlite alike. Internal to src/adapters/registry.
import { createHash } from "node:crypto";
import { RegistryError } from "../../ports/registry.js";

export type Row = Record<string, unknown>;

export interface Queryable {
  /** One statement with $1… parameters; returns its rows. */
  query<R extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** A script of several statements without parameters (a migration file). */
  exec(script: string): Promise<void>;
}

export interface Session extends Queryable {
  /** BEGIN … COMMIT around fn on one connection; ROLLBACK when fn throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
}

export interface Db extends Session {
  /**
   * Runs fn on one connection while holding the lock `key`: a Postgres session advisory
   * lock (so across processes), or an in-process mutex for PGlite (one process only).
   */
  exclusive<T>(key: bigint, fn: (session: Session) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A 64-bit advisory lock key from a name (Postgres takes a signed bigint). */
export function lockKey(name: string): bigint {
  return BigInt.asIntN(64, BigInt(`0x${createHash("sha256").update(name).digest("hex").slice(0, 16)}`));
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Schema names are spliced into SQL and startup options, so only plain lower-case identifiers pass. */
export function checkSchemaName(schema: string): string {
  if (!IDENTIFIER.test(schema)) throw new RegistryError(`schema name ${JSON.stringify(schema)} must match ${IDENTIFIER}`);
  return schema;
}

/** Wraps a driver error (pg or PGlite) into a RegistryError that keeps the SQLSTATE and the cause. */
export function toRegistryError(operation: string, error: unknown): RegistryError {
  if (error instanceof RegistryError) return error;
  const raw = (error as { code?: unknown } | null)?.code;
  const code = typeof raw === "string" ? raw : undefined;
  // Node's AggregateError for a refused connection has an empty message; its code says it.
  const message = (error instanceof Error ? error.message : String(error)) || code || "unknown error";
  return new RegistryError(`registry ${operation} failed: ${message}`, { cause: error, code });
}

/** Runs fn, turning whatever it throws into a RegistryError that names the operation. */
export async function guard<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toRegistryError(operation, error);
  }
}
