// Checks on raw files before anything parses them: paths that leave the
// repository, symlinks, entries that are not files, and text decoding.
import { errorAt, type Diagnostic } from "./diagnostics.js";
import { formatBytes } from "./parse/limits.js";

/**
 * A repository snapshot as a source delivers it. Symlinks are listed apart (with
 * their targets) because a bundle must never follow one: a link could point a
 * template at a file outside the repository.
 */
export interface Snapshot {
  files: ReadonlyMap<string, Uint8Array>;
  symlinks?: ReadonlyMap<string, string>;
  /**
   * Entries that are neither a regular file nor a link (a FIFO, a socket, a device,
   * an empty folder), with what each is. Never read (a FIFO would block the reader):
   * listed only so that one in place of a bundle file is named for what it is.
   */
  nonRegular?: ReadonlyMap<string, string>;
}

/** A repository path is relative, "/"-separated, without empty, "." or ".." segments. */
export function unsafePathReason(path: string): string | undefined {
  if (path.length === 0) return "the path is empty";
  if (path.includes("\\")) return "the path contains a backslash";
  if (path.includes("\0")) return "the path contains a NUL byte";
  if (path.startsWith("/") || /^[A-Za-z]:/.test(path)) return "the path is absolute";
  const segments = path.split("/");
  if (segments.some((s) => s === "..")) return "the path leaves the repository (..)";
  if (segments.some((s) => s === "" || s === ".")) return "the path has an empty or '.' segment";
  return undefined;
}

/** Joins a folder and a relative reference from a manifest; undefined if the result leaves `dir`. */
export function resolveInside(dir: string, relative: string): string | undefined {
  if (relative.startsWith("/") || relative.includes("\\")) return undefined;
  const out = dir.split("/").filter(Boolean);
  const depth = out.length;
  for (const segment of relative.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      if (out.length <= depth) return undefined;
      out.pop();
    } else out.push(segment);
  }
  return out.length > depth ? out.join("/") : undefined;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
const lenient = new TextDecoder();
const texts = new WeakMap<Uint8Array, string>();

/**
 * A loaded file's text (its bytes were checked when it was read), decoded once:
 * the same string every time, so a map keyed by it (the sandbox's source keys)
 * hashes it once rather than for each of a fleet's renders.
 */
export function textOf(bytes: Uint8Array | undefined): string {
  if (!bytes) return "";
  let text = texts.get(bytes);
  if (text === undefined) texts.set(bytes, (text = lenient.decode(bytes)));
  return text;
}

export interface DecodedText {
  text?: string;
  diagnostic?: Diagnostic;
}

/** Decodes a text file, or explains why it is not one (NUL bytes, invalid UTF-8), at the first bad line. */
export function decodeText(file: string, bytes: Uint8Array): DecodedText {
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    const lineStart = bytes.lastIndexOf(0x0a, nul) + 1;
    return { diagnostic: errorAt(file, "binary-file", "binary file (contains NUL bytes); Baryon reads this file as UTF-8 text", { line: lineOf(bytes, nul), column: nul - lineStart + 1 }) };
  }
  try {
    let text = utf8.decode(bytes);
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return { text };
  } catch {
    return { diagnostic: errorAt(file, "binary-file", "not valid UTF-8 text; Baryon reads this file as UTF-8 text", { line: firstInvalidLine(bytes) }) };
  }
}

/** A file Baryon parses or renders: at most `limit` bytes, then decoded as text. */
export function decodeTextFile(file: string, bytes: Uint8Array, limit: number): DecodedText {
  if (bytes.length > limit) {
    // Just over the limit, rounded sizes would read "200 KB; the limit is 200 KB".
    const [size, max] = formatBytes(bytes.length) === formatBytes(limit) ? [`${bytes.length} bytes`, `${formatBytes(limit)} (${limit} bytes)`] : [formatBytes(bytes.length), formatBytes(limit)];
    return { diagnostic: errorAt(file, "file-too-large", `file is ${size}; the limit for this file is ${max}`) };
  }
  return decodeText(file, bytes);
}

function lineOf(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = bytes.indexOf(0x0a); i >= 0 && i < offset; i = bytes.indexOf(0x0a, i + 1)) line++;
  return line;
}

/** No UTF-8 sequence holds a newline byte, so each line decodes on its own. */
function firstInvalidLine(bytes: Uint8Array): number {
  for (let start = 0, line = 1; start <= bytes.length; line++) {
    const newline = bytes.indexOf(0x0a, start);
    const end = newline < 0 ? bytes.length : newline;
    try {
      utf8.decode(bytes.subarray(start, end));
    } catch {
      return line;
    }
    start = end + 1;
  }
  return 1;
}
