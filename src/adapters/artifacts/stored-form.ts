// What a store keeps for a bundle tar, and how it reads one back.
//
// The digest names the tar, so the compressed bytes are free to differ between
// zlib builds, levels or CPUs: node:zlib is fine here, and nothing hashes them,
// except objects stored before digests named content (Baryon's first releases
// keyed a bundle by the SHA-256 of its .tar.gz). get() accepts both.
import { constants, gunzipSync, gzipSync } from "node:zlib";
import { DEFAULT_MAX_BUNDLE_BYTES, sha256Hex } from "../../bundle/archive/archive.js";
import { ArtifactTooLargeError, CorruptArtifactError } from "../../ports/artifact-store.js";

/** The largest tar get() inflates: unpackBundle's default cap on files, plus room for tar headers. */
export const DEFAULT_MAX_TAR_BYTES = DEFAULT_MAX_BUNDLE_BYTES + 1024 * 1024;

/** The `.tar.gz` a store writes for a tar. */
export function compressTar(tar: Uint8Array): Uint8Array {
  return gzipSync(tar, { level: constants.Z_BEST_COMPRESSION });
}

/**
 * The tar inside a stored `.tar.gz`, checked against the digest its location names:
 * the SHA-256 of the tar, or, for an object stored before digests named content,
 * of the stored bytes themselves. Inflating stops at `maxTarBytes`.
 */
export function tarOfStored(location: string, digest: string, stored: Uint8Array, maxTarBytes: number): Uint8Array {
  const storedDigest = sha256Hex(stored);
  let tar: Uint8Array;
  try {
    tar = gunzipSync(stored, { maxOutputLength: maxTarBytes });
  } catch (err) {
    if ((err as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE") throw new ArtifactTooLargeError(location, maxTarBytes);
    throw new CorruptArtifactError(location, digest, storedDigest, `not a readable .tar.gz (${(err as Error).message})`);
  }
  if (storedDigest === digest) return tar; // stored before digests named content
  const actual = sha256Hex(tar);
  if (actual !== digest) throw new CorruptArtifactError(location, digest, actual, `its tar hashes to ${actual}, not ${digest}`);
  return tar;
}
