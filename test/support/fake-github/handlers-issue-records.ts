// Issues an app opens, edits, closes and lists (one issue per repository kept up to date).
// Pull requests share the numbers and are listed by issues/list-for-repo, as on GitHub.
import { actor, notFound, paginate, Rejection, repoOf, type FakeRequest, type FakeResponse, type HandlerCtx, type HandlerSpec } from "./handler.js";
import { issueJson, pullIssueJson } from "./objects-issue.js";
import { addIssue, ensureLabels, hasLabels } from "./state-issues.js";
import type { IssueRecord, PullRecord, RepoRecord } from "./state.js";

/** GitHub refuses an issue body over 65,536 characters, as a comment's. */
export const ISSUE_BODY_LIMIT = 65_536;
/** GitHub refuses an issue title over 256 characters. */
export const ISSUE_TITLE_LIMIT = 256;
/** GitHub refuses a label name over 50 characters. */
export const LABEL_NAME_LIMIT = 50;

type LabelInput = string | { name?: string };
interface IssueBody {
  title?: string | number | null;
  body?: string | null;
  labels?: LabelInput[];
  state?: "open" | "closed";
  state_reason?: IssueRecord["stateReason"];
  assignee?: string | null;
  assignees?: unknown[];
  milestone?: string | number | null;
  issue_field_values?: unknown[];
  type?: string | null;
  duplicate_issue_id?: number;
}

function invalid(field: string, code: string, message?: string): Rejection {
  return new Rejection(422, "Validation Failed", [{ resource: "Issue", field, code, ...(message ? { message } : {}) }]);
}

function requireRepo(req: FakeRequest, ctx: HandlerCtx): RepoRecord | FakeResponse {
  return repoOf(req, ctx) ?? notFound(req);
}

/** What the fake does not model is refused loudly rather than silently dropped. */
function refuseUnmodelled(req: FakeRequest, body: IssueBody): void {
  const given: string[] = [
    ...(["assignee", "milestone", "type", "duplicate_issue_id"] as const).filter((k) => body[k] !== undefined && body[k] !== null),
    ...(["assignees", "issue_field_values"] as const).filter((k) => (body[k]?.length ?? 0) > 0),
  ];
  if (given.length > 0) throw new Rejection(501, `fake GitHub: ${req.operation.operationId} with ${given.join(", ")} is not modelled`);
}

function checkTitle(title: string | number): string {
  const text = String(title);
  if (text.trim() === "") throw invalid("title", "missing_field");
  const length = [...text].length;
  if (length > ISSUE_TITLE_LIMIT) throw invalid("title", "custom", `title is too long (maximum is ${ISSUE_TITLE_LIMIT} characters, got ${length})`);
  return text;
}

function checkBody(body: string): string {
  const length = [...body].length;
  if (length > ISSUE_BODY_LIMIT) throw invalid("body", "custom", `body is too long (maximum is ${ISSUE_BODY_LIMIT} characters, got ${length})`);
  return body;
}

function labelNames(labels: LabelInput[]): string[] {
  return labels.map((label) => {
    const name = typeof label === "string" ? label : label.name;
    if (name === undefined || name.trim() === "") throw invalid("labels", "missing_field", "a label needs a name");
    if ([...name].length > LABEL_NAME_LIMIT) throw invalid("labels", "custom", `name is too long (maximum is ${LABEL_NAME_LIMIT} characters): ${name}`);
    return name.trim();
  });
}

function find(repo: RepoRecord, ctx: HandlerCtx, number: number): { issue: IssueRecord } | { pull: PullRecord } | undefined {
  const issue = ctx.state.issueList.find((i) => i.repo === repo && i.number === number);
  if (issue) return { issue };
  const pull = ctx.state.pulls.find((p) => p.repo === repo && p.number === number);
  return pull ? { pull } : undefined;
}

/** One entry of issues/list-for-repo: an issue or a pull request, with what the filters and sorts read. */
interface Listed {
  number: number;
  state: string;
  labels: string[];
  author: string;
  body: string | null;
  createdAt: string;
  updatedAt: string;
  json: () => Record<string, unknown>;
}

/** Milestones, assignees and issue types are not modelled: nothing has one, so `none` matches all and anything else nothing. */
function matchesUnset(value: unknown): boolean {
  return value === undefined || value === "none";
}

