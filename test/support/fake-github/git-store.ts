// Commits, trees and blobs with real git object ids, so the SHAs an app sees in
// trees, blobs, contents and tarballs agree with each other as they do on GitHub.
import { createHash } from "node:crypto";

/** A file's content in a commit: text, bytes, or a symbolic link to a path. */
export type FileContent = string | Uint8Array | { symlink: string };

export interface StoredFile {
  bytes: Uint8Array;
  /** git file mode: "100644" for a file, "120000" for a symbolic link. */
  mode: "100644" | "120000";
  sha: string;
}

export interface TreeEntry {
  name: string;
  mode: "100644" | "120000" | "040000";
  type: "blob" | "tree";
  sha: string;
  size?: number;
}

export interface Commit {
  sha: string;
  treeSha: string;
  parents: string[];
  message: string;
  /** Seconds since the epoch; each commit one second after the previous one. */
  time: number;
  /** Every file of the commit by path, without a leading slash. */
  files: Map<string, StoredFile>;
}

function gitHash(kind: string, body: Uint8Array): string {
  return createHash("sha1").update(`${kind} ${body.length}\0`).update(body).digest("hex");
}

export class GitStore {
  readonly blobs = new Map<string, Uint8Array>();
  readonly trees = new Map<string, TreeEntry[]>();
  readonly commits = new Map<string, Commit>();
  private clock = Date.UTC(2026, 0, 5, 9, 0, 0) / 1000;

  /** Makes a commit: the parent's files (if any) with `changes` applied (`null` deletes a path). */
  commit(changes: Record<string, FileContent | null>, parent?: string, message = "Update files"): Commit {
    const base = parent ? this.get(parent) : undefined;
    if (parent && !base) throw new Error(`fake GitHub: no commit ${parent}`);
    const files = new Map(base?.files ?? []);
    for (const [raw, content] of Object.entries(changes)) {
      const path = normalize(raw);
      if (content === null) files.delete(path);
      else files.set(path, this.storeFile(content));
    }
    const treeSha = this.storeTree(files);
    const time = ++this.clock;
    const who = `Fake Author <author@example.com> ${time} +0000`;
    const text = [`tree ${treeSha}`, ...(parent ? [`parent ${parent}`] : []), `author ${who}`, `committer ${who}`, "", message, ""].join("\n");
    const sha = gitHash("commit", Buffer.from(text));
    const commit: Commit = { sha, treeSha, parents: parent ? [parent] : [], message, time, files };
    this.commits.set(sha, commit);
    return commit;
  }

  get(sha: string): Commit | undefined {
    return this.commits.get(sha);
  }

  /** Entries under a tree, recursively when asked, with paths relative to it (as `git/trees` lists them). */
  listTree(treeSha: string, recursive: boolean): (TreeEntry & { path: string })[] {
    const out: (TreeEntry & { path: string })[] = [];
    const walk = (sha: string, prefix: string): void => {
      for (const entry of this.trees.get(sha) ?? []) {
        out.push({ ...entry, path: prefix + entry.name });
        if (recursive && entry.type === "tree") walk(entry.sha, `${prefix}${entry.name}/`);
      }
    };
    walk(treeSha, "");
    return out;
  }

  /** Every file under a tree, by path: what `git/trees` with `base_tree` starts from. */
  filesOf(treeSha: string): Map<string, StoredFile> {
    const files = new Map<string, StoredFile>();
    for (const entry of this.listTree(treeSha, true)) {
      if (entry.type !== "blob") continue;
      files.set(entry.path, { bytes: this.blobs.get(entry.sha)!, mode: entry.mode as StoredFile["mode"], sha: entry.sha });
    }
    return files;
  }

  /** A tree: `base` (a tree's files) with `changes` applied, `null` deleting a path (the Git Data API's create-tree). */
  tree(changes: Record<string, FileContent | null>, base = new Map<string, StoredFile>()): string {
    const files = new Map(base);
    for (const [raw, content] of Object.entries(changes)) {
      const path = normalize(raw);
      if (content === null) files.delete(path);
      else files.set(path, this.storeFile(content));
    }
    return this.storeTree(files);
  }

  /** A commit of an existing tree (the Git Data API's create-commit). */
  commitTree(treeSha: string, parents: string[], message: string): Commit {
    if (!this.trees.has(treeSha)) throw new Error(`fake GitHub: no tree ${treeSha}`);
    const time = ++this.clock;
    const who = `Fake Author <author@example.com> ${time} +0000`;
    const text = [`tree ${treeSha}`, ...parents.map((p) => `parent ${p}`), `author ${who}`, `committer ${who}`, "", message, ""].join("\n");
    const sha = gitHash("commit", Buffer.from(text));
    const commit: Commit = { sha, treeSha, parents, message, time, files: this.filesOf(treeSha) };
    this.commits.set(sha, commit);
    return commit;
  }

  private storeFile(content: FileContent): StoredFile {
    const symlink = typeof content === "object" && !(content instanceof Uint8Array);
    const bytes = symlink ? Buffer.from(content.symlink) : typeof content === "string" ? Buffer.from(content) : content;
    const sha = gitHash("blob", bytes);
    this.blobs.set(sha, bytes);
    return { bytes, mode: symlink ? "120000" : "100644", sha };
  }

  /** Stores every folder's tree object and returns the root tree's id. */
  private storeTree(files: Map<string, StoredFile>): string {
    interface Folder { files: Map<string, StoredFile>; folders: Map<string, Folder> }
    const root: Folder = { files: new Map(), folders: new Map() };
    for (const [path, file] of files) {
      const parts = path.split("/");
      let folder = root;
      for (const part of parts.slice(0, -1)) {
        let next = folder.folders.get(part);
        if (!next) folder.folders.set(part, (next = { files: new Map(), folders: new Map() }));
        folder = next;
      }
      folder.files.set(parts[parts.length - 1] as string, file);
    }
    const write = (folder: Folder): string => {
      const entries: TreeEntry[] = [
        ...[...folder.files].map(([name, f]): TreeEntry => ({ name, mode: f.mode, type: "blob", sha: f.sha, size: f.bytes.length })),
        ...[...folder.folders].map(([name, sub]): TreeEntry => ({ name, mode: "040000", type: "tree", sha: write(sub) })),
      ];
      // git orders entries by name, a folder's name as if it ended with "/".
      const key = (e: TreeEntry): string => (e.type === "tree" ? `${e.name}/` : e.name);
      entries.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
      const body = Buffer.concat(
        entries.flatMap((e) => [Buffer.from(`${e.mode === "040000" ? "40000" : e.mode} ${e.name}\0`), Buffer.from(e.sha, "hex")]),
      );
      const sha = gitHash("tree", body);
      this.trees.set(sha, entries);
      return sha;
    };
    return write(root);
  }
}

function normalize(path: string): string {
  const clean = path.replace(/^\/+/, "");
  if (clean === "" || clean.split("/").some((part) => part === "" || part === "." || part === "..")) {
    throw new Error(`fake GitHub: bad file path ${JSON.stringify(path)}`);
  }
  return clean;
}
