// How a version row reads and writes, shared by the version store and the registry's resync query.
import type { ChangeReason } from "../../bundle/classify/classify.js";
import type { InputSchema, TemplateKind } from "../../bundle/model.js";
import type { Row } from "./db.js";
import type { MirrorState, VersionRecord, VersionStatus } from "../../ports/registry.js";

export interface VersionRow extends Row {
  owner: string;
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
  mirror_status: MirrorState["status"] | null;
  mirror_error: string | null;
}

const COLUMNS = [
  "owner",
  "template",
  "major",
  "minor",
  "kind",
  "status",
  "digest",
  "artifact",
  "source_repository",
  "source_commit",
  "source_pull_request",
  "input_schema",
  "reasons",
  "created_at",
  "published_at",
  "mirror_status",
  "mirror_error",
];

/** The select list of a VersionRow, qualified by a table alias when the query joins. */
export function versionColumns(alias?: string): string {
  return COLUMNS.map((column) => (alias ? `${alias}.${column}` : column)).join(", ");
}

function toMirrorState(row: VersionRow): MirrorState | undefined {
  switch (row.mirror_status) {
    case null:
      return undefined;
    case "failed":
      return { status: "failed", error: row.mirror_error ?? "" };
    default:
      return { status: row.mirror_status };
  }
}

export function toRecord(row: VersionRow): VersionRecord {
  const source: VersionRecord["source"] = { repository: row.source_repository, commit: row.source_commit };
  if (row.source_pull_request !== null) source.pullRequest = row.source_pull_request;
  const record: VersionRecord = {
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
  const mirror = toMirrorState(row);
  if (mirror) record.mirror = mirror;
  return record;
}

/** jsonb parameters go as JSON text: pg would turn a JS array into a Postgres array literal. */
export function json(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}
