// One owner's versions in SQL: every statement names the owner, so another owner's templates,
// of the same name or not, are neither read, numbered from, nor written.
import { guard, type Db } from "./db.js";
import { json, toRecord, versionColumns, type VersionRow } from "./version-row.js";
import {
  RegistryError,
  TemplateOwnedElsewhereError,
  VersionNotFoundError,
  type NewVersion,
  type Owner,
  type RecordedVersion,
  type VersionStore,
} from "../../ports/registry.js";

const COLUMNS = versionColumns();

/** The key of an owner's rows: GitHub logins are case-insensitive, so "Acme" and "acme" are one owner. */
export function ownerKey(owner: Owner): string {
  const login = owner.login.trim().toLowerCase();
  if (login === "") throw new RegistryError("an owner needs a login");
  return login;
}

export function createSqlVersionStore(db: Db, owner: Owner): VersionStore {
  const key = ownerKey(owner);

  return {
    owner,

    recordVersion: (input: NewVersion): Promise<RecordedVersion> =>
      guard("recordVersion", () =>
        db.transaction(async (tx) => {
          // The owner row, with its installation id when this caller knows it (a CLI run does not).
          // An UPDATE that matches nothing locks nothing, so recordVersions of one owner's
          // templates do not wait for each other once the id is recorded.
          await tx.query("INSERT INTO owners (login, installation_id) VALUES ($1, $2) ON CONFLICT (login) DO NOTHING", [
            key,
            owner.installationId ?? null,
          ]);
          if (owner.installationId !== undefined) {
            await tx.query(
              `UPDATE owners SET installation_id = $2, updated_at = now()
               WHERE login = $1 AND installation_id IS DISTINCT FROM $2::bigint`,
              [key, owner.installationId],
            );
          }
          // Create the template if new, then lock its row: every numbering of this template
          // waits here, in any process, until the holder commits.
          await tx.query("INSERT INTO templates (owner, name, kind, repository) VALUES ($1, $2, $3, $4) ON CONFLICT (owner, name) DO NOTHING", [
            key,
            input.template,
            input.kind,
            input.source.repository,
          ]);
          const [template] = await tx.query<{ repository: string | null }>(
            "SELECT repository FROM templates WHERE owner = $1 AND name = $2 FOR UPDATE",
            [key, input.template],
          );
          if (template?.repository && template.repository.toLowerCase() !== input.source.repository.toLowerCase()) {
            throw new TemplateOwnedElsewhereError(input.template, template.repository);
          }
          // Read committed: this statement sees every version committed before we got the lock.
          const [latest] = await tx.query<VersionRow>(
            `SELECT ${COLUMNS} FROM versions WHERE owner = $1 AND template = $2 AND major = $3 ORDER BY minor DESC LIMIT 1`,
            [key, input.template, input.major],
          );
          if (latest && latest.digest === input.digest) return { version: toRecord(latest), created: false };
          // The same commit's bundle recorded before a newer version is a replay of an older merge
          // (a late redelivery, a retried job), not a revert: a revert is a new commit.
          const [replayed] = await tx.query<VersionRow>(
            `SELECT ${COLUMNS} FROM versions
             WHERE owner = $1 AND template = $2 AND major = $3 AND digest = $4 AND source_commit = $5
             ORDER BY minor DESC LIMIT 1`,
            [key, input.template, input.major, input.digest, input.source.commit],
          );
          if (replayed) return { version: toRecord(replayed), created: false };
          const minor = latest ? latest.minor + 1 : 0;
          const [row] = await tx.query<VersionRow>(
            `INSERT INTO versions (owner, template, major, minor, kind, status, digest, artifact, source_repository, source_commit,
               source_pull_request, input_schema, reasons, published_at, mirror_status)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13::jsonb, CASE WHEN $6 = 'published' THEN now() END,
               CASE WHEN $14::boolean THEN 'pending' END)
             RETURNING ${COLUMNS}`,
            [
              key,
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
              input.mirror === true,
            ],
          );
          return { version: toRecord(row!), created: true };
        }),
      ),

    latestMinor: (template, major) =>
      guard("latestMinor", async () => {
        const [row] = await db.query<{ minor: number | null }>(
          "SELECT max(minor) AS minor FROM versions WHERE owner = $1 AND template = $2 AND major = $3",
          [key, template, major],
        );
        return row?.minor ?? undefined;
      }),

    listVersions: (template) =>
      guard("listVersions", async () => {
        const rows = await db.query<VersionRow>(`SELECT ${COLUMNS} FROM versions WHERE owner = $1 AND template = $2 ORDER BY major, minor`, [
          key,
          template,
        ]);
        return rows.map(toRecord);
      }),

    templates: () =>
      guard("templates", async () => {
        const rows = await db.query<{ name: string }>("SELECT name FROM templates WHERE owner = $1 ORDER BY name", [key]);
        return rows.map((r) => r.name);
      }),

    getVersion: (template, major, minor) =>
      guard("getVersion", async () => {
        const [row] = await db.query<VersionRow>(
          `SELECT ${COLUMNS} FROM versions WHERE owner = $1 AND template = $2 AND major = $3 AND minor = $4`,
          [key, template, major, minor],
        );
        return row && toRecord(row);
      }),

    setVersionStatus: (template, major, minor, status) =>
      guard("setVersionStatus", async () => {
        // Publishing twice keeps the first publishedAt; back to draft clears it.
        const [row] = await db.query<VersionRow>(
          `UPDATE versions
             SET status = $5, published_at = CASE WHEN $5 = 'published' THEN coalesce(published_at, now()) END
           WHERE owner = $1 AND template = $2 AND major = $3 AND minor = $4
           RETURNING ${COLUMNS}`,
          [key, template, major, minor, status],
        );
        if (!row) throw new VersionNotFoundError(template, major, minor, key);
        return toRecord(row);
      }),

    recommendedVersion: (template, major) =>
      guard("recommendedVersion", async () => {
        const [row] = await db.query<VersionRow>(
          `SELECT ${COLUMNS} FROM versions
           WHERE owner = $1 AND template = $2 AND status = 'published' AND ($3::integer IS NULL OR major = $3::integer)
           ORDER BY major DESC, minor DESC LIMIT 1`,
          [key, template, major ?? null],
        );
        return row && toRecord(row);
      }),

    templateRepository: (template) =>
      guard("templateRepository", async () => {
        const [row] = await db.query<{ repository: string | null }>("SELECT repository FROM templates WHERE owner = $1 AND name = $2", [key, template]);
        return row?.repository ?? undefined;
      }),

    setMirrorState: (template, major, minor, state) =>
      guard("setMirrorState", async () => {
        const rows = await db.query(
          `UPDATE versions SET mirror_status = $5, mirror_error = $6
           WHERE owner = $1 AND template = $2 AND major = $3 AND minor = $4
           RETURNING minor`,
          [key, template, major, minor, state.status, state.status === "failed" ? state.error : null],
        );
        if (rows.length === 0) throw new VersionNotFoundError(template, major, minor, key);
      }),
  };
}
