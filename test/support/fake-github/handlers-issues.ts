// Pull requests, issue comments, reactions, collaborator permission and team membership.
import { actor, notFound, paginate, Rejection, repoOf, validationFailed, type FakeRequest, type FakeResponse, type HandlerCtx, type HandlerSpec } from "./handler.js";
import { commentJson, diffEntries, diffEntryJson, pullJson, reactionJson } from "./objects-issues.js";
import { userJson } from "./objects-repos.js";
import type { CommentRecord, Permission, PullRecord, RepoRecord } from "./state.js";

/** GitHub refuses a comment body over 65,536 characters. */
export const COMMENT_LIMIT = 65_536;
/** GitHub lists at most 3,000 files of a pull request. */
const FILES_LIMIT = 3_000;

function requireRepo(req: FakeRequest, ctx: HandlerCtx): RepoRecord | FakeResponse {
  return repoOf(req, ctx) ?? notFound(req);
}

function findPull(repo: RepoRecord, ctx: HandlerCtx, number: number): PullRecord | undefined {
  return ctx.state.pulls.find((p) => p.repo === repo && p.number === number);
}

function findComment(req: FakeRequest, ctx: HandlerCtx): CommentRecord | FakeResponse {
  const repo = requireRepo(req, ctx);
  if ("status" in repo) return repo;
  const comment = ctx.state.comment(Number(req.params.comment_id));
  return comment && comment.repo === repo ? comment : notFound(req);
}

function checkBody(body: string): void {
  const length = [...body].length;
  if (length > COMMENT_LIMIT) throw validationFailed(`body is too long (maximum is ${COMMENT_LIMIT} characters, got ${length})`, "body", "custom");
}

/** A number is an issue when an issue, a pull request or a comment has it. */
function issueExists(repo: RepoRecord, ctx: HandlerCtx, number: number): boolean {
  return (
    ctx.state.issueList.some((i) => i.repo === repo && i.number === number) ||
    findPull(repo, ctx, number) !== undefined ||
    ctx.state.commentList.some((c) => c.repo === repo && c.issueNumber === number)
  );
}

const ROLE_TO_PERMISSION: Record<Permission, string> = { admin: "admin", maintain: "write", write: "write", triage: "read", read: "read", none: "none" };

