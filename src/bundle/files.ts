// Checks on raw files before anything parses them: paths that leave the
// repository, symlinks, binary content, and text decoding.
import { errorAt, type Diagnostic } from "./diagnostics.js";

/**
 * A repository snapshot as a source delivers it. Symlinks are listed apart (with
 * their targets) because a bundle must never follow one: a link could point a
 * template at a file outside the repository.
 */
export interface Snapshot {
  files: ReadonlyMap<string, Uint8Array>;
  symlinks?: ReadonlyMap<string, string>;
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

/** Decodes a text file, or explains why it is not one (NUL bytes, invalid UTF-8). */
export function decodeText(file: string, bytes: Uint8Array): { text?: string; diagnostic?: Diagnostic } {
  if (bytes.includes(0)) {
    return { diagnostic: errorAt(file, "binary-file", "binary file (contains NUL bytes); bundle files must be UTF-8 text") };
  }
  try {
    let text = utf8.decode(bytes);
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return { text };
  } catch {
    return { diagnostic: errorAt(file, "binary-file", "not valid UTF-8 text; bundle files must be UTF-8 text") };
  }
}
