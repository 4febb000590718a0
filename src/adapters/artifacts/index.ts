// The composition root's way in: S3 when a bucket is configured, a local directory otherwise.
import { createLocalArtifactStore, DEFAULT_ARTIFACT_DIR } from "./local.js";
import type { S3ArtifactConfig } from "./s3.js";
import type { ArtifactStore } from "../../ports/artifact-store.js";

export * from "../../ports/artifact-store.js";
export { BundleArchiveError, packBundle, sha256Hex, unpackBundle, type PackedBundle, type UnpackOptions } from "../../bundle/archive/archive.js";
export { DEFAULT_MAX_TAR_BYTES } from "./stored-form.js";
export { createLocalArtifactStore, DEFAULT_ARTIFACT_DIR, type LocalArtifactStoreOptions } from "./local.js";
export type { S3ArtifactConfig, S3ArtifactStoreOptions } from "./s3.js";

export interface ArtifactStoreConfig {
  /** Store bundles in this bucket; when absent, in `dir`. */
  s3?: S3ArtifactConfig;
  /** Local folder (default `.baryon/artifacts`); ignored when `s3` is set. */
  dir?: string;
}

/** S3's SDK is loaded only when a bucket is configured: a terminal command on the local store does not pay for it. */
export async function createArtifactStore(config: ArtifactStoreConfig = {}): Promise<ArtifactStore> {
  if (!config.s3) return createLocalArtifactStore({ dir: config.dir ?? DEFAULT_ARTIFACT_DIR });
  const { createS3ArtifactStore } = await import("./s3.js");
  return createS3ArtifactStore(config.s3);
}

/**
 * Reads BARYON_ARTIFACT_BUCKET (S3 when set), BARYON_ARTIFACT_PREFIX, BARYON_ARTIFACT_REGION
 * (else AWS_REGION), BARYON_ARTIFACT_ENDPOINT, BARYON_ARTIFACT_FORCE_PATH_STYLE ("true"),
 * and BARYON_ARTIFACT_DIR. Credentials come from the AWS SDK's usual chain.
 */
export function artifactStoreConfigFromEnv(env: Record<string, string | undefined>): ArtifactStoreConfig {
  const bucket = env.BARYON_ARTIFACT_BUCKET?.trim();
  if (!bucket) return env.BARYON_ARTIFACT_DIR ? { dir: env.BARYON_ARTIFACT_DIR } : {};
  const s3: S3ArtifactConfig = { bucket };
  if (env.BARYON_ARTIFACT_PREFIX) s3.prefix = env.BARYON_ARTIFACT_PREFIX;
  const region = env.BARYON_ARTIFACT_REGION ?? env.AWS_REGION;
  if (region) s3.region = region;
  if (env.BARYON_ARTIFACT_ENDPOINT) s3.endpoint = env.BARYON_ARTIFACT_ENDPOINT;
  if (env.BARYON_ARTIFACT_FORCE_PATH_STYLE) s3.forcePathStyle = env.BARYON_ARTIFACT_FORCE_PATH_STYLE === "true";
  return { s3 };
}
