// The S3 adapter against an in-memory S3 (aws-sdk-client-mock) that answers conditional
// writes as S3 does: `If-None-Match: *` on an existing key is a 412, so exactly one of
// racing puts creates. Also the exact requests sent, and S3's 409/412/403 answers.
import {
  GetObjectCommand, HeadObjectCommand, NoSuchKey, NotFound, PutObjectCommand, S3Client, S3ServiceException,
  type PutObjectCommandInput,
} from "@aws-sdk/client-s3";
import { gunzipSync } from "node:zlib";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/bundle/archive/archive.js";
import { createS3ArtifactStore } from "../../src/adapters/artifacts/s3.js";
import { ArtifactStoreError } from "../../src/ports/artifact-store.js";
import { describeArtifactStore } from "./conformance.js";

const BUCKET = "bundles";
const meta = (status: number) => ({ $metadata: { httpStatusCode: status } });
const s3Error = (name: string, status: number): S3ServiceException =>
  new S3ServiceException({ name, $fault: "client", message: name, ...meta(status) });

/** A client whose every command is answered from a Map, as S3 would answer it. */
function fakeS3(): { client: S3Client; objects: Map<string, Uint8Array>; mock: ReturnType<typeof mockClient> } {
  const client = new S3Client({ region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  const objects = new Map<string, Uint8Array>();
  const mock = mockClient(client);
  const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  mock.on(HeadObjectCommand).callsFake(async (input: { Bucket: string; Key: string }) => {
    await tick();
    if (input.Bucket !== BUCKET || !objects.has(input.Key)) throw new NotFound({ message: "Not Found", ...meta(404) });
    return { ContentLength: objects.get(input.Key)!.length, ...meta(200) };
  });
  mock.on(PutObjectCommand).callsFake(async (input: PutObjectCommandInput) => {
    await tick();
    if (input.IfNoneMatch === "*" && objects.has(input.Key!)) throw s3Error("PreconditionFailed", 412);
    objects.set(input.Key!, input.Body as Uint8Array);
    return { ETag: '"etag"', ...meta(200) };
  });
  mock.on(GetObjectCommand).callsFake(async (input: { Bucket: string; Key: string }) => {
    await tick();
    const bytes = objects.get(input.Key);
    if (input.Bucket !== BUCKET || !bytes) throw new NoSuchKey({ message: "The specified key does not exist.", ...meta(404) });
    return { Body: { transformToByteArray: async () => bytes }, ...meta(200) };
  });
  return { client, objects, mock };
}

describeArtifactStore("S3 with conditional writes (in-memory fake)", {
  exclusiveCreate: true,
  async setup(options = {}) {
    const { client, objects, mock } = fakeS3();
    const keyOf = (location: string): string => location.slice(`s3://${BUCKET}/`.length);
    return {
      store: createS3ArtifactStore({ client, bucket: BUCKET, prefix: "baryon", ...options }),
      locationOf: (digest) => `s3://${BUCKET}/baryon/bundles/sha256/${digest}.tar.gz`,
      readRaw: async (location) => objects.get(keyOf(location)) ?? new Uint8Array(),
      writeRaw: async (location, bytes) => void objects.set(keyOf(location), bytes),
      foreignLocations: [`s3://elsewhere/baryon/bundles/sha256/${"0".repeat(64)}.tar.gz`, `s3://${BUCKET}/bundles/sha256/${"0".repeat(64)}.tar.gz`],
      teardown: async () => mock.restore(),
    };
  },
});

describe("S3 artifact store requests", () => {
  const bytes = new TextEncoder().encode("bundle bytes");
  const digest = sha256Hex(bytes);
  const key = `baryon/bundles/sha256/${digest}.tar.gz`;
  let restore: () => void = () => {};
  afterEach(() => restore());

  function store(): { mock: ReturnType<typeof mockClient>; put: () => ReturnType<ReturnType<typeof createS3ArtifactStore>["put"]> } {
    const client = new S3Client({ region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
    const mock = mockClient(client);
    restore = () => mock.restore();
    mock.on(HeadObjectCommand).rejects(new NotFound({ message: "Not Found", ...meta(404) }));
    const s3 = createS3ArtifactStore({ client, bucket: BUCKET, prefix: "baryon" });
    return { mock, put: () => s3.put(digest, bytes) };
  }

  it("sends a conditional PutObject of the gzip'd tar, with the body's SHA-256 for S3 to check", async () => {
    const { mock, put } = store();
    mock.on(PutObjectCommand).resolves(meta(200));
    expect(await put()).toEqual({ location: `s3://${BUCKET}/${key}`, created: true });
    const input = mock.commandCalls(PutObjectCommand)[0]!.args[0].input as PutObjectCommandInput;
    const body = input.Body as Uint8Array;
    expect(input).toMatchObject({
      Bucket: BUCKET, Key: key, IfNoneMatch: "*", ContentType: "application/gzip",
      ChecksumSHA256: Buffer.from(sha256Hex(body), "hex").toString("base64"),
    });
    expect(Buffer.compare(gunzipSync(body), bytes)).toBe(0);
  });

  it("takes S3's 412 Precondition Failed as 'already stored'", async () => {
    const { mock, put } = store();
    mock.on(PutObjectCommand).rejects(s3Error("PreconditionFailed", 412));
    expect(await put()).toEqual({ location: `s3://${BUCKET}/${key}`, created: false });
  });

  it("retries a 409 ConditionalRequestConflict, then finds the object stored", async () => {
    const { mock, put } = store();
    mock.on(HeadObjectCommand)
      .rejectsOnce(new NotFound({ message: "Not Found", ...meta(404) }))
      .resolves(meta(200));
    mock.on(PutObjectCommand).rejects(s3Error("ConditionalRequestConflict", 409));
    expect(await put()).toEqual({ location: `s3://${BUCKET}/${key}`, created: false });
    expect(mock.commandCalls(PutObjectCommand)).toHaveLength(1);
  });

  it("uploads nothing when HeadObject finds the object", async () => {
    const { mock, put } = store();
    mock.on(HeadObjectCommand).resolves(meta(200));
    expect((await put()).created).toBe(false);
    expect(mock.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it("wraps a refusal in ArtifactStoreError with operation, status and the SDK error as cause", async () => {
    const { mock, put } = store();
    const denied = s3Error("AccessDenied", 403);
    mock.on(HeadObjectCommand).rejects(denied);
    const error = await put().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ArtifactStoreError);
    expect(error).toMatchObject({ name: "ArtifactStoreError", operation: "put", status: 403, target: `s3://${BUCKET}/${key}` });
    expect((error as Error).cause).toBe(denied);
  });

  it("gives up on a conflict that does not clear", async () => {
    const { mock, put } = store();
    mock.on(PutObjectCommand).rejects(s3Error("ConditionalRequestConflict", 409));
    await expect(put()).rejects.toMatchObject({ name: "ArtifactStoreError", status: 409 });
    expect(mock.commandCalls(PutObjectCommand)).toHaveLength(3);
  });
});
