import { gzipSync } from "node:zlib";
import tar from "tar-stream";
import { describe, expect, it } from "vitest";
import { BundleArchiveError, packBundle, packTar, sha256Hex, unpackBundle } from "../../src/bundle/archive/archive.js";
import { bundleOf, exampleBundle, SMALL_BUNDLE } from "./helpers.js";

const text = (bytes: Uint8Array | undefined): string => new TextDecoder().decode(bytes);

/** Reads every tar header of a tar, without judging it. */
async function headersOf(tarBytes: Uint8Array): Promise<tar.Header[]> {
  const extract = tar.extract();
  const headers: tar.Header[] = [];
  extract.on("entry", (header, stream, next) => {
    headers.push(header);
    stream.on("end", next);
    stream.resume();
  });
  const done = new Promise<void>((resolve, reject) => extract.on("finish", () => resolve()).on("error", reject));
  extract.end(Buffer.from(tarBytes));
  await done;
  return headers;
}

/** A tar holding exactly the entries given, however wrong. */
async function rawArchive(entries: Array<{ header: Partial<tar.Header> & { name: string }; body?: string }>): Promise<Uint8Array> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on("data", (chunk: unknown) => void chunks.push(chunk as Buffer));
  const ended = new Promise<void>((resolve) => pack.on("end", () => resolve()));
  for (const { header, body } of entries) pack.entry(header, body ?? "");
  pack.finalize();
  await ended;
  return Buffer.concat(chunks);
}

