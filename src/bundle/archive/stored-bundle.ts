// A stored version's bundle read back: its tar's files laid out in a version folder
// and parsed as the bundle they are, with the digest of that content.
import type { Bundle } from "../model.js";
import { parseRepository } from "../parse/repository.js";
import { packBundle, unpackBundle } from "./archive.js";

export interface StoredBundle {
  /** Undefined when the files do not make a bundle (an archive of something else). */
  bundle: Bundle | undefined;
  /** The digest of the files' canonical tar: equal to a new bundle's digest when the content is the same. */
  digest: string;
}

/** `dir` is the version folder to lay the files in (`<template>/v<MAJOR>`, or where a new bundle sits). Throws BundleArchiveError for a bad tar. */
export async function readStoredBundle(tar: Uint8Array, dir: string): Promise<StoredBundle> {
  const files = await unpackBundle(tar);
  const placed = new Map([...files].map(([path, bytes]) => [`${dir}/${path}`, bytes]));
  const { digest } = await packBundle({ dir, files: placed });
  return { bundle: parseRepository({ files: placed }).templates[0]?.bundles[0], digest };
}
