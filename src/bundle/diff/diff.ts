// Rendered diffs: base against head for each rendered resource, then resources
// whose diffs are identical grouped together ("same change for 37 specs").
import { createTwoFilesPatch } from "diff";
import type { RenderedFile } from "../render/render-bundle.js";

/** What was rendered for one resource of one spec, on one side of the change. */
export interface ResourceRender {
  /** Stable label, e.g. "spec/spec.yaml › frontend-dev". */
  label: string;
  /** The rendered files, paths relative to the resource ("instance_infrastructure/cloudformation.yaml"). */
  files: { path: string; content: string }[];
  /** Why this side failed to render, if it did. */
  failure?: string;
}

export interface FileDiff {
  path: string;
  /** Unified diff text, `---`/`+++` headers included. */
  patch: string;
  additions: number;
  deletions: number;
}

export interface DiffGroup {
  /** Labels of the resources sharing exactly these diffs. */
  labels: string[];
  diffs: FileDiff[];
  /** Set when head failed to render for these resources (their diffs are empty). */
  headFailure?: string;
}

export interface RenderedDiff {
  /** Resources whose rendering changed, grouped by identical diffs, largest group first. */
  groups: DiffGroup[];
  /** Every resource compared, changed or not. */
  total: number;
  changed: number;
}

/** Splits `<resource>/<part>/<file>` paths into one ResourceRender per resource. */
export function byResource(files: readonly RenderedFile[], labelPrefix: string): ResourceRender[] {
  const resources = new Map<string, ResourceRender>();
  for (const f of files) {
    const slash = f.path.indexOf("/");
    const resource = f.path.slice(0, slash);
    let entry = resources.get(resource);
    if (!entry) resources.set(resource, (entry = { label: `${labelPrefix} › ${resource}`, files: [] }));
    entry.files.push({ path: f.path.slice(slash + 1), content: f.content });
  }
  return [...resources.values()];
}

export function diffResource(base: ResourceRender | undefined, head: ResourceRender | undefined): FileDiff[] {
  const before = new Map(base?.files.map((f) => [f.path, f.content]));
  const after = new Map(head?.files.map((f) => [f.path, f.content]));
  const diffs: FileDiff[] = [];
  for (const path of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const a = before.get(path);
    const b = after.get(path);
    if (a === b) continue;
    const patch = createTwoFilesPatch(a === undefined ? "/dev/null" : `a/${path}`, b === undefined ? "/dev/null" : `b/${path}`, a ?? "", b ?? "", undefined, undefined, { context: 3 });
    // jsdiff starts with an "Index:"/"====" preamble; keep only the unified diff itself.
    const unified = patch.slice(patch.indexOf("---"));
    let additions = 0;
    let deletions = 0;
    for (const line of unified.slice(unified.indexOf("\n@@")).split("\n")) {
      if (line.startsWith("+")) additions++;
      else if (line.startsWith("-")) deletions++;
    }
    diffs.push({ path, patch: unified, additions, deletions });
  }
  return diffs;
}

/** Diffs every resource (matched by label) and groups identical diffs. */
export function diffRenders(base: readonly ResourceRender[], head: readonly ResourceRender[]): RenderedDiff {
  const before = new Map(base.map((r) => [r.label, r]));
  const groups = new Map<string, DiffGroup>();
  let total = 0;
  for (const resource of head) {
    total++;
    const old = before.get(resource.label);
    if (resource.failure) {
      addTo(groups, `failure\0${resource.failure}`, resource.label, [], resource.failure);
      continue;
    }
    const diffs = diffResource(old?.failure ? undefined : old, resource);
    if (diffs.length === 0) continue;
    addTo(groups, diffs.map((d) => d.patch).join("\0"), resource.label, diffs);
  }
  const sorted = [...groups.values()].sort((a, b) => b.labels.length - a.labels.length || a.labels[0]!.localeCompare(b.labels[0]!));
  return { groups: sorted, total, changed: sorted.reduce((n, g) => n + g.labels.length, 0) };
}

function addTo(groups: Map<string, DiffGroup>, key: string, label: string, diffs: FileDiff[], headFailure?: string): void {
  const group = groups.get(key);
  if (group) group.labels.push(label);
  else groups.set(key, { labels: [label], diffs, ...(headFailure ? { headFailure } : {}) });
}
