// A bundle as one canonical tar: the same files give the same bytes, hence the
// same digest, on any machine and any day. Pure: no clock, no disk.
//
// What is fixed: entries are the bundle's files only (no directory entries),
// named relative to the version folder, sorted by the UTF-8 bytes of that name;
// mtime 0, uid/gid 0, uname/gname empty, mode 0644; ustar headers (tar-stream
// adds a PAX header only for names ustar cannot hold, also deterministically).
// The digest is the SHA-256 of the tar: it names the content, not a compressor's
// output, so compression is the artifact store's business (see docs/artifacts.md).
import { createHash } from "node:crypto";
import tar from "tar-stream";
import type { Bundle } from "../model.js";

export interface PackedBundle {
  /** The canonical tar (uncompressed). */
  bytes: Uint8Array;
  /** SHA-256 of `bytes`, lowercase hex. */
  digest: string;
}

/** Thrown for an archive that cannot be a bundle: bad paths, links, duplicates, too large. */
export class BundleArchiveError extends Error {
  override name = "BundleArchiveError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

const EPOCH = new Date(0);
const encoder = new TextEncoder();

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Paths of the bundle's files relative to its version folder, with their bytes, in archive order. */
export function bundleEntries(bundle: Pick<Bundle, "dir" | "files">): Array<[string, Uint8Array]> {
  const prefix = bundle.dir === "" ? "" : `${bundle.dir.replace(/\/+$/, "")}/`;
  const entries: Array<[string, Uint8Array]> = [];
  for (const [path, bytes] of bundle.files) {
    if (!path.startsWith(prefix) || path.length === prefix.length) {
      throw new BundleArchiveError(`${path} is not inside the bundle folder ${bundle.dir}`);
    }
    const relative = path.slice(prefix.length);
    const problem = unsafeEntryName(relative);
    if (problem) throw new BundleArchiveError(`${path}: ${problem}`);
    entries.push([relative, bytes]);
  }
  return entries.sort(([a], [b]) => Buffer.compare(encoder.encode(a), encoder.encode(b)));
}

export async function packBundle(bundle: Pick<Bundle, "dir" | "files">): Promise<PackedBundle> {
  const bytes = await packTar(bundleEntries(bundle));
  return { bytes, digest: sha256Hex(bytes) };
}

/** The uncompressed tar of the entries, in the order given. */
export async function packTar(entries: ReadonlyArray<readonly [string, Uint8Array]>): Promise<Uint8Array> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const collected = new Promise<void>((resolve, reject) => {
    pack.on("data", (chunk: unknown) => void chunks.push(chunk as Buffer));
    pack.on("end", resolve);
    pack.on("error", reject);
  });
  for (const [name, bytes] of entries) {
    await new Promise<void>((resolve, reject) => {
      pack.entry(
        { name, size: bytes.length, mode: 0o644, mtime: EPOCH, uid: 0, gid: 0, uname: "", gname: "", type: "file" },
        Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
        (err) => (err ? reject(err) : resolve()),
      );
    });
  }
  pack.finalize();
  await collected;
  return Buffer.concat(chunks);
}

export interface UnpackOptions {
  /** Refuse archives whose files add up to more than this (default DEFAULT_MAX_BUNDLE_BYTES, 64 MiB). */
  maxBytes?: number;
}

/** Refuse archives whose files add up to more than this by default (Proton's bundle limit is 5 MB). */
export const DEFAULT_MAX_BUNDLE_BYTES = 64 * 1024 * 1024;

/**
 * The files of a bundle tar (packBundle's bytes, or any tar of a bundle): path relative
 * to the version folder → bytes. Only regular files are accepted; links, devices,
 * unsafe or repeated names fail. A .tar.gz is refused: the artifact store decompresses.
 */
export async function unpackBundle(tarBytes: Uint8Array, options: UnpackOptions = {}): Promise<Map<string, Uint8Array>> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BUNDLE_BYTES;
  if (tarBytes[0] === 0x1f && tarBytes[1] === 0x8b) {
    throw new BundleArchiveError("this is a gzip stream, not a tar: decompress it first (ArtifactStore.get gives the tar)");
  }
  const files = new Map<string, Uint8Array>();
  let total = 0;
  const extract = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on("finish", resolve);
    extract.on("error", reject);
  });
  extract.on("entry", (header, stream, next) => {
    const problem = entryProblem(header, files);
    total += header.size ?? 0;
    if (problem || total > maxBytes) {
      stream.on("error", () => {}); // destroying the archive ends this entry with the same error
      stream.resume();
      extract.destroy(new BundleArchiveError(problem ?? `the archive holds more than ${maxBytes} bytes of files`));
      return;
    }
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: unknown) => void chunks.push(chunk as Buffer));
    stream.on("end", () => {
      if (header.type === "file" || header.type === "contiguous-file") files.set(header.name, Buffer.concat(chunks));
      next();
    });
  });
  extract.end(Buffer.from(tarBytes.buffer, tarBytes.byteOffset, tarBytes.byteLength));
  try {
    await done;
  } catch (err) {
    if (err instanceof BundleArchiveError) throw err;
    throw new BundleArchiveError(`not a readable tar: ${(err as Error).message}`, { cause: err });
  }
  return files;
}

function entryProblem(header: tar.Header, seen: ReadonlyMap<string, Uint8Array>): string | undefined {
  if (header.type === "directory") return undefined;
  if (header.type !== "file" && header.type !== "contiguous-file") return `${header.name}: a ${header.type ?? "special"} entry is not allowed in a bundle`;
  const problem = unsafeEntryName(header.name);
  if (problem) return `${header.name}: ${problem}`;
  if (seen.has(header.name)) return `${header.name} appears twice`;
  return undefined;
}

function unsafeEntryName(name: string): string | undefined {
  if (name === "" || name.startsWith("/") || name.includes("\\") || name.includes("\0")) return "not a relative path";
  if (name.split("/").some((part) => part === "" || part === "." || part === "..")) return "empty, '.' or '..' path segment";
  return undefined;
}
