// JSON for pull requests and their files, comments, reactions and check runs.
import { structuredPatch } from "diff";
import type { StoredFile } from "./git-store.js";
import { appJson, encodePath, HTML, nodeId, repositoryJson, userJson, type Ctx } from "./objects-repos.js";
import type { CheckRunRecord, CommentRecord, PullRecord, ReactionRecord, RepoRecord } from "./state.js";

export function authorAssociation(repo: RepoRecord, login: string): string {
  if (login.toLowerCase() === repo.owner.toLowerCase()) return "OWNER";
  const level = repo.permissions.get(login.toLowerCase());
  if (level && level !== "none") return repo.ownerType === "Organization" ? "MEMBER" : "COLLABORATOR";
  return "CONTRIBUTOR";
}

export interface DiffEntry {
  sha: string | null;
  filename: string;
  status: "added" | "removed" | "modified" | "renamed";
  additions: number;
  deletions: number;
  changes: number;
  patch?: string;
  previous_filename?: string;
}

/** The files a pull request changes, base to head (GitHub diffs from the merge base; here the base commit is it). */
export function diffEntries(ctx: Ctx, pull: PullRecord): DiffEntry[] {
  const base = ctx.state.git.get(pull.baseSha)?.files ?? new Map<string, StoredFile>();
  const head = ctx.state.git.get(pull.headSha)?.files ?? new Map<string, StoredFile>();
  const removed = [...base].filter(([path]) => !head.has(path));
  const entries: DiffEntry[] = [];
  const renamedFrom = new Set<string>();
  for (const [path, file] of head) {
    const before = base.get(path);
    if (before?.sha === file.sha) continue;
    // An added file identical to a removed one is a rename, as git reports it.
    const source = before ? undefined : removed.find(([old]) => !renamedFrom.has(old) && base.get(old)?.sha === file.sha);
    if (source) {
      renamedFrom.add(source[0]);
      entries.push({ sha: file.sha, filename: path, status: "renamed", additions: 0, deletions: 0, changes: 0, previous_filename: source[0] });
      continue;
    }
    entries.push({ sha: file.sha, filename: path, status: before ? "modified" : "added", ...patchOf(before, file) });
  }
  for (const [path, file] of removed) {
    if (!renamedFrom.has(path)) entries.push({ sha: null, filename: path, status: "removed", ...patchOf(file, undefined) });
  }
  return entries.sort((a, b) => (a.filename < b.filename ? -1 : 1));
}

function isBinary(bytes: Uint8Array | undefined): boolean {
  return bytes !== undefined && bytes.subarray(0, 8000).includes(0);
}

function patchOf(before: StoredFile | undefined, after: StoredFile | undefined): Pick<DiffEntry, "additions" | "deletions" | "changes" | "patch"> {
  if (isBinary(before?.bytes) || isBinary(after?.bytes)) return { additions: 0, deletions: 0, changes: 0 };
  const text = (f: StoredFile | undefined): string => (f ? Buffer.from(f.bytes).toString() : "");
  const { hunks } = structuredPatch("a", "b", text(before), text(after), undefined, undefined, { context: 3 });
  let additions = 0;
  let deletions = 0;
  const patch = hunks
    .map((h) => {
      for (const line of h.lines) {
        if (line.startsWith("+")) additions++;
        else if (line.startsWith("-")) deletions++;
      }
      return [`@@ -${range(h.oldStart, h.oldLines)} +${range(h.newStart, h.newLines)} @@`, ...h.lines].join("\n");
    })
    .join("\n");
  return { additions, deletions, changes: additions + deletions, ...(patch ? { patch } : {}) };
}

/** A hunk range as git writes it: no count when it is 1, and the line before when it is 0. */
function range(start: number, lines: number): string {
  return lines === 1 ? `${start}` : lines === 0 ? `${start - 1},0` : `${start},${lines}`;
}

export function diffEntryJson(ctx: Ctx, pull: PullRecord, entry: DiffEntry): Record<string, unknown> {
  const repo = pull.repo.fullName;
  const sha = entry.status === "removed" ? pull.baseSha : pull.headSha;
  return {
    ...entry,
    blob_url: `${HTML}/${repo}/blob/${sha}/${encodePath(entry.filename)}`,
    raw_url: `${HTML}/${repo}/raw/${sha}/${encodePath(entry.filename)}`,
    contents_url: `${ctx.api}/repos/${repo}/contents/${encodePath(entry.filename)}?ref=${sha}`,
  };
}