export const issueHandlers: Record<string, HandlerSpec> = {
  "pulls/get": {
    auth: "token",
    handle(req, ctx) {
      const repo = requireRepo(req, ctx);
      if ("status" in repo) return repo;
      const pull = findPull(repo, ctx, Number(req.params.pull_number));
      return pull ? { status: 200, json: pullJson(ctx, pull) } : notFound(req);
    },
  },

  "repos/list-pull-requests-associated-with-commit": {
    auth: "token",
    handle(req, ctx) {
      const repo = requireRepo(req, ctx);
      if ("status" in repo) return repo;
      const sha = String(req.params.commit_sha);
      const pulls = ctx.state.pulls.filter((p) => p.repo === repo && (p.mergeCommitSha === sha || p.headSha === sha));
      const page = paginate(req, pulls);
      return { status: 200, json: page.items.map((p) => pullJson(ctx, p)), headers: page.headers };
    },
  },

  "pulls/list-files": {
    auth: "token",
    handle(req, ctx) {
      const repo = requireRepo(req, ctx);
      if ("status" in repo) return repo;
      const pull = findPull(repo, ctx, Number(req.params.pull_number));
      if (!pull) return notFound(req);
      const page = paginate(req, diffEntries(ctx, pull).slice(0, FILES_LIMIT));
      return { status: 200, json: page.items.map((e) => diffEntryJson(ctx, pull, e)), headers: page.headers };
    },
  },

  "issues/list-comments": {
    auth: "token",
    handle(req, ctx) {
      const repo = requireRepo(req, ctx);
      if ("status" in repo) return repo;
      const number = Number(req.params.issue_number);
      if (!issueExists(repo, ctx, number)) return notFound(req);
      const since = typeof req.params.since === "string" ? req.params.since : "";
      const page = paginate(req, ctx.state.comments(repo, number).filter((c) => c.updatedAt >= since));
      return { status: 200, json: page.items.map((c) => commentJson(ctx, c)), headers: page.headers };
    },
  },

  "issues/create-comment": {
    auth: "token",
    handle(req, ctx) {
      const repo = requireRepo(req, ctx);
      if ("status" in repo) return repo;
      const number = Number(req.params.issue_number);
      if (!issueExists(repo, ctx, number)) return notFound(req);
      const { body } = req.body as { body: string };
      checkBody(body);
      const comment = ctx.state.addComment(repo, number, { author: actor(req, ctx), body });
      return { status: 201, json: commentJson(ctx, comment), headers: { location: `${ctx.api}/repos/${repo.fullName}/issues/comments/${comment.id}` } };
    },
  },

  "issues/get-comment": {
    auth: "token",
    handle(req, ctx) {
      const comment = findComment(req, ctx);
      return "status" in comment ? comment : { status: 200, json: commentJson(ctx, comment) };
    },
  },

  "issues/update-comment": {
    auth: "token",
    handle(req, ctx) {
      const comment = findComment(req, ctx);
      if ("status" in comment) return comment;
      if (comment.author !== actor(req, ctx)) {
        // The app may only edit its own comments (a user token, that user's); editing someone else's is a bug.
        throw new Rejection(403, `Resource not accessible by integration (comment ${comment.id} was written by ${comment.author})`);
      }
      const { body } = req.body as { body: string };
      checkBody(body);
      comment.body = body;
      comment.updatedAt = ctx.state.now();
      return { status: 200, json: commentJson(ctx, comment) };
    },
  },

  "reactions/list-for-issue-comment": {
    auth: "token",
    handle(req, ctx) {
      const comment = findComment(req, ctx);
      if ("status" in comment) return comment;
      const content = req.params.content;
      const page = paginate(req, comment.reactions.filter((r) => content === undefined || r.content === content));
      return { status: 200, json: page.items.map((r) => reactionJson(ctx, r)), headers: page.headers };
    },
  },

  "reactions/create-for-issue-comment": {
    auth: "token",
    handle(req, ctx) {
      const comment = findComment(req, ctx);
      if ("status" in comment) return comment;
      const { content } = req.body as { content: string };
      const user = actor(req, ctx);
      const existing = comment.reactions.find((r) => r.user === user && r.content === content);
      if (existing) return { status: 200, json: reactionJson(ctx, existing) };
      const reaction = { id: ctx.state.id(), content, user, createdAt: ctx.state.now() };
      comment.reactions.push(reaction);
      return { status: 201, json: reactionJson(ctx, reaction) };
    },
  },

  "repos/get-collaborator-permission-level": {
    auth: "token",
    handle(req, ctx) {
      const repo = requireRepo(req, ctx);
      if ("status" in repo) return repo;
      const username = String(req.params.username);
      const isOwner = repo.ownerType === "User" && username.toLowerCase() === repo.owner.toLowerCase();
      // Someone never given a permission can read a public repository and nothing else.
      const role: Permission = isOwner ? "admin" : (repo.permissions.get(username.toLowerCase()) ?? (repo.private ? "none" : "read"));
      const permission = ROLE_TO_PERMISSION[role];
      return {
        status: 200,
        json: {
          permission,
          role_name: role,
          user: {
            ...userJson(ctx, username),
            permissions: { admin: role === "admin", maintain: role === "admin" || role === "maintain", push: permission === "admin" || permission === "write", triage: permission !== "none", pull: permission !== "none" },
            role_name: role,
          },
        },
      };
    },
  },

  "teams/get-membership-for-user-in-org": {
    auth: "token",
    handle(req, ctx) {
      const [org, team, username] = [String(req.params.org), String(req.params.team_slug), String(req.params.username)];
      const installationId = ctx.state.installationId(org);
      if (installationId !== undefined && req.installationId !== undefined && installationId !== req.installationId) {
        throw new Rejection(404, `Not Found (organization ${org} belongs to installation ${installationId}, the token to ${req.installationId})`);
      }
      const membership = ctx.state.teams.get(`${org}/${team}`.toLowerCase())?.get(username.toLowerCase());
      if (!membership) return notFound(req);
      return {
        status: 200,
        json: { url: `${ctx.api}/organizations/${ctx.state.userId(org)}/team/${ctx.state.userId(`${org}/${team}`)}/memberships/${username}`, role: membership.role, state: membership.state },
      };
    },
  },
};
