// The embedded registry's seed: a cluster made by initdb and migrated, packed at build
// time (scripts/build.mjs) beside this module. A fresh registry unpacks it instead of
// running initdb and every migration, which took seconds and most of a gigabyte; the
// migrations still run on open, so a seed older than the migrations is brought up to date.
import { createReadStream } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, normalize, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { createGunzip } from "node:zlib";
import tar from "tar-stream";

/** Where the build puts the seed: next to the compiled module, like the migrations. */
export const SEED_PATH = fileURLToPath(new URL("./seed.tar.gz", import.meta.url));

/** Unpacks the seed into `dataDir` (missing or empty). Entries are PGlite's dump: paths from the cluster's root. */
export async function plantSeed(dataDir: string, path: string): Promise<void> {
  const extract = tar.extract();
  extract.on("entry", (header, stream, next) => {
    const relative = normalize(header.name.replace(/^\/+/, ""));
    // Our own build made it, but a path leaving the folder is never written.
    if (relative.startsWith(`..${sep}`) || relative === "..") return next(new Error(`registry seed: entry ${header.name} leaves the data directory`));
    const target = join(dataDir, relative);
    const mode = header.mode ?? 0o600;
    if (header.type === "directory") {
      stream.resume();
      return void mkdir(target, { recursive: true, mode }).then(() => next(), next);
    }
    if (header.type !== "file") return void stream.resume().on("end", () => next());
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: unknown) => chunks.push(chunk as Buffer));
    stream.on("error", next);
    stream.on("end", () => {
      void mkdir(dirname(target), { recursive: true })
        .then(() => writeFile(target, Buffer.concat(chunks), { mode }))
        .then(() => next(), next);
    });
  });
  await mkdir(dataDir, { recursive: true });
  await pipeline(createReadStream(path), createGunzip(), extract);
}
