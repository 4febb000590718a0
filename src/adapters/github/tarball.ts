// A repository tarball (GitHub's `GET /repos/{owner}/{repo}/tarball/{ref}`) read
// as a stream into a Snapshot: one request per side of a pull request, however
// many files, and nothing kept that the review cannot use.
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import tar from "tar-stream";
import type { Snapshot } from "../../bundle/files.js";
import { LIMITS } from "../../bundle/parse/limits.js";

/** Bytes kept of one file: one more than any limit, so "too large" is still detected without holding the whole file. */
const KEEP_BYTES = LIMITS.bundleBytes + 1;
/** Most bytes one snapshot may hold: a pull request cannot make a worker buffer the whole of a huge repository. */
export const SNAPSHOT_BUDGET_BYTES = 64 * 1024 * 1024;
/** Paths whose content the review reads: bundle folders (`…/vN/…` or `…/N/…`), example specs, the repository config. */
const CONTENT_PATH = /(^|\/)v?[1-9]\d*\/|(^|\/)spec\/[^/]+\.ya?ml$|^\.github\/baryon\.yml$/;

export class SnapshotTooLargeError extends Error {
  override name = "SnapshotTooLargeError";
  constructor(readonly limit: number) {
    super(`the repository's templates hold more than ${Math.round(limit / (1024 * 1024))} MB; Baryon reviews at most that much per commit (set \`templates:\` in .github/baryon.yml to the templates folder)`);
  }
}

export interface TarballOptions {
  /** Keep only files under this folder (`templates:` in .github/baryon.yml), the inventory folders, and the config itself. */
  templates?: string;
  /** Inventory folders of this repository (`inventory:`): their YAML files are kept whole. */
  inventory?: readonly string[];
}

export async function readTarball(body: Readable | AsyncIterable<Uint8Array> | Uint8Array, options: TarballOptions = {}): Promise<Snapshot> {
  const files = new Map<string, Uint8Array>();
  const symlinks = new Map<string, string>();
  let held = 0;
  const folder = (dir: string) => `${dir.replace(/^\/+|\/+$/g, "")}/`;
  const prefix = options.templates ? folder(options.templates) : "";
  const inventory = (options.inventory ?? []).map(folder);
  const inInventory = (path: string) => inventory.some((p) => path.startsWith(p)) && /\.ya?ml$/i.test(path);
  const extract = tar.extract();
  extract.on("entry", (header, stream, next) => {
    // GitHub wraps everything in one folder, `<owner>-<repo>-<sha>/`.
    const path = header.name.split("/").slice(1).join("/");
    // The repository config is read from the head too, to review changes to it.
    const wanted = path !== "" && (path.startsWith(prefix) || path === ".github/baryon.yml" || inInventory(path));
    if (!wanted || (header.type !== "file" && header.type !== "symlink")) {
      stream.resume();
      stream.on("end", next);
      return;
    }
    if (header.type === "symlink") {
      // Only the link's own name for its target: a link is never followed.
      symlinks.set(path, header.linkname ?? "");
      stream.resume();
      stream.on("end", next);
      return;
    }
    // Other files only need to be told apart (changed or not): their digest stands in for them.
    const keepContent = CONTENT_PATH.test(path) || inInventory(path);
    const hash = keepContent ? undefined : createHash("sha256");
    const chunks: Buffer[] = [];
    let kept = 0;
    stream.on("data", (data: unknown) => {
      const chunk = data as Buffer;
      if (hash) return void hash.update(chunk);
      if (kept >= KEEP_BYTES) return;
      chunks.push(chunk.subarray(0, KEEP_BYTES - kept));
      kept += Math.min(chunk.length, KEEP_BYTES - kept);
    });
    stream.on("end", () => {
      const bytes = hash ? hash.digest() : Buffer.concat(chunks);
      held += bytes.length;
      if (held > SNAPSHOT_BUDGET_BYTES) return next(new SnapshotTooLargeError(SNAPSHOT_BUDGET_BYTES));
      files.set(path, bytes);
      next();
    });
  });
  const source = body instanceof Uint8Array ? Readable.from([body]) : Readable.from(body);
  await pipeline(source, createGunzip(), extract);
  return { files, symlinks };
}
