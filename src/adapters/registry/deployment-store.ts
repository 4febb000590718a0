// One owner's resources and deployments in SQL. Every statement names the owner.
import { isDeepStrictEqual } from "node:util";
import { guard, type Db, type Queryable, type Row } from "./db.js";
import { ownerKey } from "./version-store.js";
import {
  type DeploymentRecord, type DeploymentStatus, type DeploymentStore,
  type DriftRecord, type NewDeployment, type RequestedBy, type ResourceRecord,
} from "../../ports/deployment-store.js";
import type { ProvisionerSettings } from "../../config/repo-config.js";
import { RolloutNotRunningError, type Owner } from "../../ports/registry.js";

interface ResourceRow extends Row {
  key: string; kind: ResourceRecord["kind"]; name: string; service: string | null; environment: string | null;
  stage: string | null; template: string; template_major: number; pinned_minor: number | null;
  inputs: Record<string, unknown>; provisioner: string; stack: string | null; source: string; declared_file: string; declared_line: number;
  held: string | null; inventory_inputs: Record<string, unknown> | null;
}

export interface DeploymentRow extends Row {
  id: string | number | bigint; resource: string; action: DeploymentRecord["action"]; template: string; major: number; minor: number;
  inputs: Record<string, unknown>; provisioner: string; provisioner_settings: ProvisionerSettings; requested_by: RequestedBy; status: DeploymentStatus;
  rendered_digest: string | null; handle: string | null; outputs: Record<string, string>; reason: string | null; log: string | null;
  created_at: Date; started_at: Date | null; finished_at: Date | null;
  rollout_id: string | number | bigint | null; rollout_attempt: number | null; rollback: boolean; restarts: number;
}

const RESOURCE_COLUMNS = "key, kind, name, service, environment, stage, template, template_major, pinned_minor, inputs, provisioner, stack, source, declared_file, declared_line, inventory_inputs";
const RESOURCE_READ = `${RESOURCE_COLUMNS}, held`;
export const DEPLOYMENT_COLUMNS = "id, resource, action, template, major, minor, inputs, provisioner, provisioner_settings, requested_by, status, rendered_digest, handle, outputs, reason, log, created_at, started_at, finished_at, rollout_id, rollout_attempt, rollback, restarts";
export const UNFINISHED = "('pending', 'in_progress', 'delete_pending', 'delete_in_progress')";

