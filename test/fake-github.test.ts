// The loopback fake GitHub itself: Octokit (as Probot builds it) talks to it,
// everything is checked against GitHub's description, and requests nobody
// expected make assertNoUnexpected() fail.
import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Probot, ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { IMPLEMENTED_OPERATIONS, startFakeGitHub, type FakeGitHub, type RepoRecord } from "./support/fake-github/index.js";
import { loadOpenApi } from "./support/fake-github/openapi.js";
import { validateResponse } from "./support/fake-github/schema.js";
import { deliver, installationDelivery, issueCommentDelivery, pullRequestDelivery, pushDelivery } from "./support/fake-github/webhooks.js";

let fake: FakeGitHub;
let repo: RepoRecord;
let base: string;
let head: string;

function octokit(token = fake.state.issueToken(repo.installationId).token): InstanceType<typeof ProbotOctokit> {
  return new ProbotOctokit({ auth: { token }, baseUrl: fake.url, throttle: { enabled: false }, retry: { enabled: false } });
}

beforeEach(async () => {
  fake = await startFakeGitHub();
  repo = fake.state.addRepo({ owner: "acme", name: "templates" });
  base = fake.state.commit(repo, { "README.md": "# Templates\n", "templates/vpc/v1/schema/schema.yaml": "schema:\n  format:\n    openapi: 3.0.0\n" }, { branch: "main" });
  head = fake.state.commit(repo, { "templates/vpc/v1/schema/schema.yaml": "schema:\n  format:\n    openapi: 3.0.0\n  # more\n", "templates/vpc/v1/manifest.yaml": "infrastructure: {}\n" }, { parent: base });
  fake.state.openPullRequest(repo, { number: 7, base, head, author: "octocat" });
});

afterEach(async () => {
  try {
    fake.assertNoUnexpected();
  } finally {
    await fake.close();
  }
});

