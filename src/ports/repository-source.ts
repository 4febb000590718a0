// The RepositorySource port: everything a flow reads from a template repository,
// each part read at most once however often (and however concurrently) it is asked.
import type { ConfigResult } from "../config/repo-config.js";
import type { ChangeSource } from "./change-source.js";

/** A change's two sides plus the repository's `.github/baryon.yml`. */
export interface RepositorySource extends ChangeSource {
  /**
   * `.github/baryon.yml` as the repository's default branch has it, `_extends`
   * resolved where the adapter can, validated: defaults when there is none,
   * diagnostics at their lines when it is invalid.
   */
  config(): Promise<ConfigResult>;
}
