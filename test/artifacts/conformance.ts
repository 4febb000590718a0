// The ArtifactStore contract, run against every adapter (local.test.ts, s3rver.test.ts, s3-fake.test.ts).
import { gunzipSync, gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { packBundle, sha256Hex, unpackBundle } from "../../src/bundle/archive/archive.js";
import {
  ArtifactNotFoundError, ArtifactTooLargeError, CorruptArtifactError, DigestMismatchError, ForeignLocationError,
  InvalidDigestError, type ArtifactStore,
} from "../../src/ports/artifact-store.js";
import { bundleOf, exampleBundle, SMALL_BUNDLE } from "./helpers.js";

/** One test's store, apart from every other test's. */
export interface ArtifactPlace {
  store: ArtifactStore;
  /** Where the store keeps a digest's object (it need not exist). */
  locationOf(digest: string): string;
  /** The stored object's bytes, read behind the store's back. */
  readRaw(location: string): Promise<Uint8Array>;
  /** Writes or replaces the stored bytes behind the store's back, as a disk fault, a hand edit or an older Baryon would. */
  writeRaw(location: string, bytes: Uint8Array): Promise<void>;
  /** Locations of this store's kind that it did not give out (another root, another bucket). */
  foreignLocations: string[];
  teardown(): Promise<void>;
}

export interface ArtifactTarget {
  /**
   * Racing puts of one digest: true when exactly one reports created (the store creates
   * exclusively); false when several may, because the store ignores conditional writes.
   */
  exclusiveCreate: boolean;
  /** A fresh store; `maxTarBytes` as the adapter's option of that name. */
  setup(options?: { maxTarBytes?: number }): Promise<ArtifactPlace>;
}

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

export function describeArtifactStore(label: string, target: ArtifactTarget): void {
  describe(`ArtifactStore contract: ${label}`, () => {
    let place: ArtifactPlace;
    let store: ArtifactStore;

    beforeEach(async () => {
      place = await target.setup();
      store = place.store;
    });

    afterEach(async () => {
      await place.teardown();
    });

    it("stores a tar as a .tar.gz under the tar's digest, and gives the tar back", async () => {
      const packed = await packBundle(bundleOf("t/v1", SMALL_BUNDLE));
      expect(await store.exists(packed.digest)).toBe(false);
      const stored = await store.put(packed.digest, packed.bytes);
      expect(stored).toEqual({ location: place.locationOf(packed.digest), created: true });
      expect(stored.location).toContain(`bundles/sha256/${packed.digest}.tar.gz`);
      expect(await store.exists(packed.digest)).toBe(true);
      expect(Buffer.compare(await store.get(stored.location), packed.bytes)).toBe(0);
      // What any gunzip (and AWS Proton) reads: the same tar.
      expect(Buffer.compare(gunzipSync(await place.readRaw(stored.location)), packed.bytes)).toBe(0);
    });

    it("reads an object stored before digests named content: a .tar.gz under the SHA-256 of the .tar.gz", async () => {
      const { bytes: tar, digest } = await packBundle(bundleOf("t/v1", SMALL_BUNDLE));
      const gz = gzipSync(tar);
      const legacy = place.locationOf(sha256Hex(gz));
      await place.writeRaw(legacy, gz);
      expect(await store.exists(sha256Hex(gz))).toBe(true);
      expect(Buffer.compare(await store.get(legacy), tar)).toBe(0);
      expect([...(await unpackBundle(await store.get(legacy))).keys()].sort()).toEqual(Object.keys(SMALL_BUNDLE).sort());
      // Putting the same tar now stores it beside, under its content digest; the old object stays readable.
      expect(await store.put(digest, tar)).toEqual({ location: place.locationOf(digest), created: true });
      expect(Buffer.compare(await store.get(legacy), tar)).toBe(0);
    });

    it("refuses an object that inflates past the limit (a gzip bomb), whatever digest names it", async () => {
      const small = (await target.setup({ maxTarBytes: 1024 * 1024 }));
      try {
        const inflated = new Uint8Array(8 * 1024 * 1024);
        const bomb = gzipSync(inflated);
        expect(bomb.length).toBeLessThan(64 * 1024);
        for (const digest of [sha256Hex(bomb), sha256Hex(inflated)]) {
          const location = small.locationOf(digest);
          await small.writeRaw(location, bomb);
          const error = await small.store.get(location).catch((err: unknown) => err);
          expect(error).toBeInstanceOf(ArtifactTooLargeError);
          expect(error).toMatchObject({ location, limit: 1024 * 1024 });
        }
      } finally {
        await small.teardown();
      }
    });

    it("round-trips the example bundle through pack, put, get and unpack", async () => {
      const example = await exampleBundle();
      const packed = await packBundle(example);
      const { location } = await store.put(packed.digest, packed.bytes);
      const files = await unpackBundle(await store.get(location));
      expect(files.size).toBe(example.files.size);
      for (const [path, bytes] of example.files) {
        expect(Buffer.compare(files.get(path.slice(example.dir.length + 1)) ?? new Uint8Array(), bytes)).toBe(0);
      }
    });

    it("writes once: a second put of a digest creates nothing and rewrites nothing", async () => {
      const bytes = encode("first");
      const digest = sha256Hex(bytes);
      const first = await store.put(digest, bytes);
      const second = await store.put(digest, bytes);
      expect(second).toEqual({ location: first.location, created: false });
      // Proof that put() does not write over what is there: damage the object, put again, still damaged.
      await place.writeRaw(first.location, encode("damaged"));
      expect(await store.put(digest, bytes)).toEqual({ location: first.location, created: false });
      await expect(store.get(first.location)).rejects.toBeInstanceOf(CorruptArtifactError);
    });

    it(`lets racing puts of one digest agree on one location (${target.exclusiveCreate ? "exactly one creates" : "the store ignores conditional writes"})`, async () => {
      const bytes = encode("raced ".repeat(10_000));
      const digest = sha256Hex(bytes);
      const results = await Promise.all(Array.from({ length: 8 }, () => store.put(digest, bytes)));
      expect(new Set(results.map((r) => r.location)).size).toBe(1);
      const created = results.filter((r) => r.created).length;
      if (target.exclusiveCreate) expect(created).toBe(1);
      else expect(created).toBeGreaterThanOrEqual(1);
      expect(Buffer.compare(await store.get(results[0]!.location), bytes)).toBe(0);
    });

    it("stores different digests side by side, in parallel", async () => {
      const payloads = Array.from({ length: 6 }, (_, i) => encode(`bundle ${i}`));
      const results = await Promise.all(payloads.map((bytes) => store.put(sha256Hex(bytes), bytes)));
      expect(results.every((r) => r.created)).toBe(true);
      for (const [i, r] of results.entries()) expect(new TextDecoder().decode(await store.get(r.location))).toBe(`bundle ${i}`);
    });

    it("refuses bytes that do not hash to the digest, and stores nothing", async () => {
      const digest = sha256Hex(encode("promised"));
      const error = await store.put(digest, encode("delivered")).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(DigestMismatchError);
      expect(error).toMatchObject({ expected: digest, actual: sha256Hex(encode("delivered")) });
      expect(await store.exists(digest)).toBe(false);
    });

    it("refuses digests that are not SHA-256 hex", async () => {
      for (const digest of ["", "abc", "A".repeat(64), `${"0".repeat(63)}g`, "../".repeat(22)]) {
        await expect(store.put(digest, new Uint8Array())).rejects.toBeInstanceOf(InvalidDigestError);
        await expect(store.exists(digest)).rejects.toBeInstanceOf(InvalidDigestError);
      }
    });

    it("reports a corrupted object with both digests", async () => {
      const { bytes: tar, digest } = await packBundle(bundleOf("t/v1", SMALL_BUNDLE));
      const { location } = await store.put(digest, tar);
      const other = (await packBundle(bundleOf("t/v1", { ...SMALL_BUNDLE, "README.md": "edited" }))).bytes;
      const stored = await place.readRaw(location);
      const damage: Array<[string, Uint8Array, string]> = [
        ["not gzip", encode("pristinE"), sha256Hex(encode("pristinE"))],
        ["another tar", gzipSync(other), sha256Hex(other)],
        ["cut short", stored.subarray(0, stored.length - 30), sha256Hex(stored.subarray(0, stored.length - 30))],
      ];
      for (const [, bytes, actual] of damage) {
        await place.writeRaw(location, bytes);
        const error = await store.get(location).catch((err: unknown) => err);
        expect(error).toBeInstanceOf(CorruptArtifactError);
        expect(error).toMatchObject({ location, expected: digest, actual });
      }
    });

    it("reports a missing object as not found", async () => {
      const bytes = encode("here");
      const { location } = await store.put(sha256Hex(bytes), bytes);
      const missing = location.replace(sha256Hex(bytes), sha256Hex(encode("never stored")));
      await expect(store.get(missing)).rejects.toBeInstanceOf(ArtifactNotFoundError);
    });

    it("refuses locations it did not give out", async () => {
      const digest = sha256Hex(encode("x"));
      for (const location of [...place.foreignLocations, "https://example.com/x.tar.gz", `bundles/sha256/${digest}.tar.gz`]) {
        await expect(store.get(location)).rejects.toBeInstanceOf(ForeignLocationError);
      }
    });
  });
}
