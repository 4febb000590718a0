// Rendered diffs: base against head for each rendered resource, then resources
// that make the same change grouped together ("same change for 998 instances";
// group-diffs.ts says when two diffs are the same change).
import { createTwoFilesPatch } from "diff";
import type { Spec } from "../model.js";
import type { RenderedFile } from "../render/render-bundle.js";
import { ChangeGroups } from "./group-diffs.js";

/** What was rendered for one resource of one spec, on one side of the change. */
export interface ResourceRender {
  /** Stable label, e.g. "spec/spec.yaml › frontend-dev". */
  label: string;
  /** The rendered files, paths relative to the resource ("instance_infrastructure/cloudformation.yaml"). */
  files: { path: string; content: string }[];
  /** Why this side failed to render, if it did. */
  failure?: string;
  /** The names of its own that its render carries: two resources whose diffs differ only by these make the same change. */
  names?: OwnNames;
}

/** A resource's own names: an instance's name, environment and service; an environment's name; a pipeline's service. */
export interface OwnNames {
  name?: string;
  environment?: string;
  service?: string;
}

export interface FileDiff {
  path: string;
  /** Unified diff text, `---`/`+++` headers included. */
  patch: string;
  additions: number;
  deletions: number;
}

export interface DiffGroup {
  /** Labels of the resources making this change; the first is the one whose diffs these are. */
  labels: string[];
  /** The first resource's diffs. */
  diffs: FileDiff[];
  /** Set when the others' diffs are not identical but these with their own names in place of the first one's. */
  ownNames?: boolean;
  /** Set when head failed to render for these resources (their diffs are empty): the first one's reason. */
  headFailure?: string;
}

export interface RenderedDiff {
  /** Resources whose rendering changed, grouped by the change they make, the most resources first. */
  groups: DiffGroup[];
  /** Every resource compared, changed or not. */
  total: number;
  changed: number;
}

/**
 * Splits `<resource>/<part>/<file>` paths into one ResourceRender per resource.
 * Given the spec rendered, each service instance gets its own names (its name
 * and environment).
 */
export function byResource(files: readonly RenderedFile[], labelPrefix: string, spec?: Pick<Spec, "instances">): ResourceRender[] {
  const environments = new Map(spec?.instances?.map((i) => [i.name, i.environment]));
  const resources = new Map<string, ResourceRender>();
  for (const f of files) {
    const slash = f.path.indexOf("/");
    const resource = f.path.slice(0, slash);
    let entry = resources.get(resource);
    if (!entry) {
      const environment = environments.get(resource);
      entry = { label: `${labelPrefix} › ${resource}`, files: [], ...(environment !== undefined ? { names: { name: resource, environment } } : {}) };
      resources.set(resource, entry);
    }
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

/** Diffs every resource (matched by label) and groups those that make the same change. */
export function diffRenders(base: readonly ResourceRender[], head: readonly ResourceRender[]): RenderedDiff {
  const before = new Map(base.map((r) => [r.label, r]));
  const groups = new ChangeGroups();
  for (const resource of head) {
    const { label, names } = resource;
    if (resource.failure) {
      groups.add({ label, names, diffs: [], headFailure: resource.failure });
      continue;
    }
    const old = before.get(label);
    const diffs = diffResource(old?.failure ? undefined : old, resource);
    if (diffs.length) groups.add({ label, names, diffs });
    else groups.unchanged();
  }
  return groups.result();
}
