// A gzip'd tar of one commit laid out like GitHub's (git archive): a pax global
// header carrying the commit id, then everything under `<owner>-<repo>-<sha7>/`,
// folders before their files. Long names use pax extended headers, as git does.
import { gzipSync } from "node:zlib";
import type { Commit } from "./git-store.js";

const BLOCK = 512;

export function tarballOf(commit: Commit, owner: string, repo: string): Uint8Array {
  const root = `${owner}-${repo}-${commit.sha.slice(0, 7)}/`;
  const blocks: Buffer[] = [];
  const mtime = commit.time;
  blocks.push(...entry({ name: "pax_global_header", type: "g", mtime, body: paxRecords({ comment: commit.sha }) }));
  const folders = new Set<string>([root]);
  blocks.push(...entry({ name: root, type: "5", mtime, mode: 0o775 }));
  for (const path of [...commit.files.keys()].sort()) {
    const file = commit.files.get(path);
    if (!file) continue;
    const parts = path.split("/");
    for (let i = 1; i < parts.length; i++) {
      const folder = `${root}${parts.slice(0, i).join("/")}/`;
      if (!folders.has(folder)) {
        folders.add(folder);
        blocks.push(...entry({ name: folder, type: "5", mtime, mode: 0o775 }));
      }
    }
    if (file.mode === "120000") {
      blocks.push(...entry({ name: root + path, type: "2", mtime, mode: 0o777, linkname: Buffer.from(file.bytes).toString() }));
    } else {
      blocks.push(...entry({ name: root + path, type: "0", mtime, mode: 0o664, body: Buffer.from(file.bytes) }));
    }
  }
  blocks.push(Buffer.alloc(BLOCK * 2));
  return gzipSync(Buffer.concat(blocks));
}

interface Entry {
  name: string;
  type: "0" | "2" | "5" | "g" | "x";
  mtime: number;
  mode?: number;
  body?: Buffer;
  linkname?: string;
}

function entry(e: Entry): Buffer[] {
  const out: Buffer[] = [];
  const long: Record<string, string> = {};
  if (Buffer.byteLength(e.name) > 100) long.path = e.name;
  if (e.linkname && Buffer.byteLength(e.linkname) > 100) long.linkpath = e.linkname;
  if (Object.keys(long).length > 0) {
    out.push(...entry({ name: "PaxHeader", type: "x", mtime: e.mtime, body: paxRecords(long) }));
  }
  const body = e.body ?? Buffer.alloc(0);
  out.push(header({ ...e, name: truncate(e.name), linkname: truncate(e.linkname ?? "") }, body.length));
  if (body.length > 0) out.push(body, Buffer.alloc((BLOCK - (body.length % BLOCK)) % BLOCK));
  return out;
}

function header(e: Entry, size: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(e.name, 0, 100);
  octal(h, 100, 8, e.mode ?? 0o666);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  octal(h, 124, 12, size);
  octal(h, 136, 12, e.mtime);
  h.write(e.type, 156, 1);
  h.write(e.linkname ?? "", 157, 100);
  h.write("ustar\u000000", 257, 8);
  h.write("root", 265, 32);
  h.write("root", 297, 32);
  h.fill(" ", 148, 156);
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, "0")}\u0000 `, 148, 8);
  return h;
}

function octal(h: Buffer, offset: number, length: number, value: number): void {
  h.write(`${value.toString(8).padStart(length - 1, "0")}\u0000`, offset, length);
}

/** Keeps a name within the 100 bytes of a ustar field (the pax header has the whole one). */
function truncate(name: string): string {
  let out = name;
  while (Buffer.byteLength(out) > 100) out = out.slice(0, -1);
  return out;
}

/** pax records: "<length> <key>=<value>\n", where the length counts itself. */
function paxRecords(values: Record<string, string>): Buffer {
  return Buffer.concat(
    Object.entries(values).map(([key, value]) => {
      const rest = ` ${key}=${value}\n`;
      let length = Buffer.byteLength(rest);
      while (String(length).length + Buffer.byteLength(rest) !== length) length = String(length).length + Buffer.byteLength(rest);
      return Buffer.from(`${length}${rest}`);
    }),
  );
}
