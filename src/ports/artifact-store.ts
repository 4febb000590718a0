// The ArtifactStore port: bundle tars kept by their digest, written once.
// No SDK or fs types here; the adapters live in src/adapters/artifacts/.

export interface StoredArtifact {
  /** Where the bytes are: `file:///…/bundles/sha256/<digest>.tar.gz` or `s3://bucket/…`. Give it back to get(). */
  location: string;
  /** True when this put() wrote the object; false when it was already there (nothing was overwritten). */
  created: boolean;
}

export interface ArtifactStore {
  /**
   * Stores `tar` (packBundle's bytes) under `digest`, its SHA-256 hex (checked), as a
   * `.tar.gz`, unless an object with that digest exists already. Racing puts of one
   * digest all resolve with the same location; a stored object is never replaced.
   */
  put(digest: string, tar: Uint8Array): Promise<StoredArtifact>;
  /**
   * The tar at a location this store gave out, checked against the digest the location
   * names: the SHA-256 of the tar, or, for objects stored before digests named content,
   * of the stored `.tar.gz` itself. Decompression is capped (a gzip bomb fails).
   */
  get(location: string): Promise<Uint8Array>;
  exists(digest: string): Promise<boolean>;
}

/** Every failure of an artifact store; the subclasses below say which. */
export class ArtifactError extends Error {
  override name = "ArtifactError";
}

/** A digest that is not 64 lowercase hex characters. */
export class InvalidDigestError extends ArtifactError {
  override name = "InvalidDigestError";
  constructor(readonly digest: string) {
    super(`not a SHA-256 hex digest: ${JSON.stringify(digest.slice(0, 80))}`);
  }
}

/** put() was given bytes whose SHA-256 is not the digest it was given. Nothing was stored. */
export class DigestMismatchError extends ArtifactError {
  override name = "DigestMismatchError";
  constructor(readonly expected: string, readonly actual: string) {
    super(`the bytes hash to ${actual}, not ${expected}; nothing was stored`);
  }
}

/** The stored object is not a gzip'd tar whose digest is the one its location names. `actual` hashes what was read. */
export class CorruptArtifactError extends ArtifactError {
  override name = "CorruptArtifactError";
  constructor(readonly location: string, readonly expected: string, readonly actual: string, reason = `its bytes hash to ${actual}, not ${expected}`) {
    super(`${location} is corrupt: ${reason}`);
  }
}

/** The stored object decompresses to more than the store's limit (a gzip bomb, or a bundle far beyond Proton's 5 MB). */
export class ArtifactTooLargeError extends ArtifactError {
  override name = "ArtifactTooLargeError";
  constructor(readonly location: string, readonly limit: number) {
    super(`${location} decompresses to more than ${limit} bytes; refused`);
  }
}

export class ArtifactNotFoundError extends ArtifactError {
  override name = "ArtifactNotFoundError";
  constructor(readonly location: string) {
    super(`no artifact at ${location}`);
  }
}

/** A location this store did not give out (another bucket, another folder, not a bundle key). */
export class ForeignLocationError extends ArtifactError {
  override name = "ForeignLocationError";
  constructor(readonly location: string, reason: string) {
    super(`${location} is not a location of this artifact store: ${reason}`);
  }
}

/** The storage itself failed (disk, network, S3 refusal); `cause` holds the original error. */
export class ArtifactStoreError extends ArtifactError {
  override name = "ArtifactStoreError";
  constructor(
    readonly operation: "put" | "get" | "exists",
    readonly target: string,
    cause: unknown,
    /** HTTP status of an S3 answer, when there was one. */
    readonly status?: number,
  ) {
    super(`artifact ${operation} of ${target} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}
