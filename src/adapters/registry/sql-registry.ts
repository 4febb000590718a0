// The Registry in SQL, shared by the Postgres and PGlite adapters through the Db interface.
// Version stores are built per owner (version-store.ts); what is global lives here.
import { guard, toRegistryError, type Db } from "./db.js";
import { runMigrations, verifyMigrations } from "./migrate.js";
import { toRecord, versionColumns, type VersionRow } from "./version-row.js";
import { createSqlVersionStore, ownerKey } from "./version-store.js";
import { createSqlDeploymentStore, DEPLOYMENT_COLUMNS, toDeployment, UNFINISHED, type DeploymentRow } from "./deployment-store.js";
import { createSqlRolloutStore } from "./rollout-store.js";
import type { Owner, Registry } from "../../ports/registry.js";

const DEFAULT_PENDING_LIMIT = 100;

interface PendingMirrorRow extends VersionRow {
  /** bigint: pg gives it as a string, PGlite as a number or bigint. */
  installation_id: string | number | bigint | null;
}

/**
 * Brings the database up to date (or, with `migrate: false`, only checks that it is) and
 * returns the Registry on it; on failure the database is closed and a RegistryError thrown.
 */
export async function openSqlRegistry(db: Db, options: { schema?: string; migrate?: boolean }): Promise<Registry> {
  try {
    if (options.migrate === false) await verifyMigrations(db);
    else await runMigrations(db, { schema: options.schema });
  } catch (error) {
    await db.close();
    throw toRegistryError("migration", error);
  }
  return createSqlRegistry(db);
}

export function createSqlRegistry(db: Db): Registry {
  let closed: Promise<void> | undefined;

  return {
    versions: (owner) => createSqlVersionStore(db, owner),

    deployments: (owner) => createSqlDeploymentStore(db, owner),

    rollouts: (owner) => createSqlRolloutStore(db, owner),

    unfinishedRollouts: (limit = DEFAULT_PENDING_LIMIT) =>
      guard("unfinishedRollouts", async () => {
        const rows = await db.query<{ owner: string; installation_id: string | number | bigint | null; id: string | number | bigint }>(
          `SELECT r.owner, o.installation_id, r.id FROM rollouts r JOIN owners o ON o.login = r.owner
           WHERE r.status NOT IN ('succeeded', 'aborted', 'superseded') ORDER BY r.id LIMIT $1`,
          [limit],
        );
        return rows.map((row) => ({ owner: ownerOf(row), rollout: String(row.id) }));
      }),

    unfinishedDeployments: (limit = DEFAULT_PENDING_LIMIT) =>
      guard("unfinishedDeployments", async () => {
        const rows = await db.query<DeploymentRow & { owner: string; installation_id: string | number | bigint | null }>(
          `SELECT d.owner, o.installation_id, ${DEPLOYMENT_COLUMNS.split(", ").map((c) => `d.${c}`).join(", ")}
           FROM deployments d JOIN owners o ON o.login = d.owner
           WHERE d.status IN ${UNFINISHED} ORDER BY d.id LIMIT $1`,
          [limit],
        );
        return rows.map((row) => ({ owner: ownerOf(row), deployment: toDeployment(row) }));
      }),

    ownersWithResources: () =>
      guard("ownersWithResources", async () => (await db.query<{ owner: string; installation_id: string | number | bigint | null }>(
        "SELECT o.login AS owner, o.installation_id FROM owners o WHERE EXISTS (SELECT 1 FROM resources r WHERE r.owner = o.login) ORDER BY o.login",
      )).map(ownerOf)),

    markDeliveryProcessed: (deliveryId, event) =>
      guard("markDeliveryProcessed", async () => {
        const rows = await db.query(
          "INSERT INTO processed_deliveries (delivery_id, event) VALUES ($1, $2) ON CONFLICT (delivery_id) DO NOTHING RETURNING delivery_id",
          [deliveryId, event],
        );
        return rows.length === 1;
      }),

    forgetDelivery: (deliveryId) =>
      guard("forgetDelivery", async () => {
        await db.query("DELETE FROM processed_deliveries WHERE delivery_id = $1", [deliveryId]);
      }),

    pendingMirrors: (limit = DEFAULT_PENDING_LIMIT) =>
      guard("pendingMirrors", async () => {
        const rows = await db.query<PendingMirrorRow>(
          `SELECT ${versionColumns("v")}, o.installation_id
           FROM versions v JOIN owners o ON o.login = v.owner
           WHERE v.mirror_status = 'pending'
           ORDER BY v.created_at, v.owner, v.template, v.major, v.minor
           LIMIT $1`,
          [limit],
        );
        return rows.map((row) => {
          const owner: Owner = { login: row.owner };
          if (row.installation_id !== null) owner.installationId = Number(row.installation_id);
          return { owner, version: toRecord(row) };
        });
      }),

    requestWork: (work) =>
      guard("requestWork", async () => {
        const rows = await db.query(
          `INSERT INTO requested_work (kind, id, owner, data) VALUES ($1, $2, $3, $4::jsonb)
           ON CONFLICT (kind, id) DO NOTHING RETURNING id`,
          [work.kind, work.id, ownerKey({ login: work.owner }), JSON.stringify(work.data)],
        );
        return rows.length === 1;
      }),

    finishWork: (kind, id, error) =>
      guard("finishWork", async () => {
        await db.query(
          `UPDATE requested_work SET status = CASE WHEN $3::text IS NULL THEN 'done' ELSE 'failed' END, error = $3::text, finished_at = now()
           WHERE kind = $1 AND id = $2 AND status = 'pending'`,
          [kind, id, error ?? null],
        );
      }),

    pendingWork: (limit = DEFAULT_PENDING_LIMIT) =>
      guard("pendingWork", async () => {
        const rows = await db.query<{ kind: string; id: string; owner: string; data: unknown }>(
          "SELECT kind, id, owner, data FROM requested_work WHERE status = 'pending' ORDER BY created_at, kind, id LIMIT $1",
          [limit],
        );
        return rows.map((r) => ({ kind: r.kind, id: r.id, owner: r.owner, data: r.data }));
      }),

    pruneHistory: (before) =>
      guard("pruneHistory", async () => {
        const work = await db.query("DELETE FROM requested_work WHERE status <> 'pending' AND finished_at < $1 RETURNING id", [before]);
        const deliveries = await db.query("DELETE FROM processed_deliveries WHERE processed_at < $1 RETURNING delivery_id", [before]);
        return work.length + deliveries.length;
      }),

    close: () => (closed ??= guard("close", () => db.close())),
  };
}

function ownerOf(row: { owner: string; installation_id: string | number | bigint | null }): Owner {
  const owner: Owner = { login: row.owner };
  if (row.installation_id !== null) owner.installationId = Number(row.installation_id);
  return owner;
}
