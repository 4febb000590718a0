// ArtifactStore in a local directory (default `.baryon/artifacts`): the embedded
// default, beside the PGlite registry.
//
// Bundles are kept as `<digest>.tar.gz` (stored-form.ts), named by the tar's digest.
//
// Write once, atomically: the bytes go to a temp file in the target folder, are
// fsynced, then hard-linked to the final name. link() fails when the name exists,
// so no put ever replaces a stored file, a reader never sees half a file, and of
// racing puts (threads or processes) exactly one reports created.
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { copyFile, link, mkdir, open, readFile, stat, unlink } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { artifactKey, checkBytes, checkDigest, digestOfKey } from "./keys.js";
import { compressTar, DEFAULT_MAX_TAR_BYTES, tarOfStored } from "./stored-form.js";
import {
  ArtifactNotFoundError, ArtifactStoreError, ForeignLocationError,
  type ArtifactStore, type StoredArtifact,
} from "../../ports/artifact-store.js";

export const DEFAULT_ARTIFACT_DIR = ".baryon/artifacts";

export interface LocalArtifactStoreOptions {
  /** Root folder; relative paths resolve against the working directory. Default `.baryon/artifacts`. */
  dir?: string;
  /** get() refuses an object that inflates to more than this (default DEFAULT_MAX_TAR_BYTES, 65 MiB). */
  maxTarBytes?: number;
}

export function createLocalArtifactStore(options: LocalArtifactStoreOptions = {}): ArtifactStore {
  return new LocalArtifactStore(resolve(options.dir ?? DEFAULT_ARTIFACT_DIR), options.maxTarBytes ?? DEFAULT_MAX_TAR_BYTES);
}

/** Filesystems without hard links (some network mounts) answer link() with one of these. */
const NO_LINKS = new Set(["EPERM", "ENOTSUP", "ENOSYS", "EOPNOTSUPP"]);

class LocalArtifactStore implements ArtifactStore {
  constructor(private readonly root: string, private readonly maxTarBytes: number) {}

  async put(digest: string, tar: Uint8Array): Promise<StoredArtifact> {
    checkBytes(digest, tar);
    const path = this.pathOf(digest);
    const location = pathToFileURL(path).href;
    try {
      if (await fileExists(path)) return { location, created: false };
      await mkdir(dirname(path), { recursive: true });
      const temp = join(dirname(path), `.${digest}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
      try {
        await writeDurably(temp, compressTar(tar));
        return { location, created: await linkOnce(temp, path) };
      } finally {
        await unlink(temp).catch(() => {});
      }
    } catch (err) {
      throw new ArtifactStoreError("put", location, err);
    }
  }

  async get(location: string): Promise<Uint8Array> {
    const { path, digest } = this.parse(location);
    let stored: Uint8Array;
    try {
      stored = await readFile(path);
    } catch (err) {
      if (codeOf(err) === "ENOENT") throw new ArtifactNotFoundError(location);
      throw new ArtifactStoreError("get", location, err);
    }
    return tarOfStored(location, digest, stored, this.maxTarBytes);
  }

  async exists(digest: string): Promise<boolean> {
    const path = this.pathOf(digest);
    try {
      return await fileExists(path);
    } catch (err) {
      throw new ArtifactStoreError("exists", pathToFileURL(path).href, err);
    }
  }

  private pathOf(digest: string): string {
    checkDigest(digest);
    return join(this.root, ...artifactKey(digest).split("/"));
  }

  private parse(location: string): { path: string; digest: string } {
    let path: string;
    try {
      path = fileURLToPath(location);
    } catch {
      throw new ForeignLocationError(location, "not a file: URL");
    }
    const inside = relative(this.root, path);
    if (inside.startsWith("..") || isAbsolute(inside)) throw new ForeignLocationError(location, `outside ${this.root}`);
    const digest = digestOfKey(inside.split(sep).join("/"));
    if (!digest) throw new ForeignLocationError(location, "not a bundle key");
    return { path, digest };
  }
}

async function fileExists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch (err) {
    if (codeOf(err) === "ENOENT") return false;
    throw err;
  }
}

async function writeDurably(path: string, bytes: Uint8Array): Promise<void> {
  const handle = await open(path, "wx", 0o644);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** True when `temp` became `path`; false when `path` already existed. Never replaces `path`. */
async function linkOnce(temp: string, path: string): Promise<boolean> {
  try {
    await link(temp, path);
    return true;
  } catch (err) {
    const code = codeOf(err);
    if (code === "EEXIST") return false;
    if (!code || !NO_LINKS.has(code)) throw err;
  }
  // No hard links here: an exclusive copy still never replaces, though a reader
  // racing it may see a partial file (get() then reports it as corrupt).
  try {
    await copyFile(temp, path, constants.COPYFILE_EXCL);
    return true;
  } catch (err) {
    if (codeOf(err) === "EEXIST") return false;
    throw err;
  }
}

function codeOf(err: unknown): string | undefined {
  return typeof err === "object" && err !== null && "code" in err ? String((err as { code: unknown }).code) : undefined;
}
