// The embedded registry's seed: a cluster made by initdb and migrated, packed at build
// time (scripts/build.mjs) beside this module. A fresh registry unpacks it instead of
// running initdb and every migration, which took seconds and most of a gigabyte; the
// migrations still run on open, so a seed older than the migrations is brought up to date.
import { mkdirSync, writeFileSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { dirname, join, normalize, sep } from "node:path";
import { finished } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
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
    // Written synchronously: a thousand small files through the thread pool, one after
    // another, took most of a second; this runs once, when a registry is created.
    const write = (make: () => void) => {
      let failed: Error | undefined;
      try {
        make();
      } catch (error) {
        failed = error as Error;
      }
      next(failed);
    };
    if (header.type === "directory") {
      stream.resume();
      return write(() => mkdirSync(target, { recursive: true, mode }));
    }
    if (header.type !== "file") return void stream.resume().on("end", () => next());
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: unknown) => chunks.push(chunk as Buffer));
    stream.on("error", next);
    stream.on("end", () => write(() => {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, Buffer.concat(chunks), { mode });
    }));
  });
  await mkdir(dataDir, { recursive: true });
  // Unzipped at once (4 MB packed, 40 MB unpacked): a stream waited on the thread pool chunk by chunk.
  const done = finished(extract);
  extract.end(gunzipSync(await readFile(path)));
  await done;
}
