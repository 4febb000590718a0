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

/** A check run being worked on: what the pull request shows until the result is in. */
export interface CheckRunStart {
  /** e.g. "baryon / templates". One check run per name and head SHA. */
  name: string;
  headSha: string;
  title: string;
  /** Markdown shown at the top of the check run. */
  summary: string;
}

export interface CheckRunReport extends CheckRunStart {
  conclusion: "success" | "failure" | "neutral";
  annotations: Annotation[];
}

export type CommentOutcome = "created" | "updated" | "unchanged" | "skipped";

/** Where a review is shown: a check run and one living comment. Every verb is idempotent. */
export interface Reporter {
  /**
   * Shows the check run for (name, headSha) as in progress: creates it, or
   * reuses the one that is not completed yet (a retried review adds no second
   * run). A completed run is not reopened: the SHA is being reviewed again, so
   * a new run takes its place, as GitHub's own re-run does.
   */
  startCheckRun(start: CheckRunStart): Promise<void>;
  /** Completes the check run for (name, headSha): the latest one, or a new one if there is none. */
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
