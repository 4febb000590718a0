// Issues and labels in the fake's state, kept apart from state.ts so both stay short.
// Issues and pull requests share a repository's numbers, as on GitHub.
import type { FakeState } from "./state.js";
import type { IssueRecord, LabelRecord, RepoRecord } from "./records.js";

/** The color GitHub gives a label created implicitly by naming it on an issue. */
export const IMPLICIT_LABEL_COLOR = "ededed";

export interface IssueFilter {
  /** `open`, `closed` or `all` (the default). */
  state?: "open" | "closed" | "all";
  /** Every one of these labels (case-insensitive). */
  labels?: string[];
  author?: string;
}

export interface NewIssue {
  number?: number;
  title: string;
  body?: string | null;
  author: string;
  labels?: string[];
  state?: "open" | "closed";
  stateReason?: IssueRecord["stateReason"];
  closedBy?: string;
}

/** Whether a pull request or an issue has the number. */
export function numberTaken(state: FakeState, repo: RepoRecord, number: number): boolean {
  return state.pulls.some((p) => p.repo === repo && p.number === number) || state.issueList.some((i) => i.repo === repo && i.number === number);
}

/** The next number of a repository's issues and pull requests. */
export function nextNumber(state: FakeState, repo: RepoRecord): number {
  const used = [...state.pulls.filter((p) => p.repo === repo), ...state.issueList.filter((i) => i.repo === repo)].map((x) => x.number);
  return Math.max(0, ...used) + 1;
}

export function findLabel(state: FakeState, repo: RepoRecord, name: string): LabelRecord | undefined {
  return state.labelList.find((l) => l.repo === repo && l.name.toLowerCase() === name.toLowerCase());
}

/** The repository's spelling of each name, once each; a name it lacks becomes a new label. */
export function ensureLabels(state: FakeState, repo: RepoRecord, names: string[]): string[] {
  const out: string[] = [];
  for (const name of names) {
    let label = findLabel(state, repo, name);
    if (!label) {
      label = { id: state.id(), repo, name, color: IMPLICIT_LABEL_COLOR, description: null };
      state.labelList.push(label);
    }
    if (!out.includes(label.name)) out.push(label.name);
  }
  return out;
}

export function addIssue(state: FakeState, repo: RepoRecord, issue: NewIssue): IssueRecord {
  const number = issue.number ?? nextNumber(state, repo);
  if (numberTaken(state, repo, number)) throw new Error(`fake GitHub: ${repo.fullName}#${number} exists`);
  const now = state.now();
  const closed = issue.state === "closed";
  const record: IssueRecord = {
    id: state.id(),
    repo,
    number,
    title: issue.title,
    body: issue.body ?? null,
    state: closed ? "closed" : "open",
    stateReason: issue.stateReason ?? (closed ? "completed" : null),
    labels: ensureLabels(state, repo, issue.labels ?? []),
    author: issue.author,
    closedBy: closed ? (issue.closedBy ?? issue.author) : null,
    createdAt: now,
    updatedAt: now,
    closedAt: closed ? now : null,
  };
  state.issueList.push(record);
  return record;
}

export function hasLabels(labels: string[], wanted: string[]): boolean {
  const have = new Set(labels.map((l) => l.toLowerCase()));
  return wanted.every((w) => have.has(w.toLowerCase()));
}

/** A repository's issues (not its pull requests), oldest first. */
export function filterIssues(state: FakeState, repo: RepoRecord, filter: IssueFilter = {}): IssueRecord[] {
  const wanted = filter.state ?? "all";
  return state.issueList.filter(
    (i) =>
      i.repo === repo &&
      (wanted === "all" || i.state === wanted) &&
      hasLabels(i.labels, filter.labels ?? []) &&
      (filter.author === undefined || i.author.toLowerCase() === filter.author.toLowerCase()),
  );
}
