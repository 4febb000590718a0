// JSON for issues (the `issue` schema), pull requests seen as issues, and labels.
import { authorAssociation } from "./objects-issues.js";
import { appJson, HTML, nodeId, userJson, type Ctx } from "./objects-repos.js";
import { findLabel } from "./state-issues.js";
import type { IssueRecord, LabelRecord, PullRecord, RepoRecord } from "./state.js";

const REACTIONS = ["+1", "-1", "laugh", "confused", "heart", "hooray", "eyes", "rocket"] as const;

/** GitHub numbers a pull request's issue apart from the pull request itself. */
const PULL_ISSUE_ID_OFFSET = 2_000_000;

export function labelJson(ctx: Ctx, label: LabelRecord): Record<string, unknown> {
  return {
    id: label.id,
    node_id: nodeId("Label", label.id),
    url: `${ctx.api}/repos/${label.repo.fullName}/labels/${encodeURIComponent(label.name)}`,
    name: label.name,
    description: label.description,
    color: label.color,
    default: false,
  };
}

interface IssueView {
  id: number;
  repo: RepoRecord;
  number: number;
  title: string;
  body: string | null;
  state: "open" | "closed";
  stateReason: IssueRecord["stateReason"];
  labels: string[];
  author: string;
  closedBy: string | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

function viewJson(ctx: Ctx, issue: IssueView, html: string): Record<string, unknown> {
  const repo = issue.repo;
  const url = `${ctx.api}/repos/${repo.fullName}/issues/${issue.number}`;
  const bot = issue.author === ctx.state.botLogin;
  return {
    id: issue.id,
    node_id: nodeId("Issue", issue.id),
    url,
    repository_url: `${ctx.api}/repos/${repo.fullName}`,
    labels_url: `${url}/labels{/name}`,
    comments_url: `${url}/comments`,
    events_url: `${url}/events`,
    html_url: html,
    number: issue.number,
    state: issue.state,
    state_reason: issue.stateReason,
    title: issue.title,
    body: issue.body,
    user: userJson(ctx, issue.author),
    labels: issue.labels.flatMap((name) => {
      const label = findLabel(ctx.state, repo, name);
      return label ? [labelJson(ctx, label)] : [];
    }),
    assignee: null,
    assignees: [],
    milestone: null,
    locked: false,
    active_lock_reason: null,
    comments: ctx.state.comments(repo, issue.number).length,
    closed_at: issue.closedAt,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_by: issue.closedBy === null ? null : userJson(ctx, issue.closedBy),
    author_association: bot ? "NONE" : authorAssociation(repo, issue.author),
    performed_via_github_app: bot ? appJson(ctx) : null,
    timeline_url: `${url}/timeline`,
    reactions: { url: `${url}/reactions`, total_count: 0, ...Object.fromEntries(REACTIONS.map((r) => [r, 0])) },
  };
}

export function issueJson(ctx: Ctx, issue: IssueRecord): Record<string, unknown> {
  return viewJson(ctx, issue, `${HTML}/${issue.repo.fullName}/issues/${issue.number}`);
}

/** A pull request as the issues endpoints show it: the same number, with a `pull_request` key. */
export function pullIssueJson(ctx: Ctx, pull: PullRecord): Record<string, unknown> {
  const html = `${HTML}/${pull.repo.fullName}/pull/${pull.number}`;
  const view: IssueView = {
    ...pull,
    id: pull.id + PULL_ISSUE_ID_OFFSET,
    // GitHub gives a pull request no state reason; who closed it is not modelled.
    stateReason: null,
    labels: [],
    closedBy: null,
  };
  return {
    ...viewJson(ctx, view, html),
    draft: false,
    pull_request: {
      url: `${ctx.api}/repos/${pull.repo.fullName}/pulls/${pull.number}`,
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      merged_at: pull.merged ? pull.closedAt : null,
    },
  };
}