export const issueRecordHandlers: Record<string, HandlerSpec> = {
  "issues/create": {
    auth: "token",
    handle(req, ctx) {
      const repo = requireRepo(req, ctx);
      if ("status" in repo) return repo;
      const body = req.body as IssueBody & { title: string | number };
      refuseUnmodelled(req, body);
      const title = checkTitle(body.title);
      const text = body.body === undefined || body.body === null ? null : checkBody(body.body);
      const issue = addIssue(ctx.state, repo, { title, body: text, author: actor(req, ctx), labels: labelNames(body.labels ?? []) });
      return { status: 201, json: issueJson(ctx, issue), headers: { location: `${ctx.api}/repos/${repo.fullName}/issues/${issue.number}` } };
    },
  },

  "issues/get": {
    auth: "token",
    handle(req, ctx) {
      const repo = requireRepo(req, ctx);
      if ("status" in repo) return repo;
      const found = find(repo, ctx, Number(req.params.issue_number));
      if (!found) return notFound(req);
      return { status: 200, json: "issue" in found ? issueJson(ctx, found.issue) : pullIssueJson(ctx, found.pull) };
    },
  },

  "issues/update": {
    auth: "token",
    handle(req, ctx) {
      const repo = requireRepo(req, ctx);
      if ("status" in repo) return repo;
      const found = find(repo, ctx, Number(req.params.issue_number));
      if (!found) return notFound(req);
      if ("pull" in found) throw new Rejection(501, `fake GitHub: issues/update of a pull request (#${found.pull.number}) is not modelled`);
      const issue = found.issue;
      const body = (req.body ?? {}) as IssueBody;
      refuseUnmodelled(req, body);
      // Check everything before changing anything: a refused request changes nothing.
      const title = body.title === undefined || body.title === null ? issue.title : checkTitle(body.title);
      const text = body.body === undefined ? issue.body : body.body === null ? null : checkBody(body.body);
      const names = body.labels === undefined ? undefined : labelNames(body.labels);
      if (body.state === "closed" && issue.state === "open" && body.state_reason === "reopened") throw invalid("state_reason", "invalid", "a closed issue cannot be reopened");
      const before = JSON.stringify([issue.title, issue.body, issue.state, issue.labels]);
      issue.title = title;
      issue.body = text;
      if (names !== undefined) issue.labels = ensureLabels(ctx.state, repo, names);
      // GitHub ignores state_reason unless the state changes; closing without one means completed.
      if (body.state !== undefined && body.state !== issue.state) {
        issue.state = body.state;
        if (body.state === "closed") {
          issue.stateReason = body.state_reason ?? "completed";
          issue.closedAt = ctx.state.now();
          issue.closedBy = actor(req, ctx);
        } else {
          issue.stateReason = "reopened";
          issue.closedAt = null;
          issue.closedBy = null;
        }
      }
      if (JSON.stringify([issue.title, issue.body, issue.state, issue.labels]) !== before) issue.updatedAt = ctx.state.now();
      return { status: 200, json: issueJson(ctx, issue) };
    },
  },

  "issues/list-for-repo": {
    auth: "token",
    handle(req, ctx) {
      const repo = requireRepo(req, ctx);
      if ("status" in repo) return repo;
      const p = req.params;
      const state = String(p.state ?? "open");
      const labels = typeof p.labels === "string" ? p.labels.split(",").map((l) => l.trim()).filter(Boolean) : [];
      const creator = typeof p.creator === "string" ? p.creator.toLowerCase() : undefined;
      const mentioned = typeof p.mentioned === "string" ? new RegExp(`(^|[^\\w])@${p.mentioned.replace(/[^\w-]/g, "")}\\b`, "i") : undefined;
      const since = typeof p.since === "string" ? Date.parse(p.since) : undefined;
      const all: Listed[] = [
        ...ctx.state.issueList.filter((i) => i.repo === repo).map((i) => ({ ...i, json: () => issueJson(ctx, i) })),
        ...ctx.state.pulls.filter((pr) => pr.repo === repo).map((pr) => ({ ...pr, labels: [], json: () => pullIssueJson(ctx, pr) })),
      ];
      const comments = (x: Listed) => ctx.state.comments(repo, x.number).length;
      const key = p.sort === "updated" ? (x: Listed) => Date.parse(x.updatedAt) : p.sort === "comments" ? comments : (x: Listed) => Date.parse(x.createdAt);
      const sign = p.direction === "asc" ? 1 : -1;
      const listed = all
        .filter((x) => state === "all" || x.state === state)
        .filter((x) => hasLabels(x.labels, labels))
        .filter((x) => creator === undefined || x.author.toLowerCase() === creator)
        .filter((x) => mentioned === undefined || mentioned.test(x.body ?? ""))
        .filter((x) => since === undefined || Date.parse(x.updatedAt) >= since)
        .filter(() => matchesUnset(p.milestone) && matchesUnset(p.assignee) && matchesUnset(p.type) && p.issue_field_values === undefined)
        .sort((a, b) => sign * (key(a) - key(b) || a.number - b.number));
      const page = paginate(req, listed);
      return { status: 200, json: page.items.map((x) => x.json()), headers: page.headers };
    },
  },
};