export function pullJson(ctx: Ctx, pull: PullRecord): Record<string, unknown> {
  const repo = pull.repo;
  const url = `${ctx.api}/repos/${repo.fullName}/pulls/${pull.number}`;
  const issue = `${ctx.api}/repos/${repo.fullName}/issues/${pull.number}`;
  const html = `${HTML}/${repo.fullName}/pull/${pull.number}`;
  const entries = diffEntries(ctx, pull);
  const side = (r: RepoRecord, ref: string, sha: string) => ({
    label: `${r.owner}:${ref}`,
    ref,
    sha,
    user: userJson(ctx, r.owner, r.ownerType),
    repo: repositoryJson(ctx, r),
  });
  const statuses = `${ctx.api}/repos/${repo.fullName}/statuses/${pull.headSha}`;
  return {
    url,
    id: pull.id,
    node_id: nodeId("PullRequest", pull.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issue,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${ctx.api}/repos/${repo.fullName}/pulls/comments{/number}`,
    comments_url: `${issue}/comments`,
    statuses_url: statuses,
    number: pull.number,
    state: pull.state,
    locked: false,
    title: pull.title,
    user: userJson(ctx, pull.author),
    body: pull.body,
    labels: [],
    milestone: null,
    active_lock_reason: null,
    created_at: pull.createdAt,
    updated_at: pull.updatedAt,
    closed_at: pull.closedAt,
    merged_at: pull.merged ? pull.closedAt : null,
    merge_commit_sha: pull.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: side(pull.headRepo, pull.headRef, pull.headSha),
    base: side(repo, pull.baseRef, pull.baseSha),
    _links: {
      self: { href: url },
      html: { href: html },
      issue: { href: issue },
      comments: { href: `${issue}/comments` },
      review_comments: { href: `${url}/comments` },
      review_comment: { href: `${ctx.api}/repos/${repo.fullName}/pulls/comments{/number}` },
      commits: { href: `${url}/commits` },
      statuses: { href: statuses },
    },
    author_association: authorAssociation(repo, pull.author),
    auto_merge: null,
    draft: false,
    merged: pull.merged,
    mergeable: pull.state === "open" ? true : null,
    rebaseable: pull.state === "open" ? true : null,
    mergeable_state: pull.state === "open" ? "clean" : "unknown",
    merged_by: pull.merged ? userJson(ctx, pull.author) : null,
    comments: ctx.state.comments(repo, pull.number).length,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: 1,
    additions: entries.reduce((n, e) => n + e.additions, 0),
    deletions: entries.reduce((n, e) => n + e.deletions, 0),
    changed_files: entries.length,
  };
}

const REACTIONS = ["+1", "-1", "laugh", "confused", "heart", "hooray", "eyes", "rocket"] as const;

export function commentJson(ctx: Ctx, comment: CommentRecord): Record<string, unknown> {
  const repo = comment.repo.fullName;
  const isPull = ctx.state.pulls.some((p) => p.repo === comment.repo && p.number === comment.issueNumber);
  const url = `${ctx.api}/repos/${repo}/issues/comments/${comment.id}`;
  const bot = comment.author === ctx.state.botLogin;
  return {
    id: comment.id,
    node_id: nodeId("IssueComment", comment.id),
    url,
    html_url: `${HTML}/${repo}/${isPull ? "pull" : "issues"}/${comment.issueNumber}#issuecomment-${comment.id}`,
    body: comment.body,
    user: userJson(ctx, comment.author),
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    issue_url: `${ctx.api}/repos/${repo}/issues/${comment.issueNumber}`,
    author_association: bot ? "NONE" : authorAssociation(comment.repo, comment.author),
    performed_via_github_app: bot ? appJson(ctx) : null,
    reactions: {
      url: `${url}/reactions`,
      total_count: comment.reactions.length,
      ...Object.fromEntries(REACTIONS.map((r) => [r, comment.reactions.filter((x) => x.content === r).length])),
    },
  };
}

export function reactionJson(ctx: Ctx, reaction: ReactionRecord): Record<string, unknown> {
  return {
    id: reaction.id,
    node_id: nodeId("Reaction", reaction.id),
    user: userJson(ctx, reaction.user),
    content: reaction.content,
    created_at: reaction.createdAt,
  };
}

export function checkRunJson(ctx: Ctx, run: CheckRunRecord): Record<string, unknown> {
  const repo = run.repo;
  const url = `${ctx.api}/repos/${repo.fullName}/check-runs/${run.id}`;
  const minimal = (r: RepoRecord) => ({ id: r.id, url: `${ctx.api}/repos/${r.fullName}`, name: r.name });
  // GitHub lists the open pull requests of the same repository whose head is this commit (never forks').
  const pulls = ctx.state.pulls.filter((p) => p.repo === repo && p.headRepo === repo && p.headSha === run.headSha && p.state === "open");
  return {
    id: run.id,
    head_sha: run.headSha,
    node_id: nodeId("CheckRun", run.id),
    external_id: run.externalId ?? "",
    url,
    html_url: `${HTML}/${repo.fullName}/runs/${run.id}`,
    details_url: run.detailsUrl ?? `${HTML}/${repo.fullName}/runs/${run.id}`,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.startedAt,
    completed_at: run.completedAt,
    output: { ...run.output, annotations_count: run.annotations.length, annotations_url: `${url}/annotations` },
    name: run.name,
    check_suite: { id: run.id + 1_000_000 },
    app: appJson(ctx),
    pull_requests: pulls.map((p) => ({
      id: p.id,
      number: p.number,
      url: `${ctx.api}/repos/${repo.fullName}/pulls/${p.number}`,
      head: { ref: p.headRef, sha: p.headSha, repo: minimal(p.headRepo) },
      base: { ref: p.baseRef, sha: p.baseSha, repo: minimal(repo) },
    })),
  };
}

export function annotationJson(run: CheckRunRecord, a: CheckRunRecord["annotations"][number]): Record<string, unknown> {
  return {
    path: a.path,
    start_line: a.start_line,
    end_line: a.end_line,
    start_column: a.start_column ?? null,
    end_column: a.end_column ?? null,
    annotation_level: a.annotation_level,
    title: a.title ?? null,
    message: a.message,
    raw_details: a.raw_details ?? null,
    blob_href: `${HTML}/${run.repo.fullName}/blob/${run.headSha}/${encodePath(a.path)}`,
  };
}
