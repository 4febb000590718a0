// The Postgres adapter against the real server (DATABASE_URL, or the test database .ci/run creates).
// Every test gets its own schema and drops it, so runs never collide.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRegistry } from "../../src/adapters/registry/index.js";
import { createPostgresRegistry, openPostgresDb } from "../../src/adapters/registry/postgres.js";
import { RegistryError } from "../../src/ports/registry.js";
import { describeRegistry } from "./conformance.js";
import { newVersion, uniqueSchema } from "./helpers.js";
import { ACME } from "./place.js";

const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
let admin: pg.Client;

beforeAll(async () => {
  admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect().catch((err: Error) => {
    throw new Error(`Postgres is not reachable at ${DATABASE_URL} (${err.message}); .ci/run shows how to start it`);
  });
});

afterAll(async () => {
  await admin.end();
});

describeRegistry("Postgres", {
  async setup() {
    const schema = uniqueSchema();
    await admin.query(`CREATE SCHEMA ${schema}`);
    // Small pools: each "worker" is its own pool, and other suites share the server.
    const options = { schema, poolSize: 2 };
    return {
      open: () => createPostgresRegistry(DATABASE_URL, options),
      openDb: () => openPostgresDb(DATABASE_URL, options),
      teardown: async () => void (await admin.query(`DROP SCHEMA ${schema} CASCADE`)),
    };
  },
});

describe("Postgres registry", () => {
  it("is what createRegistry opens for a DATABASE_URL: its schema created when missing, every table in it", async () => {
    const schema = uniqueSchema();
    const registry = await createRegistry({ databaseUrl: DATABASE_URL, schema });
    try {
      await registry.versions(ACME).recordVersion(newVersion());
      expect((await admin.query(`SELECT owner, template, major, minor FROM ${schema}.versions`)).rows).toEqual([
        { owner: "acme", template: "fargate-svc", major: 1, minor: 0 },
      ]);
      const { rows } = await admin.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name",
        [schema],
      );
      expect(rows.map((row) => row.table_name)).toEqual([
        "deployments",
        "owners",
        "processed_deliveries",
        "requested_work",
        "resource_drift",
        "resources",
        "rollout_targets",
        "rollouts",
        "schema_migrations",
        "templates",
        "versions",
      ]);
    } finally {
      await registry.close();
      await registry.close();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    }
  });

  it("reports an unreachable server as a RegistryError with the driver's code", async () => {
    const error = await createPostgresRegistry("postgres://postgres@127.0.0.1:1/test").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect(error).toMatchObject({ code: "ECONNREFUSED", message: expect.stringContaining("cannot reach the registry's Postgres at 127.0.0.1:1") });
  });

  it("refuses a schema name it would have to quote", async () => {
    await expect(createPostgresRegistry(DATABASE_URL, { schema: "x; DROP TABLE versions" })).rejects.toThrow(RegistryError);
  });
});
