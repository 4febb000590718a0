// A recorded version's bundle, read back from the artifact store. Bundles are
// immutable and named by digest, so one loader caches them for its lifetime.
import { readStoredBundle } from "../bundle/archive/stored-bundle.js";
import type { Bundle } from "../bundle/model.js";
import type { ArtifactStore } from "../ports/artifact-store.js";
import type { VersionRecord } from "../ports/registry.js";

/** The stored archive does not make a bundle: reading it again gives the same answer. */
export class UnparsableBundleError extends Error {
  override name = "UnparsableBundleError";
}

export async function loadStoredBundle(version: VersionRecord, artifacts: ArtifactStore): Promise<{ tar: Uint8Array; bundle: Bundle }> {
  const tar = await artifacts.get(version.artifact);
  const { bundle } = await readStoredBundle(tar, `${version.template}/v${version.major}`).catch((error: unknown) => {
    throw new UnparsableBundleError(`not a bundle archive: ${(error as Error).message}`, { cause: error });
  });
  if (!bundle) throw new UnparsableBundleError("it does not parse as a bundle");
  return { tar, bundle };
}

/** `bundleOf` for flows that read many versions: each digest is read and parsed once. */
export function bundleLoader(artifacts: ArtifactStore): (version: VersionRecord) => Promise<Bundle> {
  const cache = new Map<string, Promise<Bundle>>();
  return (version) => {
    let bundle = cache.get(version.digest);
    if (!bundle) {
      bundle = loadStoredBundle(version, artifacts).then((b) => b.bundle);
      bundle.catch(() => cache.delete(version.digest));
      cache.set(version.digest, bundle);
    }
    return bundle;
  };
}
