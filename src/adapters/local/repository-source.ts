// RepositorySource over a local checkout: the base is a commit, the head a
// commit or the files on disk, and the config is the head's own
// `.github/baryon.yml` (`_extends` needs GitHub: a warning, and the file's keys apply).
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Snapshot } from "../../bundle/files.js";
import { configFromText } from "../../config/read-config.js";
import { CONFIG_PATH } from "../../config/repo-config.js";
import type { RepositorySource } from "../../ports/repository-source.js";
import { git, readCommit, readCommitFile, readWorkingTree, resolveCommit, type ReadTrace } from "./git.js";
import { readSnapshot } from "./read-snapshot.js";

export interface LocalSourceOptions {
  /** A git ref; the base is its merge base with HEAD (else the ref's commit). Without it the base is empty. */
  base?: string;
  /** A git ref for the head; without it, the files on disk as they are now. */
  head?: string;
  /** Told of each git process and file read, with the part it reads, so tests can count them. */
  trace?: (part: "config" | "base" | "head", io: Parameters<ReadTrace>[0]) => void;
}

const EMPTY: Snapshot = { files: new Map(), symlinks: new Map() };

/**
 * `dir` is the repository's top folder. On disk, a git checkout is read as git
 * sees it (ignored files left out); a plain folder, file by file.
 */
export async function localRepositorySource(dir: string, options: LocalSourceOptions = {}): Promise<RepositorySource> {
  const traceOf = (part: "config" | "base" | "head"): ReadTrace | undefined => options.trace && ((io) => options.trace!(part, io));
  const baseCommit = options.base === undefined ? undefined
    : (await git(dir, ["merge-base", "HEAD", options.base]).catch(() => resolveCommit(dir, options.base!))).trim();
  const headCommit = options.head === undefined ? undefined : await resolveCommit(dir, options.head);
  const isCheckout = existsSync(join(dir, ".git"));

  const configText = async (): Promise<string | undefined> => {
    if (headCommit) {
      const bytes = await readCommitFile(dir, headCommit, CONFIG_PATH, traceOf("config"));
      return bytes && new TextDecoder().decode(bytes);
    }
    traceOf("config")?.({ file: CONFIG_PATH });
    return readFile(join(dir, CONFIG_PATH), "utf8").catch((e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") return undefined;
      throw e;
    });
  };
  return {
    baseName: baseCommit ? `${options.base}@${baseCommit.slice(0, 7)}` : "no base",
    headName: headCommit ? `${options.head}@${headCommit.slice(0, 7)}` : "working tree",
    config: once(async () => configFromText(await configText())),
    base: baseCommit ? once(() => readCommit(dir, baseCommit, traceOf("base"))) : async () => EMPTY,
    head: once(() => {
      const trace = traceOf("head");
      return headCommit ? readCommit(dir, headCommit, trace) : isCheckout ? readWorkingTree(dir, trace) : readSnapshot(dir, trace);
    }),
  };
}

/** The first call reads; every later or concurrent call shares its promise. */
function once<T>(read: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => (promise ??= read());
}
