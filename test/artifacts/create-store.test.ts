import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { artifactStoreConfigFromEnv, createArtifactStore, sha256Hex } from "../../src/adapters/artifacts/index.js";
import { S3ArtifactStore } from "../../src/adapters/artifacts/s3.js";

describe("createArtifactStore", () => {
  it("keeps bundles in a local folder unless a bucket is configured", async () => {
    const dir = await mkdtemp(join(tmpdir(), "baryon-artifacts-"));
    try {
      const store = await createArtifactStore({ dir });
      const bytes = new TextEncoder().encode("local");
      const { location } = await store.put(sha256Hex(bytes), bytes);
      expect(fileURLToPath(location).startsWith(dir)).toBe(true);
      expect(gunzipSync(await readFile(fileURLToPath(location))).toString()).toBe("local");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("uses S3 when a bucket is configured", async () => {
    const store = await createArtifactStore({ s3: { bucket: "b", prefix: "p", region: "eu-west-1" }, dir: "ignored" });
    expect(store).toBeInstanceOf(S3ArtifactStore);
    expect((store as S3ArtifactStore).keyOf("a".repeat(64))).toBe(`p/bundles/sha256/${"a".repeat(64)}.tar.gz`);
  });
});

describe("artifactStoreConfigFromEnv", () => {
  it("reads nothing into the local default", () => {
    expect(artifactStoreConfigFromEnv({})).toEqual({});
    expect(artifactStoreConfigFromEnv({ BARYON_ARTIFACT_DIR: "/data/artifacts" })).toEqual({ dir: "/data/artifacts" });
  });

  it("reads an S3 bucket, prefix, region, endpoint and path style", () => {
    expect(artifactStoreConfigFromEnv({
      BARYON_ARTIFACT_BUCKET: "acme-baryon", BARYON_ARTIFACT_PREFIX: "prod", AWS_REGION: "eu-west-1",
      BARYON_ARTIFACT_ENDPOINT: "http://127.0.0.1:9000", BARYON_ARTIFACT_FORCE_PATH_STYLE: "true",
    })).toEqual({ s3: { bucket: "acme-baryon", prefix: "prod", region: "eu-west-1", endpoint: "http://127.0.0.1:9000", forcePathStyle: true } });
    expect(artifactStoreConfigFromEnv({ BARYON_ARTIFACT_BUCKET: "b", BARYON_ARTIFACT_REGION: "us-east-2", AWS_REGION: "eu-west-1" }))
      .toEqual({ s3: { bucket: "b", region: "us-east-2" } });
  });
});
