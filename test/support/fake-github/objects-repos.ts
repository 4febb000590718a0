// JSON for accounts, repositories, installations, the app and file contents,
// with every field GitHub's description requires. API urls point at the fake
// (so an app following one stays offline); html urls look like github.com.
import type { StoredFile } from "./git-store.js";
import type { FakeState, RepoRecord } from "./state.js";

export interface Ctx {
  api: string;
  state: FakeState;
}

export const HTML = "https://github.com";

export function nodeId(type: string, id: number): string {
  return Buffer.from(`0${type.length}:${type}${id}`).toString("base64");
}

export function timestamp(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, "Z");
}

export function userJson(ctx: Ctx, login: string, type: "User" | "Organization" | "Bot" = login.endsWith("[bot]") ? "Bot" : "User"): Record<string, unknown> {
  const id = ctx.state.userId(login);
  const base = `${ctx.api}/users/${encodeURIComponent(login)}`;
  return {
    login,
    id,
    node_id: nodeId(type, id),
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    gravatar_id: "",
    url: base,
    html_url: `${HTML}/${encodeURIComponent(login)}`,
    followers_url: `${base}/followers`,
    following_url: `${base}/following{/other_user}`,
    gists_url: `${base}/gists{/gist_id}`,
    starred_url: `${base}/starred{/owner}{/repo}`,
    subscriptions_url: `${base}/subscriptions`,
    organizations_url: `${base}/orgs`,
    repos_url: `${base}/repos`,
    events_url: `${base}/events{/privacy}`,
    received_events_url: `${base}/received_events`,
    type,
    user_view_type: "public",
    site_admin: false,
  };
}

export function ownerJson(ctx: Ctx, repo: Pick<RepoRecord, "owner" | "ownerType">): Record<string, unknown> {
  return userJson(ctx, repo.owner, repo.ownerType);
}

/** Open issues and pull requests, as GitHub counts them. */
function openIssues(ctx: Ctx, repo: RepoRecord): number {
  return [...ctx.state.pulls, ...ctx.state.issueList].filter((x) => x.repo === repo && x.state === "open").length;
}

/** The `repository` schema (as in a pull request's head and base). */
export function repositoryJson(ctx: Ctx, repo: RepoRecord): Record<string, unknown> {
  const url = `${ctx.api}/repos/${repo.fullName}`;
  const html = `${HTML}/${repo.fullName}`;
  const pushed = repo.branches.size > 0 ? ctx.state.git.get([...repo.branches.values()].at(-1) as string)?.time : undefined;
  const updated = pushed ? new Date(pushed * 1000).toISOString().replace(/\.\d+Z$/, "Z") : repo.createdAt;
  return {
    id: repo.id,
    node_id: nodeId("Repository", repo.id),
    name: repo.name,
    full_name: repo.fullName,
    owner: ownerJson(ctx, repo),
    private: repo.private,
    html_url: html,
    description: null,
    fork: repo.parent !== undefined,
    url,
    ...Object.fromEntries(
      [
        ["archive", "/{archive_format}{/ref}"], ["assignees", "/assignees{/user}"], ["blobs", "/git/blobs{/sha}"],
        ["branches", "/branches{/branch}"], ["collaborators", "/collaborators{/collaborator}"], ["comments", "/comments{/number}"],
        ["commits", "/commits{/sha}"], ["compare", "/compare/{base}...{head}"], ["contents", "/contents/{+path}"],
        ["contributors", "/contributors"], ["deployments", "/deployments"], ["downloads", "/downloads"], ["events", "/events"],
        ["forks", "/forks"], ["git_commits", "/git/commits{/sha}"], ["git_refs", "/git/refs{/sha}"], ["git_tags", "/git/tags{/sha}"],
        ["issue_comment", "/issues/comments{/number}"], ["issue_events", "/issues/events{/number}"], ["issues", "/issues{/number}"],
        ["keys", "/keys{/key_id}"], ["labels", "/labels{/name}"], ["languages", "/languages"], ["merges", "/merges"],
        ["milestones", "/milestones{/number}"], ["notifications", "/notifications{?since,all,participating}"], ["pulls", "/pulls{/number}"],
        ["releases", "/releases{/id}"], ["stargazers", "/stargazers"], ["statuses", "/statuses/{sha}"], ["subscribers", "/subscribers"],
        ["subscription", "/subscription"], ["tags", "/tags"], ["teams", "/teams"], ["trees", "/git/trees{/sha}"], ["hooks", "/hooks"],
      ].map(([name, suffix]) => [`${name}_url`, `${url}${suffix}`]),
    ),
    git_url: `git://github.com/${repo.fullName}.git`,
    ssh_url: `git@github.com:${repo.fullName}.git`,
    clone_url: `${html}.git`,
    svn_url: html,
    mirror_url: null,
    homepage: null,
    language: null,
    forks_count: 0,
    forks: 0,
    stargazers_count: 0,
    watchers_count: 0,
    watchers: 0,
    size: 0,
    default_branch: repo.defaultBranch,
    open_issues_count: openIssues(ctx, repo),
    open_issues: openIssues(ctx, repo),
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: true,
    has_wiki: false,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: repo.private ? "private" : "public",
    license: null,
    pushed_at: updated,
    created_at: repo.createdAt,
    updated_at: updated,
    allow_forking: true,
    web_commit_signoff_required: false,
  };
}

