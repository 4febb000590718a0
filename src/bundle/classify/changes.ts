// Which templates a change touches: compare the bundles of a base and a head
// repository. Changed example specs are listed with their template (a review
// renders them); other files outside every bundle (READMEs) are listed apart.
// Neither makes a version.
import { sameBytes } from "./classify.js";
import { isExampleSpec } from "../parse/layout.js";
import type { Snapshot } from "../files.js";
import type { LoadedRepository } from "../parse/repository.js";
import type { Bundle, Template, TemplateKind } from "../model.js";

export type BundleStatus = "added" | "modified" | "removed";

export interface BundleChange {
  template: string;
  templateDir: string;
  kind: TemplateKind;
  major: number;
  status: BundleStatus;
  base?: Bundle;
  head?: Bundle;
}

/** A changed example spec (`<template>/spec/*.yaml`). */
export interface SpecFileChange {
  template: string;
  path: string;
}

export interface ChangeSet {
  /** Changed bundles, ordered by template folder then major. */
  bundles: BundleChange[];
  /** Changed example specs of a template of base or head, by path. */
  specFiles: SpecFileChange[];
  /** Other changed paths (added, modified or removed) that are in no bundle of base or head. */
  unbundledFiles: string[];
}

export function detectChanges(
  base: { snapshot: Snapshot; repo: LoadedRepository },
  head: { snapshot: Snapshot; repo: LoadedRepository },
): ChangeSet {
  const index = (templates: Template[]) =>
    new Map(templates.flatMap((t) => t.bundles.map((b) => [b.dir, { template: t, bundle: b }] as const)));
  const before = index(base.repo.templates);
  const after = index(head.repo.templates);
  const bundles: BundleChange[] = [];
  for (const dir of new Set([...before.keys(), ...after.keys()])) {
    const a = before.get(dir);
    const b = after.get(dir);
    const status: BundleStatus | undefined = !a ? "added" : !b ? "removed" : sameFiles(a.bundle, b.bundle) ? undefined : "modified";
    if (!status) continue;
    const { template, bundle } = (b ?? a)!;
    const change: BundleChange = { template: template.name, templateDir: template.dir, kind: bundle.kind, major: bundle.major, status };
    if (a) change.base = a.bundle;
    if (b) change.head = b.bundle;
    bundles.push(change);
  }
  bundles.sort((x, y) => x.templateDir.localeCompare(y.templateDir) || x.major - y.major);

  const bundleDirs = [...before.keys(), ...after.keys()];
  const inBundle = (path: string) => bundleDirs.some((d) => path.startsWith(`${d}/`));
  // Head's name wins when a template folder was renamed in place.
  const templateAt = new Map([...base.repo.templates, ...head.repo.templates].map((t) => [t.dir, t.name]));
  const specOf = (path: string) => [...templateAt].find(([dir]) => isExampleSpec(path, dir))?.[1];
  const specFiles: SpecFileChange[] = [];
  const unbundledFiles: string[] = [];
  for (const path of changedPaths(base.snapshot, head.snapshot)) {
    if (inBundle(path)) continue;
    const template = specOf(path);
    if (template !== undefined) specFiles.push({ template, path });
    else unbundledFiles.push(path);
  }
  return { bundles, specFiles, unbundledFiles };
}

function sameFiles(a: Bundle, b: Bundle): boolean {
  if (a.files.size !== b.files.size) return false;
  for (const [path, bytes] of a.files) {
    const other = b.files.get(path);
    if (!other || !sameBytes(bytes, other)) return false;
  }
  return true;
}

function changedPaths(base: Snapshot, head: Snapshot): string[] {
  const paths = new Set([...base.files.keys(), ...head.files.keys()]);
  return [...paths].filter((p) => {
    const a = base.files.get(p);
    const b = head.files.get(p);
    return !a || !b || !sameBytes(a, b);
  }).sort();
}