describe("packBundle", () => {
  it("gives the same tar and digest for the same files, whatever their order or folder", async () => {
    const first = await packBundle(bundleOf("templates/vpc-env/v1", SMALL_BUNDLE));
    const reversed = Object.fromEntries(Object.entries(SMALL_BUNDLE).reverse());
    const again = await packBundle(bundleOf("templates/vpc-env/v1", reversed));
    const elsewhere = await packBundle(bundleOf("other/place/vpc-env/v1", SMALL_BUNDLE));
    expect(again.digest).toBe(first.digest);
    expect(Buffer.compare(again.bytes, first.bytes)).toBe(0);
    expect(elsewhere.digest).toBe(first.digest);
    expect(first.digest).toBe(sha256Hex(first.bytes));
    expect(first.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it("gives a different digest for any change of content or path", async () => {
    const base = await packBundle(bundleOf("t/v1", SMALL_BUNDLE));
    const changes: Array<Record<string, string>> = [
      { ...SMALL_BUNDLE, "infrastructure/cloudformation.yaml": `${SMALL_BUNDLE["infrastructure/cloudformation.yaml"]} ` },
      { ...SMALL_BUNDLE, "README.md": "" },
      Object.fromEntries(Object.entries(SMALL_BUNDLE).map(([p, c]) => [p.replace("schema/", "Schema/"), c])),
      Object.fromEntries(Object.entries(SMALL_BUNDLE).filter(([p]) => p !== "schema/schema.yaml")),
    ];
    const digests = await Promise.all(changes.map(async (files) => (await packBundle(bundleOf("t/v1", files))).digest));
    expect(new Set([base.digest, ...digests]).size).toBe(changes.length + 1);
  });

  it("pins the bytes: this digest changes only if the archive format does", async () => {
    // If this fails, every stored bundle's digest would change with this commit:
    // existing versions would look different from identical new content. See docs/artifacts.md.
    const packed = await packBundle(bundleOf("t/v1", SMALL_BUNDLE));
    expect(packed.digest).toBe("18077fbbaeb890135aefa1c3c294dd120cce42d41832b8cc0ec0d84847252915");
  });

  it("writes files only, sorted, relative to the version folder, with fixed owner, mode and time", async () => {
    const bundle = bundleOf("t/v1", { ...SMALL_BUNDLE, "Zeta.yaml": "z", "ünï/ß.yaml": "u", "a.yaml": "a" });
    const headers = await headersOf((await packBundle(bundle)).bytes);
    expect(headers.map((h) => h.name)).toEqual([
      "Zeta.yaml", "a.yaml", "infrastructure/cloudformation.yaml", "infrastructure/manifest.yaml", "schema/schema.yaml", "ünï/ß.yaml",
    ]);
    for (const header of headers) {
      expect(header).toMatchObject({ type: "file", mode: 0o644, uid: 0, gid: 0, uname: "", gname: "" });
      expect(header.mtime?.getTime()).toBe(0);
    }
  });

  it("is a plain tar, whose digest does not depend on any compressor", async () => {
    const { bytes, digest } = await packBundle(bundleOf("t/v1", SMALL_BUNDLE));
    expect(bytes.length % 512).toBe(0);
    expect(new TextDecoder().decode(bytes.subarray(257, 262))).toBe("ustar");
    expect(bytes.subarray(-1024).every((b) => b === 0)).toBe(true); // tar's end: two zero blocks
    expect(digest).toBe(sha256Hex(bytes));
  });

  it("refuses a file outside the version folder", async () => {
    const bundle = bundleOf("t/v1", SMALL_BUNDLE);
    bundle.files.set("t/v10/schema/schema.yaml", new Uint8Array(0));
    await expect(packBundle(bundle)).rejects.toThrow(BundleArchiveError);
  });
});

describe("unpackBundle", () => {
  it("round-trips the example bundle, long and non-ASCII names included", async () => {
    const example = await exampleBundle();
    const extra = `${example.dir}/${"deep/".repeat(40)}ünïcode name.yaml`;
    example.files.set(extra, new TextEncoder().encode("long: path\n"));
    const files = await unpackBundle((await packBundle(example)).bytes);
    const expected = new Map([...example.files].map(([path, bytes]) => [path.slice(example.dir.length + 1), bytes]));
    expect([...files.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [path, bytes] of expected) expect(text(files.get(path))).toBe(text(bytes));
    expect(files.get(".template-registration.yaml")).toBeDefined();
  });

  it("reads archives made by other tools, skipping directory entries", async () => {
    const archive = await rawArchive([
      { header: { name: "schema", type: "directory" } },
      { header: { name: "schema/schema.yaml", mode: 0o755, mtime: new Date() }, body: "schema: {}\n" },
    ]);
    expect(text((await unpackBundle(archive)).get("schema/schema.yaml"))).toBe("schema: {}\n");
  });

  it.each([
    ["a path leaving the bundle", [{ header: { name: "../escape.yaml" } }]],
    ["an absolute path", [{ header: { name: "/etc/passwd" } }]],
    ["a symbolic link", [{ header: { name: "link.yaml", type: "symlink" as const, linkname: "/etc/passwd" } }]],
    ["a name twice", [{ header: { name: "a.yaml" }, body: "1" }, { header: { name: "a.yaml" }, body: "2" }]],
  ])("refuses %s", async (_, entries) => {
    await expect(unpackBundle(await rawArchive(entries))).rejects.toThrow(BundleArchiveError);
  });

  it("refuses more bytes than allowed, and bytes that are not a tar", async () => {
    const { bytes } = await packBundle(bundleOf("t/v1", SMALL_BUNDLE));
    await expect(unpackBundle(bytes, { maxBytes: 100 })).rejects.toThrow(/more than 100 bytes/);
    await expect(unpackBundle(new TextEncoder().encode("not a tar"))).rejects.toThrow(BundleArchiveError);
    await expect(unpackBundle(bytes.subarray(0, 700))).rejects.toThrow(BundleArchiveError);
  });

  it("refuses a .tar.gz, saying the store decompresses", async () => {
    const { bytes } = await packBundle(bundleOf("t/v1", SMALL_BUNDLE));
    await expect(unpackBundle(gzipSync(bytes))).rejects.toThrow(/gzip stream, not a tar/);
  });

  it("gets back the files of a tar made from entries", async () => {
    const entries: Array<[string, Uint8Array]> = [["x.yaml", new TextEncoder().encode("x")]];
    const files = await unpackBundle(await packTar(entries));
    expect(text(files.get("x.yaml"))).toBe("x");
  });
});
