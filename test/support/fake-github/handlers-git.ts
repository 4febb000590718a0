// The Git Data API's writes (trees, commits, refs), pull requests opened and
// listed by an app, and commit statuses: what the pull-request provisioner uses.
import { actor, notFound, paginate, Rejection, repoOf, validationFailed, type FakeRequest, type FakeResponse, type HandlerCtx, type HandlerSpec } from "./handler.js";
import { pullJson } from "./objects-issues.js";
import { installationJson, nodeId, repositoryJson } from "./objects-repos.js";
import type { Commit } from "./git-store.js";
import type { RepoRecord } from "./state.js";

function requireRepo(req: FakeRequest, ctx: HandlerCtx): RepoRecord | FakeResponse {
  return repoOf(req, ctx) ?? notFound(req);
}

export function refJson(ctx: HandlerCtx, repo: RepoRecord, branch: string, sha: string): Record<string, unknown> {
  const ref = `refs/heads/${branch}`;
  return {
    ref, node_id: Buffer.from(`Ref:${repo.fullName}:${ref}`).toString("base64"),
    url: `${ctx.api}/repos/${repo.fullName}/git/${ref}`,
    object: { type: "commit", sha, url: `${ctx.api}/repos/${repo.fullName}/git/commits/${sha}` },
  };
}

function commitJson(ctx: HandlerCtx, repo: RepoRecord, commit: Commit): Record<string, unknown> {
  const person = { name: "Fake Author", email: "author@example.com", date: new Date(commit.time * 1000).toISOString().replace(/\.\d+Z$/, "Z") };
  const url = (sha: string) => `${ctx.api}/repos/${repo.fullName}/git/commits/${sha}`;
  return {
    sha: commit.sha, node_id: nodeId("Commit", parseInt(commit.sha.slice(0, 8), 16)), url: url(commit.sha),
    html_url: `https://github.com/${repo.fullName}/commit/${commit.sha}`,
    author: person, committer: person, message: commit.message,
    tree: { sha: commit.treeSha, url: `${ctx.api}/repos/${repo.fullName}/git/trees/${commit.treeSha}` },
    parents: commit.parents.map((sha) => ({ sha, url: url(sha), html_url: `https://github.com/${repo.fullName}/commit/${sha}` })),
    verification: { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null },
  };
}

/** Moves a branch; an open pull request from it follows, as on GitHub. */
function moveBranch(ctx: HandlerCtx, repo: RepoRecord, branch: string, sha: string): void {
  repo.branches.set(branch, sha);
  for (const pull of ctx.state.pulls) {
    if (pull.headRepo === repo && pull.headRef === branch && pull.state === "open") {
      pull.headSha = sha;
      pull.updatedAt = ctx.state.now();
    }
  }
}

