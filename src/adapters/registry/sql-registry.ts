// The Registry in SQL, shared by the Postgres and PGlite adapters through the Db interface.
import type { ChangeReason } from "../../bundle/classify/classify.js";
import type { InputSchema, TemplateKind } from "../../bundle/model.js";
import { toRegistryError, type Db, type Row } from "./db.js";
import {
  VersionNotFoundError,
  type NewVersion,
  type RecordedVersion,
  type Registry,
  type VersionRecord,
  type VersionStatus,
} from "../../ports/registry.js";

interface VersionRow extends Row {
  template: string;
  major: number;
  minor: number;
  kind: TemplateKind;
  status: VersionStatus;
  digest: string;
  artifact: string;
  source_repository: string;
  source_commit: string;
  source_pull_request: number | null;
  input_schema: InputSchema | null;
  reasons: ChangeReason[];
  created_at: Date;
  published_at: Date | null;
}

const VERSION_COLUMNS = `template, major, minor, kind, status, digest, artifact, source_repository, source_commit,
  source_pull_request, input_schema, reasons, created_at, published_at`;

function toRecord(row: VersionRow): VersionRecord {
  const source: VersionRecord["source"] = { repository: row.source_repository, commit: row.source_commit };
  if (row.source_pull_request !== null) source.pullRequest = row.source_pull_request;
  return {
    template: row.template,
    kind: row.kind,
    major: row.major,
    minor: row.minor,
    status: row.status,
    digest: row.digest,
    artifact: row.artifact,
    source,
    schema: row.input_schema,
    reasons: row.reasons,
    createdAt: row.created_at,
    publishedAt: row.published_at,
  };
}

/** jsonb parameters go as JSON text: pg would turn a JS array into a Postgres array literal. */
function json(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

export function createSqlRegistry(db: Db): Registry {
  let closed: Promise<void> | undefined;

  async function guard<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw toRegistryError(operation, error);
    }
  }

  return {
    recordVersion: (input: NewVersion): Promise<RecordedVersion> =>
      guard("recordVersion", () =>
        db.transaction(async (tx) => {
          // Create the template if new, then lock its row: every numbering of this template
          // waits here, in any process, until the holder commits.
          await tx.query("INSERT INTO templates (name, kind) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING", [input.template, input.kind]);
          await tx.query("SELECT name FROM templates WHERE name = $1 FOR UPDATE", [input.template]);
          // Read committed: this statement sees every version committed before we got the lock.
          const [latest] = await tx.query<VersionRow>(
            `SELECT ${VERSION_COLUMNS} FROM versions WHERE template = $1 AND major = $2 ORDER BY minor DESC LIMIT 1`,
            [input.template, input.major],
          );
          if (latest && latest.digest === input.digest) return { version: toRecord(latest), created: false };
          // The same commit's bundle recorded before a newer version is a replay of an older merge
          // (a late redelivery, a retried job), not a revert: a revert is a new commit.
          const [replayed] = await tx.query<VersionRow>(
            `SELECT ${VERSION_COLUMNS} FROM versions WHERE template = $1 AND major = $2 AND digest = $3 AND source_commit = $4
             ORDER BY minor DESC LIMIT 1`,
            [input.template, input.major, input.digest, input.source.commit],
          );
          if (replayed) return { version: toRecord(replayed), created: false };
          const minor = latest ? latest.minor + 1 : 0;
          const [row] = await tx.query<VersionRow>(
            `INSERT INTO versions (template, major, minor, kind, status, digest, artifact, source_repository, source_commit,
               source_pull_request, input_schema, reasons, published_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12::jsonb, CASE WHEN $5 = 'published' THEN now() END)
             RETURNING ${VERSION_COLUMNS}`,
            [
              input.template,
              input.major,
              minor,
              input.kind,
              input.status,
              input.digest,
              input.artifact,
              input.source.repository,
              input.source.commit,
              input.source.pullRequest ?? null,
              json(input.schema),
              json(input.reasons),
            ],
          );
          return { version: toRecord(row!), created: true };
        }),
      ),

    latestMinor: (template, major) =>
      guard("latestMinor", async () => {
        const [row] = await db.query<{ minor: number | null }>("SELECT max(minor) AS minor FROM versions WHERE template = $1 AND major = $2", [
          template,
          major,
        ]);
        return row?.minor ?? undefined;
      }),

    listVersions: (template) =>
      guard("listVersions", async () => {
        const rows = await db.query<VersionRow>(`SELECT ${VERSION_COLUMNS} FROM versions WHERE template = $1 ORDER BY major, minor`, [template]);
        return rows.map(toRecord);
      }),

    getVersion: (template, major, minor) =>
      guard("getVersion", async () => {
        const [row] = await db.query<VersionRow>(`SELECT ${VERSION_COLUMNS} FROM versions WHERE template = $1 AND major = $2 AND minor = $3`, [
          template,
          major,
          minor,
        ]);
        return row && toRecord(row);
      }),

    setVersionStatus: (template, major, minor, status) =>
      guard("setVersionStatus", async () => {
        // Publishing twice keeps the first publishedAt; back to draft clears it.
        const [row] = await db.query<VersionRow>(
          `UPDATE versions
             SET status = $4, published_at = CASE WHEN $4 = 'published' THEN coalesce(published_at, now()) END
           WHERE template = $1 AND major = $2 AND minor = $3
           RETURNING ${VERSION_COLUMNS}`,
          [template, major, minor, status],
        );
        if (!row) throw new VersionNotFoundError(template, major, minor);
        return toRecord(row);
      }),

    recommendedVersion: (template, major) =>
      guard("recommendedVersion", async () => {
        const [row] = await db.query<VersionRow>(
          `SELECT ${VERSION_COLUMNS} FROM versions
           WHERE template = $1 AND status = 'published' AND ($2::integer IS NULL OR major = $2::integer)
           ORDER BY major DESC, minor DESC LIMIT 1`,
          [template, major ?? null],
        );
        return row && toRecord(row);
      }),

    markDeliveryProcessed: (deliveryId, event) =>
      guard("markDeliveryProcessed", async () => {
        const rows = await db.query(
          "INSERT INTO processed_deliveries (delivery_id, event) VALUES ($1, $2) ON CONFLICT (delivery_id) DO NOTHING RETURNING delivery_id",
          [deliveryId, event],
        );
        return rows.length === 1;
      }),

    close: () => (closed ??= guard("close", () => db.close())),
  };
}
