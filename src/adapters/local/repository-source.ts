// RepositorySource over a local checkout: the base is a commit, the head a
// commit or the files on disk, and the config is the head's own
// `.github/baryon.yml` (`_extends` needs GitHub: a warning, and the file's keys apply).
import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { errorAt } from "../../bundle/diagnostics.js";
import type { Snapshot } from "../../bundle/files.js";
import { configFromText } from "../../config/read-config.js";
import { CONFIG_PATH, type ConfigResult } from "../../config/repo-config.js";
import type { RepositorySource } from "../../ports/repository-source.js";
import { git, readCommit, readCommitFile, readWorkingTree, resolveCommit, type ReadTrace } from "./git.js";
import { nonRegularKind, readSnapshot } from "./read-snapshot.js";

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

  const configText = async (): Promise<string | undefined | { notRegular: string }> => {
    if (headCommit) {
      const bytes = await readCommitFile(dir, headCommit, CONFIG_PATH, traceOf("config"));
      return bytes && new TextDecoder().decode(bytes);
    }
    traceOf("config")?.({ file: CONFIG_PATH });
    const info = await stat(join(dir, CONFIG_PATH)).catch(() => undefined);
    if (!info) return undefined;
    // Opening a FIFO would block the command: only a regular file is read.
    if (!info.isFile()) return { notRegular: nonRegularKind(info) ?? "a folder" };
    return readFile(join(dir, CONFIG_PATH), "utf8");
  };
  const config = async (): Promise<ConfigResult> => {
    const text = await configText();
    if (typeof text !== "object") return configFromText(text);
    return { ok: false, diagnostics: [errorAt(CONFIG_PATH, "not-regular-file", `${text.notRegular}, not a regular file: Baryon reads its settings only from a regular file`)] };
  };
  return {
    baseName: baseCommit ? `${options.base}@${baseCommit.slice(0, 7)}` : "no base",
    headName: headCommit ? `${options.head}@${headCommit.slice(0, 7)}` : "working tree",
    config: once(config),
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
