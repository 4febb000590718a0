// Reads a working tree from disk into a Snapshot (the bundle engine never touches the filesystem itself).
import { lstat, readdir, readFile, readlink } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import type { Snapshot } from "../../bundle/files.js";
import type { ReadTrace } from "./git.js";

const SKIPPED_DIRS = new Set([".git", "node_modules", ".baryon"]);

export async function readSnapshot(root: string, trace?: ReadTrace): Promise<Snapshot> {
  const files = new Map<string, Uint8Array>();
  const symlinks = new Map<string, string>();
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const full = join(dir, entry.name);
      const path = relative(root, full).split(sep).join("/");
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) await walk(full);
        continue;
      }
      trace?.({ file: path });
      if (entry.isSymbolicLink()) symlinks.set(path, await readlink(full));
      else if (entry.isFile()) files.set(path, await readFile(full));
    }
  };
  const stat = await lstat(root);
  if (!stat.isDirectory()) throw new Error(`${root} is not a directory`);
  await walk(root);
  return { files, symlinks };
}
