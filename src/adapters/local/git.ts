// Reading a local git checkout: commits through `git` (one `ls-tree` and one
// `cat-file --batch` per commit, however many files), the working tree from disk.
import { execFile, spawn } from "node:child_process";
import { lstat, readFile, readlink } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Snapshot } from "../../bundle/files.js";
import { nonRegularKind } from "./read-snapshot.js";

const exec = promisify(execFile);

export class GitError extends Error {
  override name = "GitError";
}

/** Told of each git process started and each file read, so tests can count the I/O behind a read. */
export type ReadTrace = (io: { git: string[] } | { file: string }) => void;

export async function git(cwd: string, args: string[], trace?: ReadTrace): Promise<string> {
  trace?.({ git: args });
  try {
    const { stdout } = await exec("git", args, { cwd, maxBuffer: 256 * 1024 * 1024 });
    return stdout;
  } catch (e) {
    const stderr = (e as { stderr?: string }).stderr?.trim();
    throw new GitError(`git ${args.join(" ")} failed${stderr ? `: ${stderr}` : ""}`, { cause: e });
  }
}

/** The merge base of HEAD with the default branch (origin/HEAD, else main, else master). */
export async function defaultBase(dir: string): Promise<string> {
  const candidates: string[] = [];
  const originHead = await git(dir, ["symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD"]).catch(() => "");
  if (originHead.trim()) candidates.push(originHead.trim());
  candidates.push("origin/main", "main", "origin/master", "master");
  for (const ref of candidates) {
    const base = await git(dir, ["merge-base", "HEAD", ref]).catch(() => "");
    if (base.trim()) return ref;
  }
  throw new GitError("cannot find the default branch (tried origin/HEAD, main, master); pass --base <git-ref>");
}

export async function gitTop(dir: string): Promise<string> {
  return (await git(dir, ["rev-parse", "--show-toplevel"])).trim();
}

/** The commit a ref names. */
export async function resolveCommit(dir: string, ref: string): Promise<string> {
  return (await git(dir, ["rev-parse", "--verify", `${ref}^{commit}`])).trim();
}

/** "owner/name" from the origin remote (GitHub URL forms), else `local/<folder>`. */
export async function repositoryName(dir: string, gheHost = process.env.GHE_HOST): Promise<string> {
  const url = (await git(dir, ["remote", "get-url", "origin"]).catch(() => "")).trim();
  return githubRepository(url, gheHost) ?? `${LOCAL_OWNER}/${dir.split("/").filter(Boolean).at(-1) ?? "repository"}`;
}

/**
 * "owner/name" of a GitHub remote URL (https, ssh or scp-like) on github.com or the
 * GitHub Enterprise host; undefined for any other host or a path: those owners are
 * no GitHub account, and must not number templates as if they were one.
 */
export function githubRepository(url: string, gheHost?: string): string | undefined {
  const hosts = ["github.com", ...(gheHost ? [gheHost.toLowerCase()] : [])];
  const match = /^(?:(?:https?|ssh|git):\/\/(?:[^@/]+@)?([^/:]+)(?::\d+)?\/|[^@/]+@([^:/]+):)([^/]+\/[^/]+?)(?:\.git)?\/?$/.exec(url);
  const host = (match?.[1] ?? match?.[2])?.toLowerCase();
  return match && host && hosts.includes(host) ? match[3] : undefined;
}

/** The owner of a checkout without a GitHub `origin`: its templates number apart from every GitHub owner's. */
export const LOCAL_OWNER = "local";

/** The account that owns the checkout's `origin` on GitHub, or `local`. */
export async function repositoryOwner(dir: string): Promise<string> {
  return (await repositoryName(dir)).split("/")[0]!;
}

/** The working tree as git sees it: tracked and untracked files, without ignored ones; deleted files are absent. */
export async function readWorkingTree(dir: string, trace?: ReadTrace): Promise<Snapshot> {
  const listing = await git(dir, ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], trace);
  const files = new Map<string, Uint8Array>();
  const symlinks = new Map<string, string>();
  const nonRegular = new Map<string, string>();
  for (const path of new Set(listing.split("\0").filter(Boolean))) {
    if (path.startsWith(".baryon/")) continue; // Baryon's own embedded state, even where .gitignore forgets it
    const full = join(dir, path);
    const stat = await lstat(full).catch(() => undefined);
    if (!stat) continue; // deleted in the working tree
    trace?.({ file: path });
    // Links are recorded, never followed; a FIFO or device in place of a tracked file is named, never opened.
    if (stat.isSymbolicLink()) symlinks.set(path, await readlink(full));
    else if (stat.isFile()) files.set(path, await readFile(full));
    else nonRegular.set(path, nonRegularKind(stat) ?? "a folder");
  }
  return { files, symlinks, nonRegular };
}

/** Every file of a commit, read with one `ls-tree` and one `cat-file --batch`. */
export async function readCommit(dir: string, commit: string, trace?: ReadTrace): Promise<Snapshot> {
  const listing = await git(dir, ["ls-tree", "-r", "-z", "--full-tree", commit], trace);
  const entries: { mode: string; sha: string; path: string }[] = [];
  for (const record of listing.split("\0")) {
    if (!record) continue;
    const tab = record.indexOf("\t");
    const [mode, type, sha] = record.slice(0, tab).split(" ");
    if (type !== "blob") continue; // submodules are not part of a template repository
    entries.push({ mode: mode!, sha: sha!, path: record.slice(tab + 1) });
  }
  const blobs = await catFiles(dir, entries.map((e) => e.sha), trace);
  const files = new Map<string, Uint8Array>();
  const symlinks = new Map<string, string>();
  entries.forEach((e, i) => {
    if (e.mode === "120000") symlinks.set(e.path, Buffer.from(blobs[i]!).toString("utf8"));
    else files.set(e.path, blobs[i]!);
  });
  return { files, symlinks };
}

/** One file of a commit, undefined when the commit has none there. */
export async function readCommitFile(dir: string, commit: string, path: string, trace?: ReadTrace): Promise<Uint8Array | undefined> {
  return (await catFiles(dir, [`${commit}:${path}`], trace))[0];
}

/** Objects by name (a SHA or `<commit>:<path>`), in order; undefined for a missing one. */
function catFiles(dir: string, names: string[], trace?: ReadTrace): Promise<(Uint8Array | undefined)[]> {
  if (names.length === 0) return Promise.resolve([]);
  trace?.({ git: ["cat-file", "--batch"] });
  return new Promise((resolve, reject) => {
    const child = spawn("git", ["cat-file", "--batch"], { cwd: dir, stdio: ["pipe", "pipe", "pipe"] });
    const chunks: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => chunks.push(c));
    child.stderr.on("data", (c: Buffer) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new GitError(`git cat-file failed: ${stderr.trim()}`));
      const out = Buffer.concat(chunks);
      const blobs: (Uint8Array | undefined)[] = [];
      let at = 0;
      for (let i = 0; i < names.length; i++) {
        const eol = out.indexOf(0x0a, at);
        const header = out.subarray(at, eol).toString("latin1");
        at = eol + 1;
        if (header.endsWith(" missing")) {
          blobs.push(undefined);
          continue;
        }
        const size = Number(header.split(" ")[2]);
        blobs.push(out.subarray(at, at + size));
        at += size + 1; // each object is followed by a newline
      }
      resolve(blobs);
    });
    child.stdin.end(names.join("\n") + "\n");
  });
}