describe("fake GitHub", () => {
  it("starts quickly once GitHub's description is loaded, and listens on loopback", async () => {
    const started = performance.now();
    const second = await startFakeGitHub();
    const ms = performance.now() - started;
    await second.close();
    expect(second.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(ms).toBeLessThan(200);
  });

  it("implements only operations of GitHub's description, and can compile all their validators up front", async () => {
    const operations = loadOpenApi().operations;
    expect(IMPLEMENTED_OPERATIONS.filter((id) => !operations.has(id))).toEqual([]);
    const eager = await startFakeGitHub({ precompile: true });
    await eager.close();
  });

  it("authenticates a GitHub App: JWT for the installation token, the token for the repository", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
    const app = new ProbotOctokit({ auth: { appId: 1, privateKey }, baseUrl: fake.url, throttle: { enabled: false } });
    const { data: installation } = await app.rest.apps.getRepoInstallation({ owner: "acme", repo: "templates" });
    expect(installation.id).toBe(repo.installationId);
    const client = new ProbotOctokit({ auth: { appId: 1, privateKey, installationId: installation.id }, baseUrl: fake.url, throttle: { enabled: false } });
    const { data } = await client.rest.repos.get({ owner: "acme", repo: "templates" });
    expect(data.default_branch).toBe("main");
    expect(fake.apiCalls().map((c) => c.operationId)).toEqual(["apps/get-repo-installation", "apps/create-installation-access-token", "repos/get"]);
  });

  it("refuses a token that is not a JWT on app endpoints, and no token at all elsewhere", async () => {
    const noJwt = await fetch(`${fake.url}/app/installations/${repo.installationId}/access_tokens`, { method: "POST", headers: { authorization: "Bearer not-a-jwt" } });
    const anonymous = await fetch(`${fake.url}/repos/acme/templates`);
    expect([noJwt.status, anonymous.status]).toEqual([401, 401]);
    expect(fake.takeUnexpected().map((u) => u.reason)).toEqual([expect.stringContaining("not a JWT"), expect.stringContaining("Requires authentication")]);
  });

  it("serves pull requests and their files, paginated", async () => {
    const many: Record<string, string> = {};
    for (let i = 0; i < 35; i++) many[`templates/f${String(i).padStart(2, "0")}.txt`] = `file ${i}\n`;
    const wide = fake.state.commit(repo, many, { parent: base });
    fake.state.openPullRequest(repo, { number: 8, base, head: wide, author: "octocat", fork: true });
    const gh = octokit();
    const { data: pull } = await gh.rest.pulls.get({ owner: "acme", repo: "templates", pull_number: 8 });
    expect(pull.head.repo?.full_name).toBe("octocat/templates");
    expect(pull.base.sha).toBe(base);
    const files = await gh.paginate(gh.rest.pulls.listFiles, { owner: "acme", repo: "templates", pull_number: 8, per_page: 30 });
    expect(files).toHaveLength(35);
    expect(files[0]).toMatchObject({ filename: "templates/f00.txt", status: "added", additions: 1, patch: "@@ -0,0 +1 @@\n+file 0" });
    expect(fake.apiCalls().filter((c) => c.operationId === "pulls/list-files")).toHaveLength(2);
  });

  it("serves contents as GitHub does: base64 JSON, raw for Probot's config, 404 when missing", async () => {
    fake.state.commit(repo, { ".github/baryon.yml": "templates: templates/\n" }, { branch: "main" });
    const gh = octokit();
    const { data } = await gh.rest.repos.getContent({ owner: "acme", repo: "templates", path: "templates/vpc/v1/manifest.yaml", ref: head });
    expect(Buffer.from((data as { content: string }).content, "base64").toString()).toBe("infrastructure: {}\n");
    const folder = await gh.rest.repos.getContent({ owner: "acme", repo: "templates", path: "templates/vpc/v1", ref: head });
    expect((folder.data as { name: string; type: string }[]).map((e) => `${e.type}:${e.name}`)).toEqual(["file:manifest.yaml", "dir:schema"]);
    const config = await gh.config.get({ owner: "acme", repo: "templates", path: ".github/baryon.yml" });
    expect(config.config).toEqual({ templates: "templates/" });
    await expect(gh.rest.repos.getContent({ owner: "acme", repo: "templates", path: "nope.txt" })).rejects.toMatchObject({ status: 404 });
  });

  it("serves a real tarball through a codeload-like hop that is listed but not counted as an API call", async () => {
    const binary = new Uint8Array([0, 1, 2, 255]);
    const long = `templates/${"very-long-folder-name/".repeat(6)}file.yaml`;
    const sha = fake.state.commit(repo, { "bin/data.bin": binary, [long]: "deep\n", "link.yaml": { symlink: "README.md" } }, { branch: "main" });
    const { data } = await octokit().rest.repos.downloadTarballArchive({ owner: "acme", repo: "templates", ref: "main" });
    const dir = mkdtempSync(join(tmpdir(), "fake-github-"));
    writeFileSync(join(dir, "repo.tar.gz"), Buffer.from(data as ArrayBuffer));
    execFileSync("tar", ["-xzf", "repo.tar.gz"], { cwd: dir });
    const root = join(dir, `acme-templates-${sha.slice(0, 7)}`);
    expect(readFileSync(join(root, "README.md"), "utf8")).toBe("# Templates\n");
    expect(new Uint8Array(readFileSync(join(root, "bin/data.bin")))).toEqual(binary);
    expect(readFileSync(join(root, long), "utf8")).toBe("deep\n");
    expect(readlinkSync(join(root, "link.yaml"))).toBe("README.md");
    expect(fake.calls.map((c) => [c.status, c.api, c.operationId])).toEqual([
      [302, true, "repos/download-tarball-archive"],
      [200, false, undefined],
    ]);
    expect(fake.apiCalls()).toHaveLength(1);
  });

  it("lists a recursive tree and its blobs with git's own ids", async () => {
    const gh = octokit();
    const { data } = await gh.rest.git.getTree({ owner: "acme", repo: "templates", tree_sha: head, recursive: "true" });
    const readme = data.tree.find((e) => e.path === "README.md");
    // `git hash-object` of "# Templates\n".
    expect(readme?.sha).toBe(execFileSync("git", ["hash-object", "--stdin"], { input: "# Templates\n" }).toString().trim());
    expect(data.tree.map((e) => e.path)).toContain("templates/vpc/v1/schema/schema.yaml");
    const blob = await gh.rest.git.getBlob({ owner: "acme", repo: "templates", file_sha: readme?.sha ?? "" });
    expect(Buffer.from(blob.data.content, "base64").toString()).toBe("# Templates\n");
  });

  it("keeps check runs and their annotations across updates", async () => {
    const gh = octokit();
    const annotation = { path: "templates/vpc/v1/manifest.yaml", start_line: 1, end_line: 1, annotation_level: "failure" as const, message: "bad" };
    const { data: run } = await gh.rest.checks.create({ owner: "acme", repo: "templates", name: "baryon / templates", head_sha: head, status: "in_progress", output: { title: "Reviewing", summary: "…", annotations: Array(50).fill(annotation) } });
    await gh.rest.checks.update({ owner: "acme", repo: "templates", check_run_id: run.id, conclusion: "failure", output: { title: "1 error", summary: "See annotations", annotations: [annotation] } });
    const { data } = await gh.rest.checks.listForRef({ owner: "acme", repo: "templates", ref: head });
    expect(data.check_runs).toHaveLength(1);
    expect(data.check_runs[0]).toMatchObject({ status: "completed", conclusion: "failure", output: { title: "1 error", annotations_count: 51 } });
    expect(fake.state.checkRuns(repo, { headSha: head })[0]?.annotations).toHaveLength(51);
  });

  it("refuses 51 annotations and a missing required field, and reports both", async () => {
    const gh = octokit();
    const annotation = { path: "a.yaml", start_line: 1, end_line: 1, annotation_level: "warning" as const, message: "m" };
    await expect(gh.rest.checks.create({ owner: "acme", repo: "templates", name: "x", head_sha: head, output: { title: "t", summary: "s", annotations: Array(51).fill(annotation) } })).rejects.toMatchObject({ status: 422 });
    // @ts-expect-error head_sha is missing on purpose
    await expect(gh.request("POST /repos/{owner}/{repo}/check-runs", { owner: "acme", repo: "templates", name: "x" })).rejects.toMatchObject({ status: 422 });
    expect(() => fake.assertNoUnexpected()).toThrow(/2 unexpected request\(s\)[\s\S]*body\/output\/annotations must NOT have more than 50 items[\s\S]*must have required property 'head_sha'/);
  });

  it("reports a field GitHub does not know, an operation that does not exist and one the fake lacks", async () => {
    const gh = octokit();
    await expect(gh.request("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", { owner: "acme", repo: "templates", comment_id: 1, body: "x", bodyy: "typo" })).rejects.toMatchObject({ status: 422 });
    await expect(gh.request("GET /repos/{owner}/{repo}/no-such-thing", { owner: "acme", repo: "templates" })).rejects.toMatchObject({ status: 501 });
    await expect(gh.rest.repos.listBranches({ owner: "acme", repo: "templates" })).rejects.toMatchObject({ status: 501 });
    expect(fake.takeUnexpected().map((u) => u.reason)).toEqual([
      expect.stringContaining("body.bodyy is not a field of issues/update-comment"),
      expect.stringContaining("is not an operation of GitHub's REST API"),
      expect.stringContaining("repos/list-branches (GET /repos/{owner}/{repo}/branches) is not implemented"),
    ]);
  });

  it("writes, edits and reacts to comments, and refuses a body over 65,536 characters", async () => {
    const gh = octokit();
    const command = fake.state.addComment(repo, 7, { author: "alice", body: "/rollout status" });
    const { data: created } = await gh.rest.issues.createComment({ owner: "acme", repo: "templates", issue_number: 7, body: "<!-- baryon -->\nfirst" });
    await gh.rest.issues.updateComment({ owner: "acme", repo: "templates", comment_id: created.id, body: "<!-- baryon -->\nsecond" });
    await gh.rest.reactions.createForIssueComment({ owner: "acme", repo: "templates", comment_id: command.id, content: "eyes" });
    const listed = await gh.paginate(gh.rest.issues.listComments, { owner: "acme", repo: "templates", issue_number: 7 });
    expect(listed.map((c) => [c.user?.login, c.body])).toEqual([["alice", "/rollout status"], ["baryon[bot]", "<!-- baryon -->\nsecond"]]);
    expect(fake.state.comment(command.id)?.reactions.map((r) => r.content)).toEqual(["eyes"]);
    await expect(gh.rest.issues.createComment({ owner: "acme", repo: "templates", issue_number: 7, body: "x".repeat(65_537) })).rejects.toMatchObject({ status: 422 });
    expect(fake.takeUnexpected()).toEqual([expect.objectContaining({ operationId: "issues/create-comment", reason: expect.stringContaining("body is too long") })]);
    expect(fake.state.comments(repo, 7)).toHaveLength(2);
  });

  it("answers permission and team membership from the state", async () => {
    fake.state.setPermission(repo, "alice", "maintain");
    fake.state.addTeamMember("acme", "platform", "alice");
    const gh = octokit();
    const { data } = await gh.rest.repos.getCollaboratorPermissionLevel({ owner: "acme", repo: "templates", username: "alice" });
    expect([data.permission, data.role_name]).toEqual(["write", "maintain"]);
    const { data: team } = await gh.rest.teams.getMembershipForUserInOrg({ org: "acme", team_slug: "platform", username: "alice" });
    expect(team.state).toBe("active");
    await expect(gh.rest.teams.getMembershipForUserInOrg({ org: "acme", team_slug: "platform", username: "bob" })).rejects.toMatchObject({ status: 404 });
  });

  it("reports a token used on another installation's repository", async () => {
    const other = fake.state.addRepo({ owner: "globex", name: "infra" });
    await expect(octokit(fake.state.issueToken(other.installationId).token).rest.repos.get({ owner: "acme", repo: "templates" })).rejects.toMatchObject({ status: 404 });
    expect(fake.takeUnexpected()[0]?.reason).toMatch(/belongs to installation/);
  });

  it("injects failures, and reports one nobody used", async () => {
    fake.failNext("pulls/get", { status: 502, message: "Server Error" });
    await expect(octokit().rest.pulls.get({ owner: "acme", repo: "templates", pull_number: 7 })).rejects.toMatchObject({ status: 502 });
    fake.failNext("repos/get", { status: 500 });
    expect(() => fake.assertNoUnexpected()).toThrow(/injected failure of repos\/get \(500\) was never used/);
  });

  it("checks its own responses against GitHub's description", () => {
    const operation = loadOpenApi().operations.get("repos/get");
    if (!operation) throw new Error("repos/get is in the description");
    const problems = validateResponse(operation, 200, { id: "1", name: "templates" });
    expect(problems).toContainEqual({ where: "response", message: "must have required property 'archive_url'" });
    expect(problems.at(-1)?.message).toMatch(/^and \d+ more problems$/);
    expect(validateResponse(operation, 418, {})).toEqual([{ where: "response", message: "status 418 is not a response of repos/get" }]);
  });

  it("adds the configured latency to every response", async () => {
    const slow = await startFakeGitHub({ latencyMs: 50 });
    try {
      const started = performance.now();
      await fetch(`${slow.url}/repos/acme/templates`);
      expect(performance.now() - started).toBeGreaterThanOrEqual(49);
      slow.takeUnexpected();
    } finally {
      await slow.close();
    }
  });
});

