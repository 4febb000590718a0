// The Registry port: Baryon's system of record (DESIGN.md, "State, queue, scale").
// No pg or PGlite types here; adapters live beside this file (postgres.ts, pglite.ts).
import type { ChangeReason } from "../bundle/classify/classify.js";
import type { InputSchema, TemplateKind } from "../bundle/model.js";
import type { VersionCatalog } from "./version-catalog.js";

export type VersionStatus = "draft" | "published";

/** Where a version's bundle came from. */
export interface VersionSource {
  /** "owner/name". */
  repository: string;
  /** The commit SHA whose bundle this version is. */
  commit: string;
  /** The merged pull request, when the commit came from one (not for a direct push). */
  pullRequest?: number;
}

/** A version to record: everything but its number, which the registry assigns. */
export interface NewVersion {
  template: string;
  kind: TemplateKind;
  major: number;
  status: VersionStatus;
  /** sha256 hex of the bundle archive: equal digests mean byte-identical bundles. */
  digest: string;
  /** Where the artifact store keeps the bundle (a URI such as `file:///…` or `s3://bucket/key`). */
  artifact: string;
  source: VersionSource;
  schema: InputSchema | null;
  /** Why review classified the change as it did. */
  reasons: ChangeReason[];
}

export interface VersionRecord extends NewVersion {
  minor: number;
  createdAt: Date;
  /** When the status became `published`; null while a draft. */
  publishedAt: Date | null;
}

export interface RecordedVersion {
  version: VersionRecord;
  /** False when the latest version of that major already had this digest: nothing was published. */
  created: boolean;
}

export interface Registry extends VersionCatalog {
  /**
   * Assigns the next number of `input.major` and records the version, in one transaction
   * that holds the template's lock: `major.0` for a new major, `major.(latest+1)` after.
   * When the latest version of that major has the same digest, returns it with created: false,
   * so processing one merge twice (redelivery, two workers, a retry) records it once.
   * Only the latest digest counts: reverting to an older bundle makes a new minor. The one
   * exception is a replay of an older merge, same digest and same source commit, arriving
   * after a newer version: it returns the version that commit made, created: false.
   */
  recordVersion(input: NewVersion): Promise<RecordedVersion>;
  /** The highest minor recorded for a template's major (draft or published), undefined when none. */
  latestMinor(template: string, major: number): Promise<number | undefined>;
  /** Every version of a template, ordered by major then minor. */
  listVersions(template: string): Promise<VersionRecord[]>;
  getVersion(template: string, major: number, minor: number): Promise<VersionRecord | undefined>;
  /** Publishing a draft sets publishedAt; back to draft clears it. Throws VersionNotFoundError. */
  setVersionStatus(template: string, major: number, minor: number, status: VersionStatus): Promise<VersionRecord>;
  /** The highest published version (of one major when given): derived, never stored. */
  recommendedVersion(template: string, major?: number): Promise<VersionRecord | undefined>;
  /** True the first time a webhook delivery id is seen, false after. */
  markDeliveryProcessed(deliveryId: string, event: string): Promise<boolean>;
  /** Releases connections; idempotent. */
  close(): Promise<void>;
}

/** A registry call that failed: the database refused it or could not be reached. */
export class RegistryError extends Error {
  override name = "RegistryError";
  /** The SQLSTATE (e.g. "23514") or the driver's code (e.g. "ECONNREFUSED"), when known. */
  readonly code: string | undefined;
  constructor(message: string, options: { cause?: unknown; code?: string } = {}) {
    super(message, { cause: options.cause });
    this.code = options.code;
  }
}

export class VersionNotFoundError extends RegistryError {
  override name = "VersionNotFoundError";
  constructor(
    readonly template: string,
    readonly major: number,
    readonly minor: number,
  ) {
    super(`${template} ${major}.${minor} is not in the registry`);
  }
}

/** The migrations on disk disagree with the ones the database recorded. */
export class MigrationError extends RegistryError {
  override name = "MigrationError";
}
