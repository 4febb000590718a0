// What a GitHub App may do only as a signed-in user (a user-to-server token):
// read that user, and list the app's installations the user can reach.
import { paginate, type HandlerSpec } from "./handler.js";
import { installationJson, userJson, type Ctx } from "./objects-repos.js";
import type { RepoRecord } from "./state.js";

/** The `private-user` schema, as GitHub answers `GET /user` to the user themself. */
function authenticatedUserJson(ctx: Ctx, login: string): Record<string, unknown> {
  const owned = [...ctx.state.repos.values()].filter((r) => r.owner.toLowerCase() === login.toLowerCase());
  const privately = owned.filter((r) => r.private).length;
  return {
    ...userJson(ctx, login, "User"),
    user_view_type: "private",
    name: null, company: null, blog: "", location: null, email: null, hireable: null, bio: null, twitter_username: null,
    public_repos: owned.length - privately, public_gists: 0, followers: 0, following: 0,
    created_at: "2020-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z",
    private_gists: 0, total_private_repos: privately, owned_private_repos: privately, disk_usage: 0, collaborators: 0, two_factor_authentication: true,
  };
}

/** One repository per installation the user reaches: on their own account, or on an organization they belong to. */
function reachableInstallations(ctx: Ctx, login: string): RepoRecord[] {
  const byInstallation = new Map<number, RepoRecord>();
  for (const repo of ctx.state.repos.values()) {
    const own = repo.owner.toLowerCase() === login.toLowerCase();
    const member = repo.ownerType === "Organization" && ctx.state.isMember(login, repo.owner);
    if ((own || member) && !byInstallation.has(repo.installationId)) byInstallation.set(repo.installationId, repo);
  }
  return [...byInstallation.values()].sort((a, b) => a.installationId - b.installationId);
}

export const userHandlers: Record<string, HandlerSpec> = {
  "users/get-authenticated": {
    auth: "user",
    handle(req, ctx) {
      return { status: 200, json: authenticatedUserJson(ctx, req.user as string) };
    },
  },

  "apps/list-installations-for-authenticated-user": {
    auth: "user",
    handle(req, ctx) {
      const all = reachableInstallations(ctx, req.user as string);
      const page = paginate(req, all);
      return { status: 200, json: { total_count: all.length, installations: page.items.map((r) => installationJson(ctx, r)) }, headers: page.headers };
    },
  },
};