describe("webhook deliveries", () => {
  const secret = "webhook-secret";

  it("are GitHub's example payloads patched with the test's repository, numbers and SHAs, signed with the secret", async () => {
    const pull = fake.state.pull(repo, 7);
    const opened = pullRequestDelivery(fake, "opened", pull, { secret });
    const payload = JSON.parse(opened.body) as Record<string, any>;
    expect(payload).toMatchObject({ action: "opened", number: 7, installation: { id: repo.installationId }, repository: { full_name: "acme/templates", owner: { login: "acme" } } });
    expect(payload.pull_request).toMatchObject({ number: 7, head: { sha: head }, base: { sha: base, ref: "main" }, user: { login: "octocat" } });
    expect(payload.pull_request.url).toBe(`${fake.url}/repos/acme/templates/pulls/7`);
    expect(opened.body).not.toContain("Codertocat/Hello-World");
    const probot = new Probot({ appId: 1, privateKey: "unused", secret, logLevel: "fatal" });
    await probot.ready();
    expect(await probot.webhooks.verify(opened.body, opened.headers["x-hub-signature-256"])).toBe(true);
    expect(await probot.webhooks.verify(`${opened.body} `, opened.headers["x-hub-signature-256"])).toBe(false);
    const again = pullRequestDelivery(fake, "opened", pull, { secret, deliveryId: opened.headers["x-github-delivery"] });
    expect(again.headers["x-github-delivery"]).toBe(opened.headers["x-github-delivery"]);
    expect(pullRequestDelivery(fake, "opened", pull, { secret }).headers["x-github-delivery"]).not.toBe(opened.headers["x-github-delivery"]);
  });

  it("cover synchronize, closed, comments, push and installation", async () => {
    const pull = fake.state.pushToPullRequest(repo, 7, fake.state.commit(repo, { "x.txt": "x\n" }, { parent: head }));
    const sync = JSON.parse(pullRequestDelivery(fake, "synchronize", pull, { secret, before: head }).body) as Record<string, any>;
    expect([sync.before, sync.after]).toEqual([head, pull.headSha]);
    fake.state.closePullRequest(repo, 7, { merged: true });
    const closed = JSON.parse(pullRequestDelivery(fake, "closed", pull, { secret }).body) as Record<string, any>;
    expect(closed.pull_request).toMatchObject({ merged: true, state: "closed", merge_commit_sha: fake.state.repo("acme/templates").branches.get("main") });
    const comment = fake.state.addComment(repo, 7, { author: "alice", body: "/rollout prod" });
    const said = JSON.parse(issueCommentDelivery(fake, "created", comment, { secret }).body) as Record<string, any>;
    expect(said).toMatchObject({ comment: { id: comment.id, body: "/rollout prod", user: { login: "alice" } }, issue: { number: 7, pull_request: { url: `${fake.url}/repos/acme/templates/pulls/7` } }, sender: { login: "alice" } });
    const push = JSON.parse(pushDelivery(fake, repo, { ref: "refs/heads/main", before: base, after: head }, { secret }).body) as Record<string, any>;
    expect(push).toMatchObject({ ref: "refs/heads/main", after: head, head_commit: { id: head }, repository: { full_name: "acme/templates" } });
    const forked = fake.state.openPullRequest(repo, { number: 9, base, head, author: "mallory", fork: true });
    const fork = JSON.parse(pullRequestDelivery(fake, "opened", forked, { secret }).body) as Record<string, any>;
    expect([fork.pull_request.head.repo.full_name, fork.pull_request.head.repo.fork, fork.pull_request.base.repo.full_name]).toEqual(["mallory/templates", true, "acme/templates"]);
    const installed = JSON.parse(installationDelivery(fake, "created", [repo], { secret }).body) as Record<string, any>;
    expect(installed).toMatchObject({ installation: { id: repo.installationId, account: { login: "acme" } }, repositories: [{ full_name: "acme/templates" }] });
  });

  it("deliver() POSTs the exact body with its headers and times the answer", async () => {
    const { createServer } = await import("node:http");
    let seen: { headers: Record<string, unknown>; body: string } | undefined;
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        seen = { headers: req.headers, body };
        res.writeHead(202).end("ok");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const delivery = pullRequestDelivery(fake, "opened", fake.state.pull(repo, 7), { secret });
    const address = server.address() as { port: number };
    const result = await deliver(`http://127.0.0.1:${address.port}/api/github/webhooks`, delivery);
    server.close();
    expect(result).toMatchObject({ status: 202, body: "ok" });
    expect(result.ms).toBeGreaterThan(0);
    expect(seen?.body).toBe(delivery.body);
    expect(seen?.headers["x-github-event"]).toBe("pull_request");
  });
});
