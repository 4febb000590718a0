// The Registry port: Baryon's system of record (DESIGN.md, "State, queue, scale").
// No pg or PGlite types here; the adapters live in src/adapters/registry (Postgres, PGlite).
import type { ChangeReason } from "../bundle/classify/classify.js";
import type { InputSchema, TemplateKind } from "../bundle/model.js";
import type { VersionCatalog } from "./version-catalog.js";
import type { DeploymentRecord, DeploymentStore } from "./deployment-store.js";
import type { RolloutStore } from "./rollout-store.js";

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

/** The account a registry's rows belong to (DESIGN.md, "Words": every name is unique within one owner). */
export interface Owner {
  /** GitHub account login (org or user), or "local" for a checkout without a GitHub origin. Compared case-insensitively, as GitHub does. */
  login: string;
  /** The GitHub App installation, when known; kept up to date on writes. */
  installationId?: number;
}

/** Where the legacy AWS Proton mirror of a version stands. */
export type MirrorState = { status: "pending" } | { status: "done" } | { status: "failed"; error: string };

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
  /** True: the version is to be mirrored to AWS Proton, and is recorded with its mirror state pending. */
  mirror?: boolean;
}

export interface VersionRecord extends Omit<NewVersion, "mirror"> {
  minor: number;
  createdAt: Date;
  /** When the status became `published`; null while a draft. */
  publishedAt: Date | null;
  /** Absent when the version is not to be mirrored. */
  mirror?: MirrorState;
}

export interface RecordedVersion {
  version: VersionRecord;
  /** False when the latest version of that major already had this digest: nothing was published. */
  created: boolean;
}

/** The system of record: one database, many owners. */
export interface Registry {
  /** The version store of one owner: every read and write is scoped to it. Cheap (no I/O until used). */
  versions(owner: Owner): VersionStore;
  /** The resources and deployments of one owner. Cheap (no I/O until used). */
  deployments(owner: Owner): DeploymentStore;
  /** The rollouts of one owner. Cheap (no I/O until used). */
  rollouts(owner: Owner): RolloutStore;
  /** Rollouts that have not ended, across owners, oldest first (the resync ticks them); at most `limit` (default 100). */
  unfinishedRollouts(limit?: number): Promise<Array<{ owner: Owner; rollout: string }>>;
  /** Unfinished deployments across owners, oldest first (for the periodic resync); at most `limit` (default 100). */
  unfinishedDeployments(limit?: number): Promise<Array<{ owner: Owner; deployment: DeploymentRecord }>>;
  /** The owners that have resources (the drift schedule checks each). */
  ownersWithResources(): Promise<Owner[]>;
  /** True the first time a webhook delivery id is seen, false after (delivery ids are global on GitHub). */
  markDeliveryProcessed(deliveryId: string, event: string): Promise<boolean>;
  /** Forgets a delivery whose handling failed, so that GitHub's redelivery of it is acted on. */
  forgetDelivery(deliveryId: string): Promise<void>;
  /**
   * Versions recorded with `mirror: true` whose mirror status is still "pending", across owners,
   * oldest first (for the periodic resync); at most `limit` (default 100).
   */
  pendingMirrors(limit?: number): Promise<Array<{ owner: Owner; version: VersionRecord }>>;
  /**
   * Records work an entry point asked for, before it is queued, so that a lost job is found
   * again (the queue's outbox). False when that work (kind and id) was recorded already.
   */
  requestWork(work: RequestedWork): Promise<boolean>;
  /** The job did the work (or it can never be done: `error`). Idempotent; unknown work is ignored. */
  finishWork(kind: string, id: string, error?: string): Promise<void>;
  /** Work still pending, across owners, oldest first (for the periodic resync); at most `limit` (default 100). */
  pendingWork(limit?: number): Promise<RequestedWork[]>;
  /** Forgets finished work and processed deliveries older than `before`; returns how many rows went. */
  pruneHistory(before: Date): Promise<number>;
  /** Releases connections; idempotent. */
  close(): Promise<void>;
}

/** A job an entry point asked for: its kind (a job name), its id, whose it is, and its data. */
export interface RequestedWork {
  kind: string;
  id: string;
  /** The owner's login: the account of the repository that asked. */
  owner: string;
  data: unknown;
}

/** One owner's versions. Another owner's templates, of the same name or not, are invisible here. */
export interface VersionStore extends VersionCatalog {
  readonly owner: Owner;
  /**
   * Assigns the next number of `input.major` and records the version, in one transaction
   * that holds the template's lock: `major.0` for a new major, `major.(latest+1)` after.
   * When the latest version of that major has the same digest, returns it with created: false,
   * so processing one merge twice (redelivery, two workers, a retry) records it once.
   * Only the latest digest counts: reverting to an older bundle makes a new minor. The one
   * exception is a replay of an older merge, same digest and same source commit, arriving
   * after a newer version: it returns the version that commit made, created: false.
   * Records the owner too, with its installation id when given.
   */
  recordVersion(input: NewVersion): Promise<RecordedVersion>;
  /** The highest minor recorded for a template's major (draft or published), undefined when none. */
  latestMinor(template: string, major: number): Promise<number | undefined>;
  /** Every version of a template, ordered by major then minor. */
  listVersions(template: string): Promise<VersionRecord[]>;
  /** The names of this owner's templates (those with a recorded version), sorted. */
  templates(): Promise<string[]>;
  getVersion(template: string, major: number, minor: number): Promise<VersionRecord | undefined>;
  /** Publishing a draft sets publishedAt; back to draft clears it. Throws VersionNotFoundError. */
  setVersionStatus(template: string, major: number, minor: number, status: VersionStatus): Promise<VersionRecord>;
  /** The highest published version (of one major when given): derived, never stored. */
  recommendedVersion(template: string, major?: number): Promise<VersionRecord | undefined>;
  /** The repository the template is published from ("owner/name"), undefined for a new template. Required here. */
  templateRepository(template: string): Promise<string | undefined>;
  /** Records the outcome of mirroring a version (legacy AWS Proton mirror). Idempotent. Throws VersionNotFoundError. */
  setMirrorState(template: string, major: number, minor: number, state: MirrorState): Promise<void>;
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
    /** The login of the owner whose versions were searched, when the search had one. */
    readonly owner?: string,
  ) {
    super(`${template} ${major}.${minor} is not in the registry${owner === undefined ? "" : ` of ${owner}`}`);
  }
}

/** Within one owner a template name belongs to the first repository that published it. */
export class TemplateOwnedElsewhereError extends RegistryError {
  override name = "TemplateOwnedElsewhereError";
  constructor(
    readonly template: string,
    /** "owner/name" of the repository the template is published from. */
    readonly repository: string,
  ) {
    super(`template "${template}" is published from ${repository}`);
  }
}

/**
 * A rollout's deployment asked for while the rollout no longer runs: a command paused, halted,
 * aborted or rolled it back meanwhile. Nothing was recorded; the tick that command queued decides again.
 */
export class RolloutNotRunningError extends RegistryError {
  override name = "RolloutNotRunningError";
  constructor(readonly rollout: string, readonly status: string | undefined) {
    super(`rollout ${rollout} is ${status ?? "gone"}: no new deployment is asked for it`);
  }
}

/** The migrations on disk disagree with the ones the database recorded. */
export class MigrationError extends RegistryError {
  override name = "MigrationError";
}
