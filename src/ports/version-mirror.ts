// The VersionMirror port: registers published versions elsewhere too (the legacy AWS Proton mirror).
import type { Bundle } from "../bundle/model.js";
import type { VersionRecord } from "./registry.js";

/**
 * Registers published versions elsewhere too: the optional AWS Proton publisher.
 * It serves one owner: Proton's template names are unique per AWS account, so two
 * owners' `vpc` templates would land on one Proton template.
 */
export interface VersionMirror {
  name: string;
  /** The GitHub login whose versions this mirror registers, lower-cased (BARYON_PROTON_OWNER). */
  readonly owner: string;
  /**
   * `tar`: the bundle's canonical tar, as `ArtifactStore.get` gives it. Resolves `{ ok: false }`
   * when the mirror refuses the version for good (retrying cannot help); throws when trying
   * again later may succeed (throttling, network, a registration still running).
   */
  publish(version: VersionRecord, bundle: Bundle, tar: Uint8Array, isNewMajor: boolean): Promise<{ ok: true } | { ok: false; error: string }>;
}

/** True when `mirror` registers the versions of `login` (GitHub logins compare case-insensitively). */
export function mirrorsOwner(mirror: VersionMirror | undefined, login: string): boolean {
  return mirror !== undefined && mirror.owner.toLowerCase() === login.trim().toLowerCase();
}
