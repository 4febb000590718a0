// Markdown pieces the review comment's sections share: problems that link to
// their line, diff blocks that can be cut to fit, and text made inert.
import { formatDiagnostic, type Diagnostic } from "../bundle/diagnostics.js";
import type { DiffGroup, FileDiff } from "../bundle/diff/diff.js";

/** Most labels listed for one group of diffs that make the same change. */
const MAX_LABELS = 10;

/** A link to a file, at a line when given; undefined when the file cannot be shown (a folder, a deleted file). */
export type FileUrl = (path: string, line?: number) => string | undefined;

export interface Block {
  /** Full Markdown of this group's diffs. */
  text: string;
  /** What replaces it when the budget is short. */
  cut: string;
  /** How many resources it stands for: when even cut blocks are too long, those for the fewest are left out first. */
  members: number;
}

/** `1,000`: counts as a reader reads them. */
export const count = (n: number) => n.toLocaleString("en-US");

/** What a group's resources are, from the part their diffs are in: "service instances", "pipelines", "environments", else "resources". */
export function groupNoun(group: DiffGroup, n = group.labels.length): string {
  const parts = new Set(group.diffs.map((d) => d.path.slice(0, d.path.indexOf("/"))));
  const [part] = parts;
  const noun = parts.size !== 1 ? undefined : ({ instance_infrastructure: "service instance", pipeline_infrastructure: "pipeline", infrastructure: "environment" } as Record<string, string>)[part!];
  return `${noun ?? "resource"}${n === 1 ? "" : "s"}`;
}

/**
 * Who makes a group's change: its one resource, or "Same change for 998
 * service instances", saying whose diff is shown when the others' carry their
 * own names, then the first labels and how many more.
 */
function who(group: DiffGroup): string {
  const [first] = group.labels;
  if (group.labels.length === 1) return code(first!);
  const shown = group.ownNames ? `, each with its own names (shown for ${code(first!)})` : "";
  return `Same change for ${count(group.labels.length)} ${groupNoun(group)}${shown}: ${list(group.labels.map(code), MAX_LABELS)}`;
}

/** One block for a group of diffs that make the same change: the first resource's diffs, or why its head failed to render. */
export function diffBlock(group: DiffGroup): Block {
  const members = group.labels.length;
  if (group.headFailure) {
    const text = `${who(group)}: rendering failed — ${escape(group.headFailure)}\n`;
    return { text, cut: text, members };
  }
  const [one] = group.diffs;
  const lines = (d: FileDiff) => `(+${d.additions} −${d.deletions})`;
  const fenced = (d: FileDiff) => {
    const fence = "`".repeat(Math.max(3, longestBacktickRun(d.patch) + 1));
    return `${fence}diff\n${d.patch.trimEnd()}\n${fence}\n`;
  };
  const text = group.diffs.length === 1
    ? `${who(group)} — ${code(one!.path)} ${lines(one!)}\n\n${fenced(one!)}`
    : `${who(group)} — ${group.diffs.length} files:\n\n${group.diffs.map((d) => `${code(d.path)} ${lines(d)}\n\n${fenced(d)}`).join("\n")}`;
  const files = group.diffs.length === 1 ? code(one!.path) : `${group.diffs.length} files`;
  const sum = (key: "additions" | "deletions") => group.diffs.reduce((n, d) => n + d[key], 0);
  return { text, cut: `${who(group)} — ${files} (+${sum("additions")} −${sum("deletions")}): diff cut to fit GitHub's comment limit; run \`baryon check\` to see it.\n`, members };
}

/** One block as fitting sees it: where it is, and how it is shown. */
interface Placed {
  block: Block;
  list: number;
  index: number;
  shown: "whole" | "cut" | "left out";
}

/**
 * The blocks of each list to show when the comment is `excess` characters too
 * long. Each block is one line of its section, so showing less of it saves
 * exactly the characters it loses, and the caller composes the comment once
 * more: a sort and a pass for each step, never the comment composed again
 * after each cut.
 *
 * 1. Cut the diffs that take the most characters for each resource they stand
 *    for, until the comment fits: the diff of a change 998 instances make stays.
 * 2. If even every diff cut is too long, leave out the groups for the fewest
 *    resources (the end of each list), and end each list with how many.
 * 3. Then show whole the diffs that take the fewest characters for each
 *    resource, each paid for by leaving out groups that stand for fewer
 *    resources than it does; stop at the first that cannot be paid for.
 */