export function createSqlDeploymentStore(db: Db, owner: Owner): DeploymentStore {
  const key = ownerKey(owner);
  /** Each resource's newest deployment of those `where` leaves (parameters from $2), by resource key, in one query. */
  const driftOf = async (where = "true", params: unknown[] = []): Promise<Map<string, DriftRecord>> => new Map((await db.query<{ resource: string; deployment: string; state: DriftRecord["state"]; findings: DriftRecord["findings"]; checked_at: Date }>(
    `SELECT resource, deployment::text AS deployment, state, findings, checked_at FROM resource_drift WHERE owner = $1 AND ${where}`, [key, ...params],
  )).map((r) => [r.resource, { deployment: r.deployment, state: r.state, findings: r.findings, checkedAt: new Date(r.checked_at) }]));
  const latestPerResource = async (where = "true", params: unknown[] = []) => new Map((await db.query<DeploymentRow>(
    `SELECT DISTINCT ON (resource) ${DEPLOYMENT_COLUMNS} FROM deployments WHERE owner = $1 AND ${where} ORDER BY resource, id DESC`, [key, ...params],
  )).map((row) => [row.resource, toDeployment(row)]));
  const deployments = async (q: Queryable, where: string, params: unknown[], tail = "") =>
    (await q.query<DeploymentRow>(`SELECT ${DEPLOYMENT_COLUMNS} FROM deployments WHERE owner = $1 AND ${where} ${tail}`, [key, ...params])).map(toDeployment);

  return {
    owner,

    resources: (only = {}) => guard("resources", async () =>
      (await db.query<ResourceRow>(
        `SELECT ${RESOURCE_READ} FROM resources
         WHERE owner = $1 AND ($2::text IS NULL OR environment = $2) AND ($3::text IS NULL OR service = $3)
         ORDER BY kind <> 'environment', key`,
        [key, only.environment ?? null, only.service ?? null],
      )).map(toResource)),

    resource: (resourceKey) => guard("resource", async () => {
      const [row] = await db.query<ResourceRow>(`SELECT ${RESOURCE_READ} FROM resources WHERE owner = $1 AND key = $2`, [key, resourceKey]);
      return row ? toResource(row) : undefined;
    }),

    requestDeployment: (resource, input) => guard("requestDeployment", () => db.transaction(async (tx) => {
      await tx.query("INSERT INTO owners (login, installation_id) VALUES ($1, $2) ON CONFLICT (login) DO NOTHING", [key, owner.installationId ?? null]);
      // Requests for one resource queue behind this lock, so two reconciles cannot both decide "new".
      if (resource) await upsertResource(tx, key, resource);
      else await tx.query("SELECT key FROM resources WHERE owner = $1 AND key = $2 FOR UPDATE", [key, input.resource]);
      const { rollout } = input;
      const [same] = rollout
        ? await deployments(tx, "rollout_id = $2 AND resource = $3 AND rollout_attempt = $4 AND rollback = $5", [rollout.id, input.resource, rollout.attempt, rollout.rollback])
        : (await deployments(tx, `resource = $2 AND status IN ${UNFINISHED}`, [input.resource], "ORDER BY id DESC LIMIT 1")).filter((d) => sameTarget(d, input));
      if (same) return { deployment: same, created: false };
      if (rollout && !rollout.rollback) {
        // A command that stops the rollout updates this row: it waits for this request, or this one sees it stopped.
        const [r] = await tx.query<{ status: string }>("SELECT status FROM rollouts WHERE owner = $1 AND id = $2 FOR SHARE", [key, rollout.id]);
        if (r?.status !== "running" && r?.status !== "waiting") throw new RolloutNotRunningError(rollout.id, r?.status);
      }
      const [row] = await tx.query<DeploymentRow>(
        `INSERT INTO deployments (owner, resource, action, template, major, minor, inputs, provisioner, provisioner_settings, requested_by, status,
           rollout_id, rollout_attempt, rollback)
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9::jsonb, $10::jsonb, $11, $12, $13, $14) RETURNING ${DEPLOYMENT_COLUMNS}`,
        [key, input.resource, input.action, input.template, input.major, input.minor, JSON.stringify(input.inputs),
          input.provisioner, JSON.stringify(input.provisionerSettings), JSON.stringify(input.requestedBy), input.action === "deploy" ? "pending" : "delete_pending",
          rollout?.id ?? null, rollout?.attempt ?? null, rollout?.rollback ?? false],
      );
      const deployment = toDeployment(row!);
      if (rollout?.rollback && input.hold !== undefined) {
        await tx.query("UPDATE resources SET held = $3, held_by = $4 WHERE owner = $1 AND key = $2", [key, input.resource, input.hold, rollout.id]);
      }
      return { deployment, created: true };
    })),

    startDeployment: (id, renderedDigest) => guard("startDeployment", async () => {
      try {
        const rows = await db.query(
          `UPDATE deployments SET status = CASE status WHEN 'pending' THEN 'in_progress' ELSE 'delete_in_progress' END,
             rendered_digest = $3, started_at = now(), heartbeat_at = now()
           WHERE owner = $1 AND id = $2 AND status IN ('pending', 'delete_pending') RETURNING id`,
          [key, id, renderedDigest],
        );
        return rows.length === 1;
      } catch (error) {
        // Another deployment of the resource is in flight (deployments_one_in_flight).
        if ((error as { code?: string }).code === "23505") return false;
        throw error;
      }
    }),

    setHandle: (id, handle) => guard("setHandle", async () => {
      await db.query("UPDATE deployments SET handle = $3 WHERE owner = $1 AND id = $2", [key, id, handle]);
    }),

    heartbeat: (id) => guard("heartbeat", async () => {
      await db.query(`UPDATE deployments SET heartbeat_at = now() WHERE owner = $1 AND id = $2 AND status IN ('in_progress', 'delete_in_progress')`, [key, id]);
    }),

    restartStale: (id, staleMs, maxRestarts) => guard("restartStale", () => db.transaction(async (tx) => {
      const [row] = await tx.query<{ restarts: number; stale: boolean }>(
        `SELECT restarts, (heartbeat_at IS NULL OR heartbeat_at < now() - $3 * interval '1 millisecond') AS stale FROM deployments
         WHERE owner = $1 AND id = $2 AND status IN ('in_progress', 'delete_in_progress') AND handle IS NULL FOR UPDATE`,
        [key, id, staleMs],
      );
      if (!row) return "not running" as const;
      if (!row.stale) return "alive" as const;
      if (row.restarts >= maxRestarts) return "exhausted" as const;
      await tx.query(
        `UPDATE deployments SET status = CASE status WHEN 'in_progress' THEN 'pending' ELSE 'delete_pending' END,
           started_at = NULL, heartbeat_at = NULL, restarts = restarts + 1 WHERE owner = $1 AND id = $2`,
        [key, id],
      );
      return "restarted" as const;
    })),

    finishDeployment: (id, result) => guard("finishDeployment", () => db.transaction(async (tx) => {
      const rows = await tx.query<{ resource: string }>(
        `UPDATE deployments SET status = $3, outputs = $4::jsonb, reason = $5, log = coalesce($6, log), finished_at = now(),
           started_at = coalesce(started_at, now())
         WHERE owner = $1 AND id = $2 AND status IN ${UNFINISHED} RETURNING resource`,
        [key, id, result.status, JSON.stringify("outputs" in result ? result.outputs : {}), "reason" in result ? result.reason : null, result.log ?? null],
      );
      if (rows.length === 0) return false;
      if (result.status === "delete_succeeded") await tx.query("DELETE FROM resources WHERE owner = $1 AND key = $2", [key, rows[0]!.resource]);
      return true;
    })),

    getDeployment: (id) => guard("getDeployment", async () => {
      if (!/^\d{1,18}$/.test(id)) return undefined;
      return (await deployments(db, "id = $2", [id]))[0];
    }),

    deploymentsOf: (resource, limit = 20) => guard("deploymentsOf", () => deployments(db, "resource = $2", [resource, limit], "ORDER BY id DESC LIMIT $3")),

    lastSucceeded: (resource) => guard("lastSucceeded", async () =>
      (await deployments(db, "resource = $2 AND status = 'succeeded'", [resource], "ORDER BY id DESC LIMIT 1"))[0]),

    lastSucceededAll: () => guard("lastSucceededAll", () => latestPerResource("status = 'succeeded'")),

    latestAll: () => guard("latestAll", () => latestPerResource()),

    versionCounts: (filter = {}) => guard("versionCounts", async () => {
      const rows = await db.query<{ template: string; stage: string | null; major: number | null; minor: number | null; count: number }>(
        `SELECT r.template, r.stage, d.major, d.minor, count(*)::int AS count
         FROM resources r
         LEFT JOIN LATERAL (SELECT major, minor FROM deployments
                            WHERE owner = r.owner AND resource = r.key AND status = 'succeeded' ORDER BY id DESC LIMIT 1) d ON true
         WHERE r.owner = $1 AND ($2::text IS NULL OR r.template = $2) AND ($3::text IS NULL OR r.stage = $3)
         GROUP BY r.template, r.stage, d.major, d.minor
         ORDER BY r.template, d.major DESC NULLS LAST, d.minor DESC NULLS LAST, r.stage NULLS FIRST`,
        [key, filter.template ?? null, filter.stage ?? null],
      );
      return rows.map((r) => ({
        template: r.template, count: r.count, ...(r.stage !== null ? { stage: r.stage } : {}),
        ...(r.major !== null && r.minor !== null ? { version: { major: r.major, minor: r.minor } } : {}),
      }));
    }),

    statusPage: ({ offset, limit, ...filter }) => guard("statusPage", async () => {
      const where = "owner = $1 AND ($2::text IS NULL OR template = $2) AND ($3::text IS NULL OR stage = $3)";
      const params = [key, filter.template ?? null, filter.stage ?? null];
      const [resources, [counted]] = await Promise.all([
        db.query<ResourceRow>(`SELECT ${RESOURCE_READ} FROM resources WHERE ${where} ORDER BY key LIMIT $4 OFFSET $5`, [...params, limit, offset]),
        db.query<{ total: number }>(`SELECT count(*)::int AS total FROM resources WHERE ${where}`, params),
      ]);
      const keys = resources.map((r) => r.key);
      const [latest, running, drift] = await Promise.all([
        latestPerResource("resource = ANY($2::text[])", [keys]), latestPerResource("resource = ANY($2::text[]) AND status = 'succeeded'", [keys]),
        driftOf("resource = ANY($2::text[])", [keys]),
      ]);
      return {
        total: counted?.total ?? 0,
        statuses: resources.map(toResource).map((resource) => {
          const [l, r, d] = [latest.get(resource.key), running.get(resource.key), drift.get(resource.key)];
          return { resource, ...(r ? { running: r } : {}), ...(l ? { latest: l } : {}), ...(d ? { drift: d } : {}) };
        }),
      };
    }),

    unfinished: (limit = 100) => guard("unfinished", () => deployments(db, `status IN ${UNFINISHED}`, [limit], "ORDER BY id LIMIT $2")),

    recordDrift: (resource, check) => guard("recordDrift", async () => {
      await db.query(
        `INSERT INTO resource_drift (owner, resource, deployment, state, findings) VALUES ($1, $2, $3, $4, $5::jsonb)
         ON CONFLICT (owner, resource) DO UPDATE SET deployment = $3, state = $4, findings = $5::jsonb, checked_at = now()`,
        [key, resource, check.deployment, check.state, JSON.stringify(check.findings)]);
    }),

    driftAll: () => guard("driftAll", () => driftOf()),
  };
}

