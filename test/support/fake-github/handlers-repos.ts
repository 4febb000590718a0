// App authentication, repositories, contents, tarballs, trees and blobs.
import { notFound, Rejection, repoOf, type FakeRequest, type FakeResponse, type HandlerCtx, type HandlerSpec } from "./handler.js";
import { APP_PERMISSIONS, entryJson, fileContentJson, fullRepositoryJson, installationJson, nodeId, repositoryJson } from "./objects-repos.js";
import type { RepoRecord } from "./state.js";
import { tarballOf } from "./tarball.js";

/** GitHub cuts a tree listing at 100,000 entries and says so. */
const TREE_LIMIT = 100_000;

function wantsRaw(req: FakeRequest): boolean {
  return /application\/vnd\.github(\.v3)?\.raw/.test(String(req.headers.accept ?? ""));
}

function base64Lines(bytes: Uint8Array): string {
  return (Buffer.from(bytes).toString("base64").match(/.{1,60}/g) ?? []).map((line) => `${line}\n`).join("");
}

function requireRepo(req: FakeRequest, ctx: HandlerCtx): RepoRecord | FakeResponse {
  return repoOf(req, ctx) ?? notFound(req);
}

const tarballs = new WeakMap<RepoRecord, Map<string, Uint8Array>>();

