// Reads a working tree from disk into a Snapshot (the bundle engine never touches the filesystem itself).
import type { Dirent, Stats } from "node:fs";
import { lstat, readdir, readFile, readlink } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import type { Snapshot } from "../../bundle/files.js";
import type { ReadTrace } from "./git.js";

const SKIPPED_DIRS = new Set([".git", "node_modules", ".baryon"]);

/** What an entry is when it is neither a regular file, a folder nor a link; such entries are never opened. */
export function nonRegularKind(entry: Dirent | Stats): string | undefined {
  if (entry.isFIFO()) return "a FIFO";
  if (entry.isSocket()) return "a socket";
  if (entry.isCharacterDevice()) return "a character device";
  if (entry.isBlockDevice()) return "a block device";
  return undefined;
}

export async function readSnapshot(root: string, trace?: ReadTrace): Promise<Snapshot> {
  const files = new Map<string, Uint8Array>();
  const symlinks = new Map<string, string>();
  const nonRegular = new Map<string, string>();
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    // An empty folder where a file should be is otherwise invisible.
    if (entries.length === 0 && dir !== root) nonRegular.set(relative(root, dir).split(sep).join("/"), "an empty folder");
    for (const entry of entries) {
      const full = join(dir, entry.name);
      const path = relative(root, full).split(sep).join("/");
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) await walk(full);
        continue;
      }
      trace?.({ file: path });
      // A link is recorded by its target's name, never followed: it could lead outside the repository.
      if (entry.isSymbolicLink()) symlinks.set(path, await readlink(full));
      else if (entry.isFile()) files.set(path, await readFile(full));
      else nonRegular.set(path, nonRegularKind(entry) ?? "not a file");
    }
  };
  const stat = await lstat(root);
  if (!stat.isDirectory()) throw new Error(`${root} is not a directory`);
  await walk(root);
  return { files, symlinks, nonRegular };
}
