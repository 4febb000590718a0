// Rendered diffs grouped by the change they make. A fleet's resources render
// their own names (`LogGroupName: /baryon/api/svc-0042`), so two instances'
// diffs are seldom identical byte for byte; they make the same change when they
// are equal once each resource's own names (its name, its environment's, its
// service's) stand as placeholders. A group keeps the real diffs of its first
// member: every other member's diffs are those with its own names in place of
// the first one's.
import type { DiffGroup, FileDiff, OwnNames, RenderedDiff } from "./diff.js";

const ROLES = ["name", "environment", "service"] as const satisfies readonly (keyof OwnNames)[];

/**
 * `text` with each of a resource's own names replaced by a placeholder of its
 * role (the longest name first, so `checkout-prod` is one name, not `checkout`
 * then `-prod`). A name inside a longer word or number (`env-1` in `env-10`) is
 * left as it is.
 */
export function withoutOwnNames(text: string, names: OwnNames | undefined): string {
  const placeholders = new Map<string, string>();
  for (const role of ROLES) {
    const name = names?.[role];
    if (name && !placeholders.has(name)) placeholders.set(name, `\u0000${role}\u0000`);
  }
  if (placeholders.size === 0) return text;
  // Every whole-word occurrence of every name, leftmost first, the longest where two start together.
  const found: { at: number; name: string }[] = [];
  for (const name of placeholders.keys()) {
    for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
      if (!isWordChar(text.charCodeAt(at - 1)) && !isWordChar(text.charCodeAt(at + name.length))) found.push({ at, name });
    }
  }
  if (found.length === 0) return text;
  found.sort((x, y) => x.at - y.at || y.name.length - x.name.length);
  let out = "";
  let from = 0;
  for (const { at, name } of found) {
    if (at < from) continue; // inside a longer name already replaced
    out += text.slice(from, at) + placeholders.get(name)!;
    from = at + name.length;
  }
  return out + text.slice(from);
}

/** ASCII letters and digits: a name inside a longer word or number is not that name. */
function isWordChar(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** A unified diff without its `---`/`+++` lines. */
function hunks(patch: string): string {
  const at = patch.indexOf("\n@@");
  return at < 0 ? "" : patch.slice(at);
}

/** A changed resource, as grouping sees it. */
export interface Change {
  label: string;
  names?: OwnNames;
  /** Its diffs, base against head; empty when its head failed to render. */
  diffs: FileDiff[];
  /** Why its head failed to render. */
  headFailure?: string;
}

/**
 * Resources added one at a time (as soon as each is diffed, in any order), and
 * the groups of the same change they make. Each add costs the size of its
 * diffs: memory holds one group per distinct change, not one per resource.
 */
export class ChangeGroups {
  private readonly groups = new Map<string, { group: DiffGroup; exact: string }>();
  private total = 0;

  /** Counts a resource that renders as before. */
  unchanged(): void {
    this.total++;
  }

  /** Adds a changed resource; true when it starts a group. */
  add(change: Change): boolean {
    this.total++;
    const exact = change.headFailure !== undefined ? `failure\0${change.headFailure}` : change.diffs.map((d) => d.patch).join("\0");
    // A diff's `--- a/`, `+++ b/` lines hold only its path: names are looked for in the rest.
    const key = change.headFailure !== undefined
      ? withoutOwnNames(exact, change.names)
      : change.diffs.map((d) => `${d.path}\0${withoutOwnNames(hunks(d.patch), change.names)}`).join("\0");
    const found = this.groups.get(key);
    if (!found) {
      const group: DiffGroup = { labels: [change.label], diffs: change.diffs, ...(change.headFailure !== undefined ? { headFailure: change.headFailure } : {}) };
      this.groups.set(key, { group, exact });
      return true;
    }
    found.group.labels.push(change.label);
    if (exact !== found.exact) found.group.ownNames = true;
    return false;
  }

  /** The groups, the most resources first (then by their first label), with the counts. */
  result(): RenderedDiff {
    const groups = [...this.groups.values()].map((g) => g.group);
    groups.sort((a, b) => b.labels.length - a.labels.length || a.labels[0]!.localeCompare(b.labels[0]!));
    return { groups, total: this.total, changed: groups.reduce((n, g) => n + g.labels.length, 0) };
  }
}
