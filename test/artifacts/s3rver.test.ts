// The S3 adapter against s3rver, a real S3 HTTP server on 127.0.0.1 (random port, temp folder).
// s3rver ignores `If-None-Match`, so here the adapter's HeadObject check is what keeps
// objects from being rewritten; s3-fake.test.ts covers S3's own conditional answers.
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/bundle/archive/archive.js";
import { createS3ArtifactStore } from "../../src/adapters/artifacts/s3.js";
import { ArtifactStoreError } from "../../src/ports/artifact-store.js";
import { describeArtifactStore } from "./conformance.js";

const BUCKET = "baryon-artifacts";
let server: S3rver;
let folder: string;
let client: S3Client;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "baryon-s3rver-"));
  server = new S3rver({ address: "127.0.0.1", port: 0, directory: folder, silent: true });
  const { port } = await server.run();
  client = new S3Client({
    region: "us-east-1",
    endpoint: `http://127.0.0.1:${port}`,
    forcePathStyle: true,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    // s3rver predates the SDK's default CRC checksums.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
});

afterAll(async () => {
  client?.destroy();
  await server?.close();
  await rm(folder, { recursive: true, force: true });
});

describeArtifactStore("S3 on s3rver", {
  exclusiveCreate: false,
  async setup(options = {}) {
    const prefix = `test-${randomUUID().slice(0, 8)}`;
    const digest = "0".repeat(64);
    const keyOf = (location: string): string => location.slice(`s3://${BUCKET}/`.length);
    return {
      store: createS3ArtifactStore({ client, bucket: BUCKET, prefix, ...options }),
      locationOf: (d) => `s3://${BUCKET}/${prefix}/bundles/sha256/${d}.tar.gz`,
      async readRaw(location) {
        const object = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: keyOf(location) }));
        return (await object.Body?.transformToByteArray()) ?? new Uint8Array();
      },
      async writeRaw(location, bytes) {
        await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: keyOf(location), Body: bytes }));
      },
      foreignLocations: [
        `s3://other-bucket/${prefix}/bundles/sha256/${digest}.tar.gz`,
        `s3://${BUCKET}/other-prefix/bundles/sha256/${digest}.tar.gz`,
        `s3://${BUCKET}/${prefix}/notes.txt`,
      ],
      teardown: async () => {},
    };
  },
});

describe("S3 artifact store on s3rver", () => {
  it("puts objects under the prefix, as gzip, readable by any S3 client", async () => {
    const store = createS3ArtifactStore({ client, bucket: BUCKET, prefix: "/nested/prefix/" });
    const bytes = new TextEncoder().encode("plain object");
    const digest = sha256Hex(bytes);
    const { location } = await store.put(digest, bytes);
    expect(location).toBe(`s3://${BUCKET}/nested/prefix/bundles/sha256/${digest}.tar.gz`);
    const object = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: `nested/prefix/bundles/sha256/${digest}.tar.gz` }));
    expect(object.ContentType).toBe("application/gzip");
    expect(new TextDecoder().decode(gunzipSync((await object.Body?.transformToByteArray()) ?? new Uint8Array()))).toBe("plain object");
  });

  it("wraps S3's refusals in ArtifactStoreError, keeping status and cause", async () => {
    const store = createS3ArtifactStore({ client, bucket: "no-such-bucket", prefix: "p" });
    const bytes = new TextEncoder().encode("nowhere to go");
    const error = await store.put(sha256Hex(bytes), bytes).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ArtifactStoreError);
    expect(error).toMatchObject({ operation: "put", status: 404 });
    expect((error as Error).cause).toMatchObject({ name: "NoSuchBucket" });
  });
});
