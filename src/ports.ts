// Ports: what flows need from the world, with no SDK or driver types in them.
// Adapters implement them (src/local, src/github, src/registry, ...).
import type { Snapshot } from "./bundle/files.js";
import type { Bundle } from "./bundle/model.js";
import type { VersionRecord } from "./registry/types.js";

export type { Renderer } from "./bundle/render/types.js";

/** The two sides of a change: a pull request's base and head, or a git ref and the working tree. */
export interface ChangeSource {
  /** Human-readable names of the two sides, for reports ("main@1a2b3c4", "working tree"). */
  readonly baseName: string;
  readonly headName: string;
  base(): Promise<Snapshot>;
  head(): Promise<Snapshot>;
}

/** Recorded version numbers, so a review can say which version a merge would publish. */
export interface VersionCatalog {
  /** The highest minor recorded (draft or published) for a template's major, or undefined when none is known. */
  latestMinor(template: string, major: number): Promise<number | undefined>;
}

/**
 * A stand-in for a registry, for reviews without one: it assumes every major the
 * base has is at `N.0` (as the "assuming the base's highest is published").
 */
export const assumeBaseAtZero: VersionCatalog = {
  latestMinor: async () => 0,
};

export type AnnotationLevel = "failure" | "warning" | "notice";

export interface Annotation {
  /** Repository-relative path of a file in the head commit. */
  path: string;
  startLine: number;
  endLine: number;
  level: AnnotationLevel;
  title?: string;
  message: string;
}

export interface CheckRunReport {
  /** e.g. "baryon / templates". One check run per name and head SHA. */
  name: string;
  headSha: string;
  conclusion: "success" | "failure" | "neutral";
  title: string;
  /** Markdown shown at the top of the check run. */
  summary: string;
  annotations: Annotation[];
}

export type CommentOutcome = "created" | "updated" | "unchanged" | "skipped";

/** Where a review is shown: a check run and one living comment. Both verbs are idempotent. */
export interface Reporter {
  /** Creates the check run for (name, headSha), or updates the one that exists. */
  ensureCheckRun(report: CheckRunReport): Promise<void>;
  /**
   * Edits the comment that carries `marker` (an HTML comment), or creates it.
   * `createIfMissing: false` only edits; `keep(existingBody)` returning true leaves
   * the existing comment as it is (e.g. it describes a newer push).
   */
  ensureComment(marker: string, body: string, options?: { createIfMissing?: boolean; keep?: (existing: string) => boolean }): Promise<CommentOutcome>;
  /** Rewrites the comment that carries `marker`, if there is one (e.g. a header added after a merge). */
  editComment(marker: string, edit: (existing: string) => string): Promise<CommentOutcome>;
}

/** Registers published versions elsewhere too: the optional AWS Proton publisher. A failure is reported, never fatal. */
export interface VersionMirror {
  name: string;
  publish(version: VersionRecord, bundle: Bundle, bytes: Uint8Array, isNewMajor: boolean): Promise<{ ok: true } | { ok: false; error: string }>;
}
