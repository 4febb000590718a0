// The VersionMirror port: registers published versions elsewhere too (the legacy AWS Proton mirror).
import type { Bundle } from "../bundle/model.js";
import type { VersionRecord } from "./registry.js";

/** Registers published versions elsewhere too: the optional AWS Proton publisher. A failure is reported, never fatal. */
export interface VersionMirror {
  name: string;
  /** `tar`: the bundle's canonical tar, as `ArtifactStore.get` gives it. */
  publish(version: VersionRecord, bundle: Bundle, tar: Uint8Array, isNewMajor: boolean): Promise<{ ok: true } | { ok: false; error: string }>;
}