/** The `full-repository` schema (`GET /repos/{owner}/{repo}`). */
export function fullRepositoryJson(ctx: Ctx, repo: RepoRecord): Record<string, unknown> {
  return {
    ...repositoryJson(ctx, repo),
    subscribers_count: 0,
    network_count: 0,
    ...(repo.ownerType === "Organization" ? { organization: ownerJson(ctx, repo) } : {}),
    ...(repo.parent ? { parent: repositoryJson(ctx, repo.parent), source: repositoryJson(ctx, repo.parent) } : {}),
    permissions: { admin: false, maintain: false, push: false, triage: false, pull: true },
  };
}

export const APP_PERMISSIONS = { checks: "write", contents: "write", deployments: "write", issues: "write", metadata: "read", pull_requests: "write", statuses: "read", members: "read" } as const;
export const APP_EVENTS = ["pull_request", "issue_comment", "push", "check_run", "status"];

/** The app itself (`integration` schema), as shown on its check runs and comments. */
export function appJson(ctx: Ctx): Record<string, unknown> {
  const { id, slug } = ctx.state.app;
  return {
    id,
    slug,
    node_id: nodeId("App", id),
    client_id: ctx.state.app.clientId,
    owner: userJson(ctx, "baryon-dev", "Organization"),
    name: slug,
    description: null,
    external_url: `https://${slug}.example.com`,
    html_url: `${HTML}/apps/${slug}`,
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    permissions: APP_PERMISSIONS,
    events: APP_EVENTS,
  };
}

/** The app's installation on an account: a repository's owner, or any account with the same fields. */
export function installationJson(ctx: Ctx, repo: Pick<RepoRecord, "owner" | "ownerType" | "installationId">): Record<string, unknown> {
  const owner = ownerJson(ctx, repo);
  const settings = repo.ownerType === "Organization" ? `${HTML}/organizations/${repo.owner}/settings` : `${HTML}/settings`;
  return {
    id: repo.installationId,
    client_id: ctx.state.app.clientId,
    account: owner,
    repository_selection: "all",
    access_tokens_url: `${ctx.api}/app/installations/${repo.installationId}/access_tokens`,
    repositories_url: `${ctx.api}/installation/repositories`,
    html_url: `${settings}/installations/${repo.installationId}`,
    app_id: ctx.state.app.id,
    app_slug: ctx.state.app.slug,
    target_id: owner.id,
    target_type: repo.ownerType,
    permissions: APP_PERMISSIONS,
    events: APP_EVENTS,
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    suspended_by: null,
    suspended_at: null,
  };
}

function contentLinks(ctx: Ctx, repo: RepoRecord, path: string, ref: string, sha: string, type: string): Record<string, unknown> {
  const self = `${ctx.api}/repos/${repo.fullName}/contents/${encodePath(path)}?ref=${encodeURIComponent(ref)}`;
  const git = `${ctx.api}/repos/${repo.fullName}/git/${type === "dir" ? "trees" : "blobs"}/${sha}`;
  const html = `${HTML}/${repo.fullName}/${type === "dir" ? "tree" : "blob"}/${encodeURIComponent(ref)}/${encodePath(path)}`;
  return {
    url: self,
    git_url: git,
    html_url: html,
    download_url: type === "dir" ? null : `https://raw.githubusercontent.com/${repo.fullName}/${encodeURIComponent(ref)}/${encodePath(path)}`,
    _links: { self, git, html },
  };
}

/** One file (base64 in 60-character lines, as GitHub sends it) or symbolic link. */
export function fileContentJson(ctx: Ctx, repo: RepoRecord, path: string, ref: string, file: StoredFile): Record<string, unknown> {
  const name = path.split("/").pop() as string;
  const common = { name, path, sha: file.sha, size: file.bytes.length, ...contentLinks(ctx, repo, path, ref, file.sha, "file") };
  if (file.mode === "120000") return { type: "symlink", target: Buffer.from(file.bytes).toString(), ...common };
  const content = (Buffer.from(file.bytes).toString("base64").match(/.{1,60}/g) ?? []).map((line) => `${line}\n`).join("");
  return { type: "file", encoding: "base64", content, ...common };
}

/** One entry of a folder listing. */
export function entryJson(ctx: Ctx, repo: RepoRecord, path: string, ref: string, entry: { type: "file" | "dir" | "symlink"; sha: string; size: number }): Record<string, unknown> {
  return { type: entry.type, size: entry.size, name: path.split("/").pop() as string, path, sha: entry.sha, ...contentLinks(ctx, repo, path, ref, entry.sha, entry.type) };
}

export function encodePath(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}
