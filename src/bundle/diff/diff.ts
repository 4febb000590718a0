// Rendered diffs: base against head for each rendered resource, then resources
// that make the same change grouped together ("same change for 998 instances";
// group-diffs.ts says when two diffs are the same change).
import { ChangeGroups } from "./group-diffs.js";
import { unifiedDiff } from "./unified.js";

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

export function diffResource(base: ResourceRender | undefined, head: ResourceRender | undefined): FileDiff[] {
  const before = new Map(base?.files.map((f) => [f.path, f.content]));
  const after = new Map(head?.files.map((f) => [f.path, f.content]));
  const diffs: FileDiff[] = [];
  for (const path of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const a = before.get(path);
    const b = after.get(path);
    if (a === b) continue;
    diffs.push({ path, ...unifiedDiff(path, a, b) });
  }
  return diffs;
}

/** Diffs every resource (matched by label) and groups those that make the same change. */
export function diffRenders(base: readonly ResourceRender[], head: readonly ResourceRender[]): RenderedDiff {
  const stream = new DiffStream();
  for (const resource of base) stream.base(resource);
  stream.baseDone();
  for (const resource of head) stream.head(resource);
  return stream.result();
}

/**
 * Both sides of a review as they render: each head resource is diffed as soon as
 * its base has rendered (or the base side is done without it), then let go, so
 * memory holds the groups of changes rather than the renders. Head resources are
 * diffed in the order given, so the groups do not depend on which render
 * finished first; a base resource no head resource matches is left out.
 */
export class DiffStream {
  private readonly groups = new ChangeGroups();
  /** Base resources whose head has not come yet. */
  private readonly bases = new Map<string, ResourceRender>();
  /** Head resources in the order given, the first ones perhaps waiting for their base. */
  private readonly queue: { head: ResourceRender; base?: ResourceRender; ready: boolean }[] = [];
  /** Heads waiting for their base, by label (a list: two resources may share one). */
  private readonly waiting = new Map<string, { base?: ResourceRender; ready: boolean }[]>();
  private basesDone = false;

  /** `firstOfGroup` is told of the resource that starts each group of changes, with its base. */
  constructor(private readonly firstOfGroup?: (base: ResourceRender | undefined, head: ResourceRender) => void) {}

  base(resource: ResourceRender): void {
    const entries = this.waiting.get(resource.label);
    if (!entries) {
      this.bases.set(resource.label, resource);
      return;
    }
    this.waiting.delete(resource.label);
    for (const entry of entries) {
      entry.base = resource;
      entry.ready = true;
    }
    this.drain();
  }

  /** Every base resource has been given. */
  baseDone(): void {
    this.basesDone = true;
    for (const entries of this.waiting.values()) for (const entry of entries) entry.ready = true;
    this.waiting.clear();
    this.drain();
  }

  head(resource: ResourceRender): void {
    const base = this.bases.get(resource.label);
    this.bases.delete(resource.label);
    const entry = { head: resource, ...(base ? { base } : {}), ready: base !== undefined || this.basesDone };
    this.queue.push(entry);
    if (!entry.ready) this.waiting.set(resource.label, [...(this.waiting.get(resource.label) ?? []), entry]);
    this.drain();
  }

  /** The groups, once both sides are done. */
  result(): RenderedDiff {
    if (!this.basesDone || this.queue.length > 0) throw new Error("DiffStream: the base side is not done");
    return this.groups.result();
  }

  private drain(): void {
    while (this.queue[0]?.ready) {
      const { head, base } = this.queue.shift()!;
      const { label, names } = head;
      if (head.failure) {
        this.groups.add({ label, names, diffs: [], headFailure: head.failure });
        continue;
      }
      const diffs = diffResource(base?.failure ? undefined : base, head);
      if (diffs.length === 0) this.groups.unchanged();
      else if (this.groups.add({ label, names, diffs })) this.firstOfGroup?.(base, head);
    }
  }
}