async function upsertResource(tx: Queryable, owner: string, r: ResourceRecord): Promise<void> {
  await tx.query(
    `INSERT INTO resources (owner, ${RESOURCE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, $13, $14, $15, $16, $17::jsonb)
     ON CONFLICT (owner, key) DO UPDATE SET kind = excluded.kind, name = excluded.name, service = excluded.service,
       environment = excluded.environment, stage = excluded.stage, template = excluded.template, template_major = excluded.template_major,
       pinned_minor = excluded.pinned_minor, inputs = excluded.inputs, provisioner = excluded.provisioner, stack = excluded.stack, source = excluded.source,
       declared_file = excluded.declared_file, declared_line = excluded.declared_line, inventory_inputs = excluded.inventory_inputs, updated_at = now()`,
    [owner, r.key, r.kind, r.name, r.service ?? null, r.environment ?? null, r.stage ?? null, r.template.name, r.template.major,
      r.template.minor ?? null, JSON.stringify(r.inputs), r.provisioner, r.stack ?? null, r.source, r.declared.file, r.declared.line,
      r.inventoryInputs ? JSON.stringify(r.inventoryInputs) : null],
  );
  await tx.query("SELECT key FROM resources WHERE owner = $1 AND key = $2 FOR UPDATE", [owner, r.key]);
}

