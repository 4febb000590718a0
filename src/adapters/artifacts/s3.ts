// ArtifactStore in an S3 bucket (or an S3-compatible store), under a key prefix.
// Bundles are kept as `<digest>.tar.gz` (stored-form.ts), named by the tar's digest.
//
// Write once: PutObject carries `If-None-Match: *`, so S3 refuses (412) to
// replace an existing key, and of racing puts exactly one creates it. A
// HeadObject first skips the upload when the bundle is already there, and keeps
// stores that ignore If-None-Match (s3rver, some S3 clones) from rewriting an
// existing object; there, racing puts may both report created, but they write
// the same tar (put() checks it against the digest before compressing it).
// `ChecksumSHA256` makes S3 itself reject a body damaged on the way.
import {
  GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { sha256Hex } from "../../bundle/archive/archive.js";
import { artifactKey, checkBytes, digestOfKey } from "./keys.js";
import { compressTar, DEFAULT_MAX_TAR_BYTES, tarOfStored } from "./stored-form.js";
import {
  ArtifactNotFoundError, ArtifactStoreError, ForeignLocationError,
  type ArtifactStore, type StoredArtifact,
} from "../../ports/artifact-store.js";

export interface S3ArtifactConfig {
  bucket: string;
  /** Key prefix, e.g. "baryon" → `baryon/bundles/sha256/<digest>.tar.gz`. Default none. */
  prefix?: string;
  region?: string;
  /** An S3-compatible endpoint (MinIO, s3rver, ...). Turns the SDK's default checksums down to WHEN_REQUIRED, which such stores need. */
  endpoint?: string;
  forcePathStyle?: boolean;
}

export interface S3ArtifactStoreOptions extends S3ArtifactConfig {
  /** A client to use instead of one built from the fields above (tests, custom credentials). */
  client?: S3Client;
  /** get() refuses an object that inflates to more than this (default DEFAULT_MAX_TAR_BYTES, 65 MiB). */
  maxTarBytes?: number;
}

/** S3 answers 409 ConditionalRequestConflict to a conditional write racing another; it asks to retry. */
const CONFLICT_RETRIES = 3;

export function createS3ArtifactStore(options: S3ArtifactStoreOptions): S3ArtifactStore {
  return new S3ArtifactStore(options.client ?? createS3Client(options), options.bucket, options.prefix, options.maxTarBytes);
}

export function createS3Client(config: Omit<S3ArtifactConfig, "bucket" | "prefix">): S3Client {
  const clientConfig: S3ClientConfig = {};
  if (config.region) clientConfig.region = config.region;
  if (config.endpoint) {
    clientConfig.endpoint = config.endpoint;
    clientConfig.requestChecksumCalculation = "WHEN_REQUIRED";
    clientConfig.responseChecksumValidation = "WHEN_REQUIRED";
  }
  if (config.forcePathStyle !== undefined) clientConfig.forcePathStyle = config.forcePathStyle;
  return new S3Client(clientConfig);
}

export class S3ArtifactStore implements ArtifactStore {
  private readonly prefix: string;

  constructor(private readonly client: S3Client, readonly bucket: string, prefix = "", private readonly maxTarBytes = DEFAULT_MAX_TAR_BYTES) {
    const trimmed = prefix.replace(/^\/+|\/+$/g, "");
    this.prefix = trimmed === "" ? "" : `${trimmed}/`;
  }

  /** The object key of a digest (the Proton publisher hands it to Proton). */
  keyOf(digest: string): string {
    return this.prefix + artifactKey(digest);
  }

  async put(digest: string, tar: Uint8Array): Promise<StoredArtifact> {
    checkBytes(digest, tar);
    const key = this.keyOf(digest);
    const location = this.locationOf(key);
    const body = compressTar(tar);
    for (let attempt = 1; ; attempt++) {
      if (await this.head("put", key)) return { location, created: false };
      try {
        await this.client.send(new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          IfNoneMatch: "*",
          ContentType: "application/gzip",
          ChecksumSHA256: Buffer.from(sha256Hex(body), "hex").toString("base64"),
        }));
        return { location, created: true };
      } catch (err) {
        const status = statusOf(err);
        if (status === 412) return { location, created: false };
        if (status === 409 && attempt < CONFLICT_RETRIES) continue;
        throw new ArtifactStoreError("put", location, err, status);
      }
    }
  }

  async get(location: string): Promise<Uint8Array> {
    const { key, digest } = this.parse(location);
    let stored: Uint8Array;
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!answer.Body) throw new Error("S3 returned no body");
      stored = await answer.Body.transformToByteArray();
    } catch (err) {
      const status = statusOf(err);
      if (nameOf(err) === "NoSuchKey" || (status === 404 && nameOf(err) !== "NoSuchBucket")) throw new ArtifactNotFoundError(location);
      throw new ArtifactStoreError("get", location, err, status);
    }
    return tarOfStored(location, digest, stored, this.maxTarBytes);
  }

  async exists(digest: string): Promise<boolean> {
    return this.head("exists", this.keyOf(digest));
  }

  private async head(operation: "put" | "exists", key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (err) {
      const status = statusOf(err);
      if (status === 404 || nameOf(err) === "NotFound") return false;
      throw new ArtifactStoreError(operation, this.locationOf(key), err, status);
    }
  }

  private locationOf(key: string): string {
    return `s3://${this.bucket}/${key}`;
  }

  private parse(location: string): { key: string; digest: string } {
    const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(location);
    if (!match) throw new ForeignLocationError(location, "not an s3:// location");
    const [, bucket, key] = match as unknown as [string, string, string];
    if (bucket !== this.bucket) throw new ForeignLocationError(location, `bucket ${bucket} is not ${this.bucket}`);
    if (!key.startsWith(this.prefix)) throw new ForeignLocationError(location, `key outside the prefix ${this.prefix}`);
    const digest = digestOfKey(key.slice(this.prefix.length));
    if (!digest) throw new ForeignLocationError(location, "not a bundle key");
    return { key, digest };
  }
}

/** HTTP status of an SDK error, when the service answered. */
export function statusOf(err: unknown): number | undefined {
  const metadata = (err as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata;
  return typeof metadata?.httpStatusCode === "number" ? metadata.httpStatusCode : undefined;
}

function nameOf(err: unknown): string | undefined {
  return err instanceof Error ? err.name : undefined;
}
