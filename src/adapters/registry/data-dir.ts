// The embedded registry's data directory, looked at before PGlite opens it: PGlite would
// run initdb into a folder of unrelated files, and on a damaged one it writes (pg_control,
// postmaster.pid, relation caches) before it fails. So a folder that is not a registry is
// refused untouched, and a failed start is undone file by file, then verified.
import { constants } from "node:fs";
import { access, lstat, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { RegistryUnreadableError } from "./registry-errors.js";

/** What is at the data directory: nothing yet, an empty folder, or a Postgres cluster. */
export type DataDirState = "missing" | "empty" | "cluster";

/** Postgres writes pg_control as exactly one 8 KB block; any other size is damage. */
const PG_CONTROL_SIZE = 8192;

/** Throws RegistryUnreadableError for anything PGlite must not be let loose on. */
export async function inspectDataDir(dataDir: string): Promise<DataDirState> {
  const info = await stat(dataDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw unreadable(dataDir, error);
  });
  if (info === undefined) return "missing";
  if (!info.isDirectory()) throw new RegistryUnreadableError(dataDir, "it is a file, not a directory");
  const entries = await readdir(dataDir).catch((error: NodeJS.ErrnoException) => {
    throw unreadable(dataDir, error);
  });
  if (entries.length === 0) return "empty";
  if (!entries.includes("PG_VERSION")) {
    const shown = `${entries.slice(0, 3).join(", ")}${entries.length > 3 ? ", …" : ""}`;
    throw new RegistryUnreadableError(dataDir, `it holds other files (${shown}), not a registry: there is no PG_VERSION`);
  }
  const version = await readFile(join(dataDir, "PG_VERSION"), "utf8").catch((error: NodeJS.ErrnoException) => {
    throw unreadable(dataDir, error, "PG_VERSION");
  });
  if (!/^\d+\n?$/.test(version)) throw new RegistryUnreadableError(dataDir, "PG_VERSION is damaged");
  const control = await stat(join(dataDir, "global/pg_control")).catch(() => undefined);
  if (control?.size !== PG_CONTROL_SIZE) throw new RegistryUnreadableError(dataDir, `global/pg_control is ${control ? "damaged" : "missing"}`);
  return "cluster";
}

function unreadable(dataDir: string, error: NodeJS.ErrnoException, file?: string): RegistryUnreadableError {
  const what = file ? `${file}: ` : "";
  const reason =
    error.code === "EACCES" || error.code === "EPERM" ? `${what}permission denied`
    : error.code === "ENOTDIR" ? "a folder on its path is a file"
    : `${what}${error.message}`;
  return new RegistryUnreadableError(dataDir, reason, { cause: error, ...(error.code ? { code: error.code } : {}) });
}

/** Files a failed start rewrites (Postgres' control file and relation cache files): small, kept to put back. */
const REWRITTEN = /^(global\/pg_control|(global|base\/\d+)\/pg_internal\.init)$/;

interface Entry {
  size: number;
  mtime: Date;
  isDir: boolean;
}

async function walk(dir: string, root = dir, into = new Map<string, Entry>()): Promise<Map<string, Entry>> {
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    const info = await lstat(path);
    into.set(relative(root, path), { size: info.size, mtime: info.mtime, isDir: info.isDirectory() });
    if (info.isDirectory()) await walk(path, root, into);
  }
  return into;
}

/**
 * Runs `open` on an existing cluster; when it fails, removes what it created, puts back the
 * files it rewrote, and throws RegistryUnreadableError naming `reason(error)`. If a file
 * still differs afterwards, the error says which rather than claim nothing changed.
 */
export async function openUndoingFailure<T>(dataDir: string, open: () => Promise<T>, reason: (error: unknown) => string): Promise<T> {
  const before = await walk(dataDir).catch((error: NodeJS.ErrnoException) => {
    throw unreadable(dataDir, error);
  });
  const kept = new Map<string, Buffer>();
  for (const path of before.keys()) {
    if (!REWRITTEN.test(path)) continue;
    const bytes = await readFile(join(dataDir, path)).catch((error: NodeJS.ErrnoException) => {
      throw unreadable(dataDir, error, path);
    });
    kept.set(path, bytes);
  }
  try {
    return await open();
  } catch (error) {
    const changed = await undo(dataDir, before, kept).catch(() => "unknown" as const);
    // PGlite reports a file it may not open as a failure to start: name the file instead.
    const denied = await firstDenied(dataDir, [...before.keys()]);
    throw new RegistryUnreadableError(dataDir, denied ? `${denied}: permission denied` : reason(error), { cause: error, changed });
  }
}

async function firstDenied(dataDir: string, paths: string[]): Promise<string | undefined> {
  for (const path of paths) {
    if (!(await access(join(dataDir, path), constants.R_OK | constants.W_OK).then(() => true, () => false))) return path;
  }
  return undefined;
}

/** Puts the directory back as `before` describes it; returns what still differs. */
async function undo(dataDir: string, before: Map<string, Entry>, kept: Map<string, Buffer>): Promise<string[]> {
  for (const path of (await walk(dataDir)).keys()) {
    if (!before.has(path)) await rm(join(dataDir, path), { recursive: true, force: true });
  }
  for (const [path, bytes] of kept) {
    const full = join(dataDir, path);
    const now = await readFile(full).catch(() => undefined);
    if (now === undefined || !now.equals(bytes)) await writeFile(full, bytes);
    // Rewritten with the same bytes still moves the time a backup tool or a reader compares.
    const { mtime } = before.get(path)!;
    if ((await stat(full)).mtime.getTime() !== mtime.getTime()) await utimes(full, mtime, mtime);
  }
  const after = await walk(dataDir);
  const changed: string[] = [];
  for (const [path, entry] of before) {
    const now = after.get(path);
    if (!now) changed.push(`${path} (removed)`);
    else if (!entry.isDir && (now.size !== entry.size || now.mtime.getTime() !== entry.mtime.getTime())) changed.push(path);
  }
  return changed;
}
