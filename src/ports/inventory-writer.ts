// The InventoryWriter port: read spec files from an owner's repository and
// propose changes to them as a pull request (the upgrade to a new major, a
// catalog request).
// No Octokit types here; the GitHub adapter is src/adapters/github/inventory-writer.ts.

/** A file of a repository, by its repository-relative path. */
export interface RepositoryFile {
  path: string;
  text: string;
}

/** The pull request holding a proposed change. */
export interface ProposedChange {
  url: string;
  number: number;
  /** False when it was there already (a retry, a redelivery): nothing new was opened. */
  created: boolean;
}

/** The repository cannot be read or written (it does not exist, the app is not installed on it, a protected branch): retrying cannot help. */
export interface Refused {
  refused: string;
}

export interface InventoryWriter {
  /** The files at these paths on the repository's ("owner/name") default branch; a path that is not there is left out. */
  readFiles(repository: string, paths: readonly string[]): Promise<RepositoryFile[] | Refused>;
  /**
   * Commits `files` on `branch` (based on the default branch) and opens a pull request from it, once:
   * while one from that branch exists (open, merged or closed) no second is opened, and a branch that
   * someone else committed to is left as it is.
   */
  proposeChange(repository: string, branch: string, files: readonly RepositoryFile[], title: string, body: string): Promise<ProposedChange | Refused>;
}