export const gitHandlers: Record<string, HandlerSpec> = {
  "apps/get-user-installation": {
    auth: "jwt",
    handle(req, ctx) {
      // Works for organizations too, as on GitHub; the fake has one installation per owner.
      const repo = [...ctx.state.repos.values()].find((r) => r.owner.toLowerCase() === String(req.params.username).toLowerCase());
      return repo ? { status: 200, json: installationJson(ctx, repo) } : notFound(req);
    },
  },

  "git/create-tree": {
    auth: "token",
    handle(req, ctx) {
      const repo = requireRepo(req, ctx);
      if ("status" in repo) return repo;
      const body = req.body as { base_tree?: string; tree: { path: string; mode: string; type: string; sha?: string | null; content?: string }[] };
      if (body.base_tree && !ctx.state.git.trees.has(body.base_tree)) throw validationFailed(`base_tree ${body.base_tree} is not a tree`, "base_tree");
      const changes: Record<string, string | Uint8Array | null> = {};
      for (const entry of body.tree) {
        if (entry.type !== "blob" || entry.mode !== "100644") throw new Rejection(422, `fake GitHub: only plain files (mode 100644, type blob) are modelled, got ${entry.mode} ${entry.type}`);
        if (entry.content !== undefined) changes[entry.path] = entry.content;
        else if (entry.sha === null) changes[entry.path] = null;
        else {
          const bytes = ctx.state.git.blobs.get(entry.sha ?? "");
          if (!bytes) throw validationFailed(`tree.sha ${entry.sha} wasn't found`, "tree.sha");
          changes[entry.path] = bytes;
        }
      }
      const base = body.base_tree ? ctx.state.git.filesOf(body.base_tree) : undefined;
      const sha = ctx.state.git.tree(changes, base);
      const url = (type: string, s: string) => `${ctx.api}/repos/${repo.fullName}/git/${type}s/${s}`;
      const tree = ctx.state.git.listTree(sha, false).map((e) => ({ path: e.path, mode: e.mode, type: e.type, sha: e.sha, ...(e.size !== undefined ? { size: e.size } : {}), url: url(e.type, e.sha) }));
      return { status: 201, json: { sha, url: url("tree", sha), tree, truncated: false } };
    },
  },

  "git/create-commit": {
    auth: "token",
    handle(req, ctx) {
      const repo = requireRepo(req, ctx);
      if ("status" in repo) return repo;
      const body = req.body as { message: string; tree: string; parents?: string[] };
      if (!ctx.state.git.trees.has(body.tree)) throw validationFailed(`Tree SHA does not exist`, "tree");
      for (const parent of body.parents ?? []) if (!ctx.state.git.get(parent)) throw validationFailed(`Parent SHA does not exist or is not a commit object`, "parents");
      return { status: 201, json: commitJson(ctx, repo, ctx.state.git.commitTree(body.tree, body.parents ?? [], body.message)) };
    },
  },

  "git/get-commit": {
    auth: "token",
    handle(req, ctx) {
      const repo = requireRepo(req, ctx);
      if ("status" in repo) return repo;
      const commit = ctx.state.git.get(String(req.params.commit_sha));
      return commit ? { status: 200, json: commitJson(ctx, repo, commit) } : notFound(req);
    },
  },

  "git/create-ref": {
    auth: "token",
    handle(req, ctx) {
      const repo = requireRepo(req, ctx);
      if ("status" in repo) return repo;
      const body = req.body as { ref: string; sha: string };
      const branch = /^refs\/heads\/(.+)$/.exec(body.ref)?.[1];
      if (!branch) throw new Rejection(422, `fake GitHub: only branches (refs/heads/…) are modelled, got ${body.ref}`);
      // A correct app looks the branch up before creating it; GitHub answers exactly this.
      if (repo.branches.has(branch)) return { status: 422, json: { message: "Reference already exists", documentation_url: "https://docs.github.com/rest/git/refs#create-a-reference", status: "422" } };
      if (!ctx.state.git.get(body.sha)) throw validationFailed("Object does not exist", "sha");
      moveBranch(ctx, repo, branch, body.sha);
      return { status: 201, json: refJson(ctx, repo, branch, body.sha) };
    },
  },

  "git/update-ref": {
    auth: "token",
    handle(req, ctx) {
      const repo = requireRepo(req, ctx);
      if ("status" in repo) return repo;
      const branch = /^heads\/(.+)$/.exec(String(req.params.ref))?.[1];
      const current = branch ? repo.branches.get(branch) : undefined;
      if (!branch || !current) return { status: 422, json: { message: "Reference does not exist", documentation_url: "https://docs.github.com/rest/git/refs#update-a-reference", status: "422" } };
      const body = req.body as { sha: string; force?: boolean };
      if (!ctx.state.git.get(body.sha)) throw validationFailed("Object does not exist", "sha");
      if (!body.force && !isAncestor(ctx, current, body.sha)) return { status: 422, json: { message: "Update is not a fast forward", documentation_url: "https://docs.github.com/rest/git/refs#update-a-reference", status: "422" } };
      moveBranch(ctx, repo, branch, body.sha);
      return { status: 200, json: refJson(ctx, repo, branch, body.sha) };
    },
  },

  "pulls/create": {
    auth: "token",
    handle(req, ctx) {
      const repo = requireRepo(req, ctx);
      if ("status" in repo) return repo;
      const body = req.body as { title?: string; head: string; base: string; body?: string };
      const headRef = body.head.replace(new RegExp(`^${repo.owner}:`, "i"), "");
      const head = repo.branches.get(headRef);
      const base = repo.branches.get(body.base);
      if (!head || !base) throw validationFailed(`${!head ? "head" : "base"} is invalid`, !head ? "head" : "base");
      if (ctx.state.pulls.some((p) => p.repo === repo && p.headRef === headRef && p.state === "open")) {
        throw validationFailed(`A pull request already exists for ${repo.owner}:${headRef}.`);
      }
      const pull = ctx.state.openPullRequest(repo, {
        base, head, headRef, baseRef: body.base, author: actor(req, ctx),
        ...(body.title !== undefined ? { title: body.title } : {}), ...(body.body !== undefined ? { body: body.body } : {}),
      });
      return { status: 201, json: pullJson(ctx, pull) };
    },
  },

  "pulls/list": {
    auth: "token",
    handle(req, ctx) {
      const repo = requireRepo(req, ctx);
      if ("status" in repo) return repo;
      const state = String(req.params.state ?? "open");
      const head = typeof req.params.head === "string" ? req.params.head : undefined;
      const pulls = ctx.state.pulls
        .filter((p) => p.repo === repo && (state === "all" || p.state === state))
        .filter((p) => !head || `${p.headRepo.owner}:${p.headRef}`.toLowerCase() === head.toLowerCase())
        .sort((a, b) => b.number - a.number);
      const page = paginate(req, pulls);
      return { status: 200, json: page.items.map((p) => pullJson(ctx, p)), headers: page.headers };
    },
  },

  "repos/get-combined-status-for-ref": {
    auth: "token",
    handle(req, ctx) {
      const repo = requireRepo(req, ctx);
      if ("status" in repo) return repo;
      const sha = ctx.state.resolve(repo, String(req.params.ref));
      if (!sha) return notFound(req);
      // The latest status of each context, newest first, as GitHub combines them.
      const all = ctx.state.statuses(repo, sha);
      const latest = all.filter((s) => !all.some((o) => o.context === s.context && o.id > s.id)).sort((a, b) => b.id - a.id);
      const state = latest.some((s) => s.state === "failure" || s.state === "error") ? "failure" : latest.length > 0 && latest.every((s) => s.state === "success") ? "success" : "pending";
      const url = `${ctx.api}/repos/${repo.fullName}/commits/${sha}/status`;
      return {
        status: 200,
        json: {
          state, sha, total_count: latest.length, url, commit_url: `${ctx.api}/repos/${repo.fullName}/commits/${sha}`, repository: repositoryJson(ctx, repo),
          statuses: latest.map((s) => ({
            id: s.id, node_id: nodeId("StatusContext", s.id), state: s.state, context: s.context, description: s.description, target_url: null,
            avatar_url: null, url: `${ctx.api}/repos/${repo.fullName}/statuses/${sha}`, created_at: s.createdAt, updated_at: s.createdAt,
          })),
        },
      };
    },
  },
};

function isAncestor(ctx: HandlerCtx, ancestor: string, of: string): boolean {
  const seen = new Set<string>();
  const stack = [of];
  while (stack.length) {
    const sha = stack.pop()!;
    if (sha === ancestor) return true;
    if (seen.has(sha)) continue;
    seen.add(sha);
    stack.push(...(ctx.state.git.get(sha)?.parents ?? []));
  }
  return false;
}
