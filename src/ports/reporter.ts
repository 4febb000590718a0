// The Reporter port: where a review is shown (a check run and one living comment).

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
