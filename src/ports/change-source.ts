// The ChangeSource port: the two sides of a change, as snapshots. A
// RepositorySource (repository-source.ts) is one, with the config besides.
import type { Snapshot } from "../bundle/files.js";

/** The two sides of a change: a pull request's base and head, or a git ref and the working tree. */
export interface ChangeSource {
  /** Human-readable names of the two sides, for reports ("main@1a2b3c4", "working tree"). */
  readonly baseName: string;
  readonly headName: string;
  /** The side before the change; an empty snapshot when there is none (everything in head is new). */
  base(): Promise<Snapshot>;
  head(): Promise<Snapshot>;
}
