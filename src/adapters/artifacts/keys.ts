// Content addressing shared by the adapters: where a digest lives, and checks on digests and bytes.
import { sha256Hex } from "../../bundle/archive/archive.js";
import { DigestMismatchError, InvalidDigestError } from "../../ports/artifact-store.js";

const DIGEST = /^[0-9a-f]{64}$/;
const KEY = /^bundles\/sha256\/([0-9a-f]{64})\.tar\.gz$/;

/** The key of a digest below the store's root: `bundles/sha256/<digest>.tar.gz`. */
export function artifactKey(digest: string): string {
  checkDigest(digest);
  return `bundles/sha256/${digest}.tar.gz`;
}

/** The digest an artifact key names, or undefined for any other key. */
export function digestOfKey(key: string): string | undefined {
  return KEY.exec(key)?.[1];
}

export function checkDigest(digest: string): void {
  if (!DIGEST.test(digest)) throw new InvalidDigestError(digest);
}

/** put() stores nothing whose name lies about its content: `digest` must be the tar's. */
export function checkBytes(digest: string, tar: Uint8Array): void {
  checkDigest(digest);
  const actual = sha256Hex(tar);
  if (actual !== digest) throw new DigestMismatchError(digest, actual);
}
