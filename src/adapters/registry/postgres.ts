// The Registry on PostgreSQL (DATABASE_URL), through a pg.Pool. Safe with many processes:
// numbering locks the template row, migrations hold an advisory lock.
import pg from "pg";
import { checkSchemaName, toRegistryError, type Db, type Queryable, type Row, type Session } from "./db.js";
import { databaseAddress, RegistryUnreachableError } from "./registry-errors.js";
import { openSqlRegistry } from "./sql-registry.js";
import type { Registry } from "../../ports/registry.js";

export interface PostgresRegistryOptions {
  /** Keep Baryon's tables in this schema (created when missing) instead of the connection's default. */
  schema?: string;
  /** Connections in the pool (default 10). */
  poolSize?: number;
  /** False: only check that the schema is up to date, and change nothing (default true: migrate). */
  migrate?: boolean;
}

function clientQueryable(client: pg.ClientBase): Queryable {
  return {
    query: async <R extends Row>(sql: string, params: readonly unknown[] = []) => (await client.query<R>(sql, [...params])).rows,
    // Without parameters pg uses the simple query protocol, which runs several statements.
    exec: async (script) => void (await client.query(script)),
  };
}

/** A session on one checked-out client; `broken` is set when the connection can no longer be trusted. */
function clientSession(client: pg.ClientBase, state: { broken: boolean }): Session {
  const queryable = clientQueryable(client);
  return {
    ...queryable,
    async transaction(fn) {
      await client.query("BEGIN");
      try {
        const result = await fn(queryable);
        await client.query("COMMIT");
        return result;
      } catch (error) {
        // A failed ROLLBACK means a dead connection: the pool must not hand it out again.
        await client.query("ROLLBACK").catch(() => (state.broken = true));
        throw error;
      }
    },
  };
}

const CONNECT_TIMEOUT_MS = 10_000;

export function openPostgresDb(url: string, options: PostgresRegistryOptions = {}): Db {
  const schema = options.schema === undefined ? undefined : checkSchemaName(options.schema);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    // pg waits for the operating system's TCP timeout (minutes) by default; a dead host fails sooner.
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    // Every connection resolves Baryon's unqualified table names in the chosen schema.
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle client whose server went away emits "error"; unhandled, it would end the process.
  // The pool drops that client, and the next query reports the failure to its caller.
  pool.on("error", () => {});

  async function withClient<T>(fn: (session: Session, state: { broken: boolean }) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    const state = { broken: false };
    try {
      return await fn(clientSession(client, state), state);
    } finally {
      client.release(state.broken);
    }
  }

  let ended: Promise<void> | undefined;
  return {
    query: async <R extends Row>(sql: string, params: readonly unknown[] = []) => (await pool.query<R>(sql, [...params])).rows,
    exec: async (script) => void (await pool.query(script)),
    transaction: (fn) => withClient((session) => session.transaction(fn)),
    exclusive: (key, fn) =>
      withClient(async (session, state) => {
        // A session lock: released by the unlock below, or by the server when the connection
        // closes (a failed unlock marks it broken, so the pool closes it rather than reuse it).
        await session.query("SELECT pg_advisory_lock($1::bigint)", [key.toString()]);
        try {
          return await fn(session);
        } finally {
          await session.query("SELECT pg_advisory_unlock($1::bigint)", [key.toString()]).catch(() => (state.broken = true));
        }
      }),
    close: () => (ended ??= pool.end()),
  };
}

/** Opens a pool on `url`, brings the schema up to date, and returns the Registry. */
export async function createPostgresRegistry(url: string, options: PostgresRegistryOptions = {}): Promise<Registry> {
  const db = openPostgresDb(url, options);
  try {
    await db.query("SELECT 1");
  } catch (error) {
    await db.close();
    const code = (error as { code?: unknown } | null)?.code;
    // Node's AggregateError for a refused connection has an empty message; its code says it.
    const reason = (error instanceof Error && error.message) || (typeof code === "string" ? code : String(error));
    throw new RegistryUnreachableError(databaseAddress(url), reason, { cause: error, ...(typeof code === "string" ? { code } : {}) });
  }
  return openSqlRegistry(db, options);
}
