// The fake GitHub's side of a GitHub App's user sign-in (the OAuth web flow,
// driven by @octokit/oauth-methods as the web console drives it) and of the
// user-to-server tokens it hands out: what such a token may see and write.
import { exchangeWebFlowCode, getWebFlowAuthorizationUrl } from "@octokit/oauth-methods";
import { ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { startFakeGitHub, type FakeGitHub, type RepoRecord } from "./support/fake-github/index.js";

const CALLBACK = "http://127.0.0.1:8080/console/auth/callback";

let fake: FakeGitHub;
let repo: RepoRecord;
let base: string;

function octokit(token: string): InstanceType<typeof ProbotOctokit> {
  return new ProbotOctokit({ auth: { token }, baseUrl: fake.url, throttle: { enabled: false }, retry: { enabled: false } });
}

/** The request function the console hands oauth-methods: it derives github.com's pages from the API base URL. */
function request() {
  return new ProbotOctokit({ baseUrl: fake.url }).request;
}

function authorizeUrl(options: { redirectUrl?: string; state?: string } = {}): string {
  return getWebFlowAuthorizationUrl({ clientType: "github-app", clientId: fake.state.app.clientId, redirectUrl: options.redirectUrl ?? CALLBACK, state: options.state ?? "s3cr3t", request: request() }).url;
}

/** The browser's side: GitHub redirects back to the console with a code. */
async function authorize(url: string): Promise<{ status: number; location: URL | undefined; body: string }> {
  const res = await fetch(url, { redirect: "manual" });
  const location = res.headers.get("location");
  return { status: res.status, location: location ? new URL(location) : undefined, body: await res.text() };
}

function exchange(code: string, options: { clientSecret?: string; clientId?: string; redirectUrl?: string } = {}) {
  return exchangeWebFlowCode({
    clientType: "github-app", clientId: options.clientId ?? fake.state.app.clientId, clientSecret: options.clientSecret ?? fake.state.app.clientSecret,
    code, redirectUrl: options.redirectUrl ?? CALLBACK, request: request(),
  });
}

async function codeFor(url = authorizeUrl()): Promise<string> {
  const { location } = await authorize(url);
  return location?.searchParams.get("code") ?? "";
}

beforeEach(async () => {
  fake = await startFakeGitHub();
  fake.state.app.callbackUrl = CALLBACK;
  repo = fake.state.addRepo({ owner: "acme", name: "templates", private: true });
  base = fake.state.commit(repo, { "README.md": "# Templates\n" }, { branch: "main" });
  fake.state.addRepo({ owner: "globex", name: "infra" });
  fake.state.addRepo({ owner: "initech", name: "tps" });
  fake.state.addRepo({ owner: "octocat", name: "dotfiles", ownerType: "User" });
  fake.state.addUser("octocat", { orgs: ["acme", "initech", "hooli"] });
  fake.state.signIn("octocat");
});

afterEach(async () => {
  try {
    fake.assertNoUnexpected();
  } finally {
    await fake.close();
  }
});

describe("fake GitHub: a GitHub App's user sign-in", () => {
  it("runs the web flow with oauth-methods: authorize, redirect with a code, exchange it for a user token", async () => {
    expect(fake.state.app.clientId).toMatch(/^Iv23li[0-9a-f]{14}$/);
    expect(fake.state.app.clientSecret).toMatch(/^[0-9a-f]{40}$/);
    const url = authorizeUrl({ state: "a b&c" });
    expect(url.startsWith(`${fake.url}/login/oauth/authorize?`)).toBe(true);
    expect(Object.fromEntries(new URL(url).searchParams)).toEqual({ allow_signup: "true", client_id: fake.state.app.clientId, redirect_uri: CALLBACK, state: "a b&c" });
    const { status, location } = await authorize(url);
    expect(status).toBe(302);
    expect(`${location?.origin}${location?.pathname}`).toBe(CALLBACK);
    expect(location?.searchParams.get("state")).toBe("a b&c");
    const { authentication } = await exchange(location?.searchParams.get("code") ?? "");
    expect(authentication).toMatchObject({ clientType: "github-app", token: expect.stringMatching(/^ghu_/), refreshToken: expect.stringMatching(/^ghr_/) });
    expect(Date.parse((authentication as { expiresAt: string }).expiresAt) - Date.now()).toBeGreaterThan(7.9 * 3600_000);
    expect(fake.state.userTokens.get(authentication.token)?.login).toBe("octocat");
    expect(fake.calls.map((c) => [c.method, c.path.split("?")[0], c.status, c.api])).toEqual([
      ["GET", "/login/oauth/authorize", 302, false],
      ["POST", "/login/oauth/access_token", 200, false],
    ]);
  });

  it("acts as the signed-in user: GET /user, and the installations on their account and their organizations only", async () => {
    const { authentication } = await exchange(await codeFor());
    const client = octokit(authentication.token);
    const { data: user } = await client.rest.users.getAuthenticated();
    expect(user.login).toBe("octocat");
    const installations = await client.paginate(client.rest.apps.listInstallationsForAuthenticatedUser, { per_page: 2 });
    // hooli has no installation; globex is not the user's.
    expect(installations.map((i) => i.account && "login" in i.account ? i.account.login : undefined).sort()).toEqual(["acme", "initech", "octocat"]);
    expect(installations.find((i) => i.target_type === "User")?.id).toBe(fake.state.installationId("octocat"));
    expect(fake.apiCalls().map((c) => c.operationId)).toEqual(["users/get-authenticated", ...Array(2).fill("apps/list-installations-for-authenticated-user")]);
  });

  it("refuses a code used twice, a wrong secret, an unknown client id and another redirect_uri, as GitHub answers (200 with an error)", async () => {
    const code = await codeFor();
    await expect(exchange(code, { clientSecret: "0".repeat(40) })).rejects.toMatchObject({ status: 400, response: { status: 200, data: { error: "incorrect_client_credentials" } } });
    await expect(exchange(code, { clientId: "Iv23liunknown000000" })).rejects.toMatchObject({ response: { data: { error: "incorrect_client_credentials" } } });
    await expect(exchange(code, { redirectUrl: `${CALLBACK}/elsewhere` })).rejects.toMatchObject({ response: { data: { error: "redirect_uri_mismatch" } } });
    await exchange(code);
    await expect(exchange(code)).rejects.toMatchObject({ response: { data: { error: "bad_verification_code", error_uri: expect.stringMatching(/^https:\/\/docs\.github\.com\//) } } });
    expect(fake.state.userTokens.size).toBe(1);
  });

  it("lets a code expire after 10 minutes", async () => {
    const code = await codeFor();
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(Date.now() + 10 * 60_000 + 1);
      await expect(exchange(code)).rejects.toMatchObject({ response: { data: { error: "bad_verification_code" } } });
    } finally {
      vi.useRealTimers();
    }
  });

  it("answers the exchange as a form when the client does not ask for JSON", async () => {
    const body = new URLSearchParams({ client_id: fake.state.app.clientId, client_secret: fake.state.app.clientSecret, code: await codeFor() });
    const res = await fetch(`${fake.url}/login/oauth/access_token`, { method: "POST", body });
    const answer = new URLSearchParams(await res.text());
    expect([res.status, answer.get("token_type"), answer.get("access_token")?.slice(0, 4)]).toEqual([200, "bearer", "ghu_"]);
  });

  it("checks the authorize step: the client id, who is signed in, and a redirect_uri under the callback URL", async () => {
    expect((await authorize(authorizeUrl().replace(fake.state.app.clientId, "Iv23linope"))).status).toBe(404);
    for (const redirectUrl of ["http://127.0.0.1:8081/console/auth/callback", `${CALLBACK}x`, "https://evil.example/console/auth/callback"]) {
      expect(await authorize(authorizeUrl({ redirectUrl }))).toMatchObject({ status: 400, body: "redirect_uri mismatch" });
    }
    expect(fake.takeUnexpected().map((u) => u.status)).toEqual([404, 400, 400, 400]);
    // A path under the callback URL is fine, and a query on it is kept.
    const { location } = await authorize(authorizeUrl({ redirectUrl: `${CALLBACK}/done?next=%2Fcatalog` }));
    expect(location?.searchParams.get("next")).toBe("/catalog");
    expect(location?.searchParams.get("code")).toMatch(/^[0-9a-f]{20}$/);
    fake.state.signedIn = undefined;
    expect(await authorize(authorizeUrl())).toMatchObject({ status: 401, body: expect.stringContaining("not signed in to GitHub") });
  });
});

describe("fake GitHub: user-to-server tokens", () => {
  it("lets a member who only reads see the repository, but not create a branch or a pull request", async () => {
    fake.state.commit(repo, { "README.md": "# Changed\n" }, { branch: "feature", parent: base });
    const client = octokit(fake.state.issueUserToken("octocat").token);
    expect((await client.rest.repos.get({ owner: "acme", repo: "templates" })).data.private).toBe(true);
    await expect(client.rest.git.createRef({ owner: "acme", repo: "templates", ref: "refs/heads/new", sha: base })).rejects.toMatchObject({
      status: 403, response: { data: { message: "Resource not accessible by integration", status: "403" } },
    });
    await expect(client.rest.pulls.create({ owner: "acme", repo: "templates", head: "feature", base: "main", title: "Change" })).rejects.toMatchObject({ status: 403 });
    expect([...repo.branches.keys()].sort()).toEqual(["feature", "main"]);
    expect(fake.state.pulls).toHaveLength(0);
  });

  it("lets a user given write open a pull request in their own name", async () => {
    fake.state.addUser("hubot");
    fake.state.setPermission(repo, "hubot", "write");
    const client = octokit(fake.state.issueUserToken("hubot").token);
    const { data: tree } = await client.rest.git.createTree({ owner: "acme", repo: "templates", base_tree: fake.state.git.get(base)?.treeSha, tree: [{ path: "a.txt", mode: "100644", type: "blob", content: "a\n" }] });
    const { data: commit } = await client.rest.git.createCommit({ owner: "acme", repo: "templates", message: "Add a", tree: tree.sha, parents: [base] });
    await client.rest.git.createRef({ owner: "acme", repo: "templates", ref: "refs/heads/add-a", sha: commit.sha });
    const { data: pull } = await client.rest.pulls.create({ owner: "acme", repo: "templates", head: "add-a", base: "main", title: "Add a" });
    expect(pull.user.login).toBe("hubot");
    expect(fake.state.pull(repo, pull.number).author).toBe("hubot");
  });

  it("hides a repository from a user who is not a member (404)", async () => {
    fake.state.addUser("mallory", { orgs: ["globex"] });
    const client = octokit(fake.state.issueUserToken("mallory").token);
    await expect(client.rest.repos.get({ owner: "acme", repo: "templates" })).rejects.toMatchObject({ status: 404 });
    expect(fake.takeUnexpected()).toEqual([expect.objectContaining({ status: 404, reason: expect.stringContaining("mallory cannot see acme/templates") })]);
    expect((await client.rest.repos.get({ owner: "globex", repo: "infra" })).status).toBe(200);
  });

  it("keeps GET /user and /user/installations for user tokens: an installation token gets 403", async () => {
    const client = octokit(fake.state.issueToken(repo.installationId).token);
    await expect(client.rest.users.getAuthenticated()).rejects.toMatchObject({ status: 403, response: { data: { message: "Resource not accessible by integration" } } });
    await expect(client.rest.apps.listInstallationsForAuthenticatedUser()).rejects.toMatchObject({ status: 403 });
    expect(fake.takeUnexpected().map((u) => u.reason)).toEqual([expect.stringContaining("needs a user token"), expect.stringContaining("needs a user token")]);
    // And it still writes as the app's bot.
    fake.state.commit(repo, { "b.txt": "b\n" }, { branch: "add-b", parent: base });
    const { data: pull } = await client.rest.pulls.create({ owner: "acme", repo: "templates", head: "add-b", base: "main", title: "Add b" });
    expect(pull.user.login).toBe(fake.state.botLogin);
  });
});
