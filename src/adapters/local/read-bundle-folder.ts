// One bundle folder on disk, checked or rendered on its own: a Proton bundle as
// registered from S3 (`schema/` and `infrastructure/` at its top), or one
// `<template>/v<MAJOR>` folder. Its files are placed in a snapshot under
// `<template>/v<MAJOR>/`, where the repository parser finds them.
import { lstat } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import type { Snapshot } from "../../bundle/files.js";
import { BUNDLE_MARKERS, parseTemplateMajor, versionFolderOf } from "../../bundle/parse/layout.js";
import { readSnapshot } from "./read-snapshot.js";

export interface BundleFolder {
  snapshot: Snapshot;
  template: string;
  major: number;
  /** The folder as the user named it, relative to the working directory. */
  display: string;
  /** A snapshot path as the user knows it on disk: `<template>/v<MAJOR>/x` → `<folder>/x`. */
  toDisk(path: string): string;
}

/** True when `dir` itself holds a bundle's schema, a part manifest or a registration file. */
export async function isBundleFolder(dir: string): Promise<boolean> {
  const found = await Promise.all(BUNDLE_MARKERS.map((m) => lstat(join(dir, m)).then(() => true, () => false)));
  return found.includes(true);
}

/**
 * `template` is `--template <name>@<major>`; without it both are read from the
 * folder's path (`<name>/v<N>` or `<name>/<N>`). A string is a problem to show the user.
 */
export async function readBundleFolder(dir: string, template?: string): Promise<BundleFolder | string> {
  const abs = resolve(dir);
  const display = relative(process.cwd(), abs) || ".";
  const named = template !== undefined ? parseTemplateMajor(template) : versionFolderOf(abs);
  if (!named) {
    return template !== undefined
      ? `--template ${template}: expected <template>@<major>, e.g. my-env@1`
      : `${display} is one bundle folder, but its path does not say which template and major it is (<template>/v<MAJOR> or <template>/<MAJOR>): pass --template <name>@<major>`;
  }
  const local = await readSnapshot(abs);
  const prefix = `${named.template}/v${named.major}`;
  const place = <T>(map: ReadonlyMap<string, T> | undefined) => new Map([...(map ?? [])].map(([p, v]) => [`${prefix}/${p}`, v]));
  const toDisk = (path: string) =>
    path === prefix ? display : path.startsWith(`${prefix}/`) ? relative(process.cwd(), join(abs, path.slice(prefix.length + 1))) : path;
  return {
    snapshot: { files: place(local.files), symlinks: place(local.symlinks), nonRegular: place(local.nonRegular) },
    ...named, display, toDisk,
  };
}