export const repoHandlers: Record<string, HandlerSpec> = {
  "apps/create-installation-access-token": {
    auth: "jwt",
    handle(req, ctx) {
      const id = Number(req.params.installation_id);
      const repos = [...ctx.state.repos.values()].filter((r) => r.installationId === id);
      if (repos.length === 0) return notFound(req);
      const body = (req.body ?? {}) as { repositories?: string[]; repository_ids?: number[] };
      const selected =
        body.repositories || body.repository_ids
          ? repos.filter((r) => body.repositories?.includes(r.name) || body.repository_ids?.includes(r.id))
          : undefined;
      const { token, expiresAt } = ctx.state.issueToken(id);
      return {
        status: 201,
        json: {
          token,
          expires_at: expiresAt,
          permissions: APP_PERMISSIONS,
          repository_selection: selected ? "selected" : "all",
          ...(selected ? { repositories: selected.map((r) => repositoryJson(ctx, r)) } : {}),
        },
      };
    },
  },

  "apps/get-repo-installation": {
    auth: "jwt",
    handle(req, ctx) {
      const repo = requireRepo(req, ctx);
      return "status" in repo ? repo : { status: 200, json: installationJson(ctx, repo) };
    },
  },

  "repos/get": {
    auth: "token",
    handle(req, ctx) {
      const repo = requireRepo(req, ctx);
      return "status" in repo ? repo : { status: 200, json: fullRepositoryJson(ctx, repo) };
    },
  },

  "repos/get-content": {
    auth: "token",
    handle(req, ctx) {
      const repo = requireRepo(req, ctx);
      if ("status" in repo) return repo;
      const ref = typeof req.params.ref === "string" ? req.params.ref : repo.defaultBranch;
      const commit = ctx.state.git.get(ctx.state.resolve(repo, ref) ?? "");
      if (!commit) return { status: 404, json: { message: `No commit found for the ref ${ref}`, documentation_url: "https://docs.github.com/rest/repos/contents#get-repository-content", status: "404" } };
      const path = String(req.params.path).replace(/^\/+|\/+$/g, "");
      const file = commit.files.get(path);
      if (file) {
        if (wantsRaw(req) && file.mode !== "120000") return { status: 200, bytes: file.bytes, headers: { "content-type": "text/plain; charset=utf-8" } };
        return { status: 200, json: fileContentJson(ctx, repo, path, ref, file) };
      }
      const prefix = `${path}/`;
      const children = new Map<string, { type: "file" | "dir" | "symlink"; sha: string; size: number }>();
      for (const [name, f] of commit.files) {
        if (!name.startsWith(prefix)) continue;
        const [child, ...rest] = name.slice(prefix.length).split("/");
        const childPath = prefix + child;
        if (rest.length === 0) children.set(childPath, { type: f.mode === "120000" ? "symlink" : "file", sha: f.sha, size: f.bytes.length });
        else if (!children.has(childPath)) children.set(childPath, { type: "dir", sha: treeShaOf(ctx, commit.treeSha, childPath), size: 0 });
      }
      if (children.size === 0) return notFound(req);
      const entries = [...children].sort(([a], [b]) => (a < b ? -1 : 1)).map(([p, e]) => entryJson(ctx, repo, p, ref, e));
      // A folder is always JSON, even when raw was asked (Probot's config reader relies on this content type).
      return { status: 200, json: entries, headers: { "content-type": "application/json; charset=utf-8" } };
    },
  },

  "repos/download-tarball-archive": {
    auth: "token",
    handle(req, ctx) {
      const repo = requireRepo(req, ctx);
      if ("status" in repo) return repo;
      const ref = String(req.params.ref);
      const sha = ctx.state.resolve(repo, ref);
      const commit = sha ? ctx.state.git.get(sha) : undefined;
      if (!commit) return notFound(req);
      const cache = tarballs.get(repo) ?? new Map<string, Uint8Array>();
      tarballs.set(repo, cache);
      let bytes = cache.get(commit.sha);
      if (!bytes) cache.set(commit.sha, (bytes = tarballOf(commit, repo.owner, repo.name)));
      const location = ctx.codeload(`/${repo.fullName}/legacy.tar.gz/${encodeURIComponent(ref)}`, bytes, "application/x-gzip");
      return { status: 302, headers: { location } };
    },
  },

  "git/get-ref": {
    auth: "token",
    handle(req, ctx) {
      const repo = requireRepo(req, ctx);
      if ("status" in repo) return repo;
      // Branches only: the fake keeps no tags.
      const match = /^heads\/(.+)$/.exec(String(req.params.ref));
      const sha = match ? repo.branches.get(match[1]!) : undefined;
      if (!sha) return notFound(req);
      const ref = `refs/heads/${match![1]}`;
      return {
        status: 200,
        json: {
          ref, node_id: Buffer.from(`Ref:${repo.fullName}:${ref}`).toString("base64"),
          url: `${ctx.api}/repos/${repo.fullName}/git/${ref}`,
          object: { type: "commit", sha, url: `${ctx.api}/repos/${repo.fullName}/git/commits/${sha}` },
        },
      };
    },
  },

  "git/get-tree": {
    auth: "token",
    handle(req, ctx) {
      const repo = requireRepo(req, ctx);
      if ("status" in repo) return repo;
      const asked = String(req.params.tree_sha);
      // GitHub takes a tree SHA, or a commit SHA or branch name standing for its root tree.
      const commitSha = ctx.state.git.trees.has(asked) ? undefined : ctx.state.resolve(repo, asked);
      const treeSha = ctx.state.git.trees.has(asked) ? asked : ctx.state.git.get(commitSha ?? "")?.treeSha;
      if (!treeSha) return notFound(req);
      // Any value of `recursive` asks for the whole tree, "0" and "false" included (GitHub's documented quirk).
      const all = ctx.state.git.listTree(treeSha, req.params.recursive !== undefined);
      const url = (type: string, sha: string) => `${ctx.api}/repos/${repo.fullName}/git/${type}s/${sha}`;
      const tree = all.slice(0, TREE_LIMIT).map((e) => ({
        path: e.path,
        mode: e.mode,
        type: e.type,
        sha: e.sha,
        ...(e.size !== undefined ? { size: e.size } : {}),
        url: url(e.type, e.sha),
      }));
      return { status: 200, json: { sha: treeSha, url: url("tree", treeSha), tree, truncated: all.length > TREE_LIMIT } };
    },
  },

  "git/get-blob": {
    auth: "token",
    handle(req, ctx) {
      const repo = requireRepo(req, ctx);
      if ("status" in repo) return repo;
      const sha = String(req.params.file_sha);
      const bytes = ctx.state.git.blobs.get(sha);
      if (!bytes) return notFound(req);
      if (wantsRaw(req)) return { status: 200, bytes, headers: { "content-type": "application/octet-stream" } };
      return {
        status: 200,
        json: { sha, node_id: nodeId("Blob", parseInt(sha.slice(0, 8), 16)), size: bytes.length, url: `${ctx.api}/repos/${repo.fullName}/git/blobs/${sha}`, content: base64Lines(bytes), encoding: "base64" },
      };
    },
  },
};

function treeShaOf(ctx: HandlerCtx, rootTree: string, path: string): string {
  let sha = rootTree;
  for (const part of path.split("/")) {
    const entry = ctx.state.git.trees.get(sha)?.find((e) => e.name === part && e.type === "tree");
    if (!entry) throw new Rejection(500, `fake GitHub: no folder ${path}`);
    sha = entry.sha;
  }
  return sha;
}
