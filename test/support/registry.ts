// A real Postgres registry in a schema of its own, dropped afterwards, so tests
// never see each other's versions.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { createPostgresRegistry } from "../../src/adapters/registry/postgres.js";
import type { Registry } from "../../src/ports/registry.js";

export const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export interface TestRegistry {
  registry: Registry;
  schema: string;
  /** Another registry on the same schema: another worker process, as far as the database can tell. */
  connect(): Promise<Registry>;
  drop(): Promise<void>;
}

export async function testRegistry(): Promise<TestRegistry> {
  const schema = `t_${randomUUID().replace(/-/g, "").slice(0, 16)}`;
  const opened: Registry[] = [];
  const connect = async () => {
    const r = await createPostgresRegistry(DATABASE_URL, { schema });
    opened.push(r);
    return r;
  };
  const registry = await connect();
  return {
    registry, schema, connect,
    async drop() {
      await Promise.all(opened.map((r) => r.close()));
      const admin = new pg.Client({ connectionString: DATABASE_URL });
      await admin.connect();
      try {
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await admin.end();
      }
    },
  };
}