export function fitBlocks(lists: readonly (readonly Block[])[], excess: number): Block[][] {
  const placed = lists.flatMap((list, l) => list.map((block, index): Placed => ({ block, list: l, index, shown: "whole" })));
  const saving = (p: Placed) => p.block.text.length - p.block.cut.length;
  const perResource = (p: Placed) => saving(p) / Math.max(1, p.block.members);
  let room = -excess;
  for (const p of [...placed].sort((a, b) => perResource(b) - perResource(a))) {
    if (room >= 0) break;
    room += saving(p);
    p.shown = "cut";
  }
  if (room < 0) leaveOut(placed, lists, room, saving, perResource);
  const shown = lists.map((): Block[] => []);
  const out = lists.map(() => ({ groups: 0, members: 0 }));
  for (const p of placed) {
    const left = out[p.list]!;
    if (p.shown !== "left out") shown[p.list]!.push({ ...p.block, text: p.shown === "whole" ? p.block.text : p.block.cut });
    else {
      left.groups++;
      left.members += p.block.members;
    }
  }
  return shown.map((blocks, l) => {
    const { groups, members } = out[l]!;
    if (groups === 0) return blocks;
    const note = leftOutNote(groups, members);
    return [...blocks, { text: note, cut: note, members: 0 }];
  });
}

/** Steps 2 and 3 of fitBlocks, with every diff cut and `room` (negative) left. */
function leaveOut(placed: Placed[], lists: readonly (readonly Block[])[], room: number, saving: (p: Placed) => number, perResource: (p: Placed) => number): void {
  // The groups for the most resources first; in a list, in its order.
  const ranked = [...placed].sort((a, b) => b.block.members - a.block.members || a.index - b.index);
  // A list that leaves groups out ends with a note: room for it at its longest, every group left out.
  const noteRoom = lists.map((list) => leftOutNote(list.length, list.reduce((n, b) => n + b.members, 0)).length + 1);
  const noted = new Set<number>();
  const freed = (p: Placed, notes: Set<number>) => (p.shown === "whole" ? p.block.text.length : p.block.cut.length) + 1 - (notes.has(p.list) ? 0 : noteRoom[p.list]!);
  const leave = (p: Placed) => {
    room += freed(p, noted);
    noted.add(p.list);
    p.shown = "left out";
  };
  let kept = ranked.length;
  while (room < 0 && kept > 0) leave(ranked[--kept]!);
  for (const p of ranked.slice(0, kept).sort((a, b) => perResource(a) - perResource(b))) {
    if (p.shown !== "cut" || saving(p) === 0) continue;
    // Count first what paying for it would leave out, so that nothing is left out for a diff that is not then shown.
    let at = kept;
    let members = 0;
    let available = room;
    const notes = new Set(noted);
    while (available < saving(p) && at > 0) {
      const last = ranked[at - 1]!;
      if (last === p || members + last.block.members >= p.block.members) break;
      members += last.block.members;
      available += freed(last, notes);
      notes.add(last.list);
      at--;
    }
    if (available < saving(p)) return;
    while (kept > at) leave(ranked[--kept]!);
    room -= saving(p);
    p.shown = "whole";
  }
}

function leftOutNote(groups: number, members: number): string {
  const changes = `${count(groups)} more ${groups === 1 ? "change" : "changes"}, to ${count(members)} ${members === 1 ? "resource" : "resources"},`;
  return `…and ${changes} left out to fit GitHub's comment limit; run \`baryon check\` to see them.\n`;
}

function longestBacktickRun(text: string): number {
  let longest = 0;
  for (const m of text.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  return longest;
}

/** One problem as a list item; its `file:line` links to the file when `fileUrl` can show it. */
export function problem(d: Diagnostic, fileUrl: FileUrl | undefined): string {
  const text = formatDiagnostic(d);
  const url = fileUrl?.(d.file, d.line);
  if (!url) return `- ${icon(d.severity)} ${escape(text)}`;
  const where = [d.file, d.line, d.line !== undefined ? d.column : undefined].filter((part) => part !== undefined).join(":");
  return `- ${icon(d.severity)} [${escape(where)}](${inertUrl(url)})${escape(text.slice(where.length))}`;
}

/** A link destination that no character can end early or turn into something else. */
const inertUrl = (url: string) =>
  url.replace(/[\s()<>[\]`"'\\]/g, (c) => [...new TextEncoder().encode(c)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join(""));

const icon = (severity: string) => (severity === "error" ? "❌" : severity === "warning" ? "⚠️" : "ℹ️");
/** A code span that no content can close or break across lines. */
export const code = (s: string) => `\`${s.replace(/[`\r\n]/g, (c) => (c === "`" ? "'" : " "))}\``;

export function list(items: string[], max: number): string {
  return items.length > max ? `${items.slice(0, max).join(", ")} and ${count(items.length - max)} more` : items.join(", ");
}

/**
 * Text from templates, specs and file names, made inert: one line (so no
 * headings or lists), no HTML, no links or images (brackets escaped), no
 * emphasis or table cells, no @-mentions.
 */
export function escape(text: string): string {
  return text
    .replace(/[\r\n]+/g, " ")
    .replace(/[<>&]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;" })[c]!)
    .replace(/[\\`*_[\]|~]/g, "\\$&")
    .replace(/@/g, "@\u200b");
}
