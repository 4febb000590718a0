// ChangeSource for a local git checkout: the base is a commit (by default the
// merge base with the default branch), the head is the working tree as it is now.
import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import type { Snapshot } from "../../bundle/files.js";
import type { ChangeSource } from "../../ports/change-source.js";
import { lstat, readFile, readlink } from "node:fs/promises";
import { join } from "node:path";

const exec = promisify(execFile);

export class GitError extends Error {
  override name = "GitError";
}

async function git(cwd: string, args: string[]): Promise<string> {
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

export async function gitChangeSource(dir: string, baseRef?: string): Promise<ChangeSource> {
  const top = (await git(dir, ["rev-parse", "--show-toplevel"])).trim();
  const ref = baseRef ?? (await defaultBase(top));
  const commit = (await git(top, ["merge-base", "HEAD", ref]).catch(() => git(top, ["rev-parse", "--verify", `${ref}^{commit}`]))).trim();
  return {
    baseName: `${ref}@${commit.slice(0, 7)}`,
    headName: "working tree",
    base: () => readCommit(top, commit),
    head: () => readWorkingTree(top),
  };
}

export async function gitTop(dir: string): Promise<string> {
  return (await git(dir, ["rev-parse", "--show-toplevel"])).trim();
}

export async function headCommit(dir: string): Promise<string> {
  return (await git(dir, ["rev-parse", "--verify", "HEAD^{commit}"])).trim();
}

/** "owner/name" from the origin remote (GitHub URL forms), else the folder's name. */
export async function repositoryName(dir: string): Promise<string> {
  const url = (await git(dir, ["remote", "get-url", "origin"]).catch(() => "")).trim();
  const match = /[:/]([^/:]+\/[^/]+?)(?:\.git)?$/.exec(url);
  return match ? match[1]! : `local/${dir.split("/").filter(Boolean).at(-1) ?? "repository"}`;
}

/** The working tree as git sees it: tracked and untracked files, without ignored ones; deleted files are absent. */
export async function readWorkingTree(dir: string): Promise<Snapshot> {
  const listing = await git(dir, ["ls-files", "-z", "--cached", "--others", "--exclude-standard"]);
  const files = new Map<string, Uint8Array>();
  const symlinks = new Map<string, string>();
  for (const path of new Set(listing.split("\0").filter(Boolean))) {
    if (path.startsWith(".baryon/")) continue; // Baryon's own embedded state, even where .gitignore forgets it
    const full = join(dir, path);
    const stat = await lstat(full).catch(() => undefined);
    if (!stat) continue; // deleted in the working tree
    if (stat.isSymbolicLink()) symlinks.set(path, await readlink(full));
    else if (stat.isFile()) files.set(path, await readFile(full));
  }
  return { files, symlinks };
}

/** Every file of a commit, read with one `ls-tree` and one `cat-file --batch`. */
export async function readCommit(dir: string, commit: string): Promise<Snapshot> {
  const listing = await git(dir, ["ls-tree", "-r", "-z", "--full-tree", commit]);
  const entries: { mode: string; sha: string; path: string }[] = [];
  for (const record of listing.split("\0")) {
    if (!record) continue;
    const tab = record.indexOf("\t");
    const [mode, type, sha] = record.slice(0, tab).split(" ");
    if (type !== "blob") continue; // submodules are not part of a template repository
    entries.push({ mode: mode!, sha: sha!, path: record.slice(tab + 1) });
  }
  const blobs = await catFiles(dir, entries.map((e) => e.sha));
  const files = new Map<string, Uint8Array>();
  const symlinks = new Map<string, string>();
  entries.forEach((e, i) => {
    if (e.mode === "120000") symlinks.set(e.path, Buffer.from(blobs[i]!).toString("utf8"));
    else files.set(e.path, blobs[i]!);
  });
  return { files, symlinks };
}

function catFiles(dir: string, shas: string[]): Promise<Uint8Array[]> {
  if (shas.length === 0) return Promise.resolve([]);
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
      const blobs: Uint8Array[] = [];
      let at = 0;
      for (let i = 0; i < shas.length; i++) {
        const eol = out.indexOf(0x0a, at);
        const size = Number(out.subarray(at, eol).toString("latin1").split(" ")[2]);
        blobs.push(out.subarray(eol + 1, eol + 1 + size));
        at = eol + 1 + size + 1; // each object is followed by a newline
      }
      resolve(blobs);
    });
    child.stdin.end(shas.join("\n") + "\n");
  });
}
