// Finding templates in a repository by Proton's layout: `<anything>/<template>/v<MAJOR>/`.
// Pure path arithmetic; nothing here reads file contents.

export const PART_NAMES = ["infrastructure", "instance_infrastructure", "pipeline_infrastructure"] as const;
export const REGISTRATION_FILE = ".template-registration.yaml";
export const LEGACY_REGISTRATION_FILE = ".compatible-envs";
export const SCHEMA_FILE = "schema/schema.yaml";

/** Files whose presence makes `vN/` a bundle rather than any folder named like a version. */
const MARKERS = [SCHEMA_FILE, REGISTRATION_FILE, LEGACY_REGISTRATION_FILE, ...PART_NAMES.map((p) => `${p}/manifest.yaml`)];
/** Folders never searched: VCS and dependency trees. */
const IGNORED_SEGMENTS = new Set([".git", "node_modules"]);
const VERSION_SEGMENT = /^v([1-9]\d*)$/;

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
      if (!MARKERS.includes(rest)) continue;
      const dir = segments.slice(0, i + 1).join("/");
      // The outermost version folder wins, so a nested `vN/` inside a bundle stays a plain folder.
      if ([...found.keys()].some((d) => dir.startsWith(`${d}/`))) break;
      for (const d of [...found.keys()]) if (d.startsWith(`${dir}/`)) found.delete(d);
      found.set(dir, { template: segments[i - 1]!, major: Number(match[1]), dir, templateDir: segments.slice(0, i).join("/") });
      break;
    }
  }
  return [...found.values()].sort((a, b) => a.templateDir.localeCompare(b.templateDir) || a.major - b.major);
}

/** Example specs beside the version folders: `<template>/spec/*.yaml` (not part of any bundle). */
export function isExampleSpec(path: string, templateDir: string): boolean {
  const rest = templateDir ? path.slice(templateDir.length + 1) : path;
  return (templateDir === "" || path.startsWith(`${templateDir}/`)) && /^spec\/[^/]+\.ya?ml$/.test(rest);
}

export function isInside(path: string, dir: string): boolean {
  return path.startsWith(`${dir}/`);
}
