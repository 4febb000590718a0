// Finding templates in a repository by Proton's layout: `<anything>/<template>/v<MAJOR>/`,
// or `<template>/<MAJOR>/` as some repositories registered through S3 name it.
// Pure path arithmetic; nothing here reads file contents.

export const PART_NAMES = ["infrastructure", "instance_infrastructure", "pipeline_infrastructure"] as const;
export const REGISTRATION_FILE = ".template-registration.yaml";
export const LEGACY_REGISTRATION_FILE = ".compatible-envs";
export const SCHEMA_FILE = "schema/schema.yaml";

/** Files whose presence makes a folder a bundle. */
export const BUNDLE_MARKERS = [SCHEMA_FILE, REGISTRATION_FILE, LEGACY_REGISTRATION_FILE, ...PART_NAMES.map((p) => `${p}/manifest.yaml`)];
/** Folders never searched: VCS and dependency trees. */
const IGNORED_SEGMENTS = new Set([".git", "node_modules"]);
const VERSION_SEGMENT = /^v?([1-9]\d*)$/;

/** What makes a folder a bundle, and where one is looked for: for messages that find none. */
export const BUNDLE_HINT = "schema/schema.yaml and infrastructure/ or instance_infrastructure/ with a manifest.yaml";
export const LAYOUT_HINT = `a major version folder <template>/v<MAJOR>/ (or <template>/<MAJOR>/) holding ${BUNDLE_HINT}`;

export interface VersionFolder {
  template: string;
  major: number;
  /** Repository-relative path of `<template>/v<MAJOR>`. */
  dir: string;
  /** Repository-relative path of `<template>`. */
  templateDir: string;
}

/** Every bundle folder in the tree, ordered by template folder then major. */
export function findVersionFolders(paths: Iterable<string>, root = ""): VersionFolder[] {
  const found = new Map<string, VersionFolder>();
  const prefix = root ? `${root.replace(/\/+$/, "")}/` : "";
  for (const path of paths) {
    if (!path.startsWith(prefix)) continue;
    const segments = path.split("/");
    if (segments.some((s) => IGNORED_SEGMENTS.has(s))) continue;
    const start = prefix ? prefix.split("/").length - 1 : 0;
    for (let i = Math.max(1, start + 1); i < segments.length - 1; i++) {
      const match = VERSION_SEGMENT.exec(segments[i]!);
      if (!match) continue;
      const rest = segments.slice(i + 1).join("/");
      if (!BUNDLE_MARKERS.includes(rest)) continue;
      const dir = segments.slice(0, i + 1).join("/");
      // The outermost version folder wins, so a nested `vN/` inside a bundle stays a plain folder.
      if ([...found.keys()].some((d) => dir.startsWith(`${d}/`))) break;
      for (const d of [...found.keys()]) if (d.startsWith(`${dir}/`)) found.delete(d);
      found.set(dir, { template: segments[i - 1]!, major: Number(match[1]), dir, templateDir: segments.slice(0, i).join("/") });
      break;
    }
  }
  return [...found.values()].sort((a, b) => a.templateDir.localeCompare(b.templateDir) || a.major - b.major || a.dir.localeCompare(b.dir));
}

/**
 * Folders that hold a bundle's schema or a part manifest but sit in no version
 * folder (a bare bundle, as registered from S3): skipped, so a run must say so.
 * Each with the first marker file found in it.
 */
export function findStrayBundles(paths: Iterable<string>, folders: readonly VersionFolder[], root = ""): { dir: string; file: string }[] {
  const prefix = root ? `${root.replace(/\/+$/, "")}/` : "";
  const strays = new Map<string, string>();
  for (const path of [...paths].sort()) {
    if (!path.startsWith(prefix) || path.split("/").some((s) => IGNORED_SEGMENTS.has(s))) continue;
    const marker = [SCHEMA_FILE, ...PART_NAMES.map((p) => `${p}/manifest.yaml`)].find((m) => path === m || path.endsWith(`/${m}`));
    if (!marker) continue;
    const dir = path.slice(0, path.length - marker.length).replace(/\/$/, "");
    if (folders.some((f) => dir === f.dir || isInside(dir, f.dir)) || strays.has(dir)) continue;
    strays.set(dir, path);
  }
  return [...strays].map(([dir, file]) => ({ dir, file }));
}

/** The template and major a folder's path names: `<template>/v<MAJOR>` or `<template>/<MAJOR>`. */
export function versionFolderOf(path: string): Pick<VersionFolder, "template" | "major"> | undefined {
  const segments = path.split("/").filter(Boolean);
  const match = VERSION_SEGMENT.exec(segments.at(-1) ?? "");
  const template = segments.at(-2);
  return match && template ? { template, major: Number(match[1]) } : undefined;
}

/** `name@N` (or `name:N`, as inventory specs write it): a template and one of its majors. */
export function parseTemplateMajor(text: string): Pick<VersionFolder, "template" | "major"> | undefined {
  const match = /^([^@:/\s]+)[@:]v?([1-9]\d*)$/.exec(text.trim());
  return match ? { template: match[1]!, major: Number(match[2]) } : undefined;
}

/** Example specs beside the version folders: `<template>/spec/*.yaml` (not part of any bundle). */
export function isExampleSpec(path: string, templateDir: string): boolean {
  const rest = templateDir ? path.slice(templateDir.length + 1) : path;
  return (templateDir === "" || path.startsWith(`${templateDir}/`)) && /^spec\/[^/]+\.ya?ml$/.test(rest);
}

export function isInside(path: string, dir: string): boolean {
  return dir === "" ? path !== "" : path.startsWith(`${dir}/`);
}