function sameTarget(d: DeploymentRecord, input: NewDeployment): boolean {
  return d.action === input.action && d.template === input.template && d.major === input.major && d.minor === input.minor
    && d.provisioner === input.provisioner && isDeepStrictEqual(d.inputs, input.inputs)
    && isDeepStrictEqual(d.provisionerSettings, input.provisionerSettings);
}

function toResource(row: ResourceRow): ResourceRecord {
  const r: ResourceRecord = {
    key: row.key, kind: row.kind, name: row.name,
    template: { name: row.template, major: row.template_major, ...(row.pinned_minor !== null ? { minor: row.pinned_minor } : {}) },
    inputs: row.inputs, provisioner: row.provisioner, source: row.source, declared: { file: row.declared_file, line: row.declared_line },
  };
  if (row.service !== null) r.service = row.service;
  if (row.environment !== null) r.environment = row.environment;
  if (row.stage !== null) r.stage = row.stage;
  if (row.stack !== null) r.stack = row.stack;
  if (row.held !== null) r.held = row.held;
  if (row.inventory_inputs !== null) r.inventoryInputs = row.inventory_inputs;
  return r;
}

export function toDeployment(row: DeploymentRow): DeploymentRecord {
  const d: DeploymentRecord = {
    id: String(row.id), resource: row.resource, action: row.action, template: row.template, major: row.major, minor: row.minor,
    inputs: row.inputs, provisioner: row.provisioner, provisionerSettings: row.provisioner_settings, requestedBy: row.requested_by, status: row.status,
    outputs: row.outputs, createdAt: row.created_at, restarts: row.restarts,
  };
  if (row.rendered_digest !== null) d.renderedDigest = row.rendered_digest;
  if (row.handle !== null) d.handle = row.handle;
  if (row.reason !== null) d.reason = row.reason;
  if (row.log !== null) d.log = row.log;
  if (row.started_at !== null) d.startedAt = row.started_at;
  if (row.finished_at !== null) d.finishedAt = row.finished_at;
  if (row.rollout_id !== null) d.rollout = { id: String(row.rollout_id), attempt: row.rollout_attempt ?? 0, rollback: row.rollback };
  return d;
}
