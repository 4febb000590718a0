// The fake GitHub's issues: what an app uses to keep one issue per repository up to date.
import { ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ISSUE_BODY_LIMIT, startFakeGitHub, type FakeGitHub, type RepoRecord } from "./support/fake-github/index.js";

let fake: FakeGitHub;
let repo: RepoRecord;
const where = { owner: "acme", repo: "templates" };

function octokit(token = fake.state.issueToken(repo.installationId).token): InstanceType<typeof ProbotOctokit> {
  return new ProbotOctokit({ auth: { token }, baseUrl: fake.url, throttle: { enabled: false }, retry: { enabled: false } });
}

beforeEach(async () => {
  fake = await startFakeGitHub();
  repo = fake.state.addRepo({ owner: "acme", name: "templates" });
  const base = fake.state.commit(repo, { "README.md": "# Templates\n" }, { branch: "main" });
  const head = fake.state.commit(repo, { "README.md": "# Templates!\n" }, { parent: base });
  fake.state.openPullRequest(repo, { number: 7, base, head, author: "octocat" });
});

afterEach(async () => {
  try {
    fake.assertNoUnexpected();
  } finally {
    await fake.close();
  }
});

describe("fake GitHub issues", () => {
  it("creates an issue with a label, authored by the bot, numbered after the pull requests, and lists it by label", async () => {
    const gh = octokit();
    const { data: created, status, headers } = await gh.rest.issues.create({ ...where, title: "Baryon status", body: "All good", labels: ["baryon"] });
    expect(status).toBe(201);
    expect(headers.location).toBe(`${fake.url}/repos/acme/templates/issues/8`);
    expect(created).toMatchObject({ number: 8, state: "open", state_reason: null, user: { login: fake.state.botLogin, type: "Bot" }, labels: [{ name: "baryon", color: "ededed" }] });
    expect(fake.state.labels(repo).map((l) => l.name)).toEqual(["baryon"]);

    const { data: listed } = await gh.rest.issues.listForRepo({ ...where, labels: "baryon" });
    expect(listed.map((i) => i.number)).toEqual([8]);
    const { data: got } = await gh.rest.issues.get({ ...where, issue_number: 8 });
    expect(got.body).toBe("All good");
    expect(fake.state.issue(repo, 8)).toMatchObject({ title: "Baryon status", author: fake.state.botLogin, labels: ["baryon"], state: "open" });

    // The next pull request takes the number after the issue.
    const sha = fake.state.pull(repo, 7).headSha;
    expect(fake.state.openPullRequest(repo, { base: sha, head: sha, author: "octocat" }).number).toBe(9);
    // Naming an existing label in another case reuses it.
    const { data: second } = await gh.rest.issues.create({ ...where, title: "Other", labels: ["Baryon", "ops"] });
    expect(second.number).toBe(10);
    expect(fake.state.issue(repo, 10).labels).toEqual(["baryon", "ops"]);
    expect((await gh.rest.issues.listForRepo({ ...where, labels: "baryon,ops" })).data.map((i) => i.number)).toEqual([10]);
  });

  it("updates the body in place, then closes it as completed", async () => {
    const gh = octokit();
    const { data: created } = await gh.rest.issues.create({ ...where, title: "Baryon status", body: "v1", labels: ["baryon"] });
    const { data: updated } = await gh.rest.issues.update({ ...where, issue_number: created.number, body: "v2" });
    expect(updated).toMatchObject({ number: created.number, body: "v2", state: "open" });
    expect(Date.parse(updated.updated_at)).toBeGreaterThan(Date.parse(created.updated_at));
    expect(fake.state.issues(repo)).toHaveLength(1);

    const { data: closed } = await gh.rest.issues.update({ ...where, issue_number: created.number, state: "closed", state_reason: "completed" });
    expect(closed).toMatchObject({ state: "closed", state_reason: "completed", closed_by: { login: fake.state.botLogin } });
    expect(closed.closed_at).not.toBeNull();
    const numbers = async (state: "open" | "closed" | "all") => (await gh.rest.issues.listForRepo({ ...where, state })).data.map((i) => i.number);
    expect(await numbers("open")).toEqual([7]);
    expect(await numbers("closed")).toEqual([created.number]);
    expect(fake.state.issues(repo, { state: "open" })).toEqual([]);
    expect(fake.state.issue(repo, created.number)).toMatchObject({ state: "closed", stateReason: "completed", body: "v2" });

    const { data: reopened } = await gh.rest.issues.update({ ...where, issue_number: created.number, state: "open" });
    expect(reopened).toMatchObject({ state: "open", state_reason: "reopened", closed_at: null });
  });

  it("lists pull requests with a pull_request key, which a label filter excludes", async () => {
    fake.state.addIssue(repo, { title: "Set up by the test", author: "octocat", labels: ["baryon"] });
    const gh = octokit();
    const { data: all } = await gh.rest.issues.listForRepo({ ...where, state: "all" });
    expect(all.map((i) => [i.number, i.pull_request !== undefined])).toEqual([
      [8, false],
      [7, true],
    ]);
    expect(all[1]?.pull_request?.url).toBe(`${fake.url}/repos/acme/templates/pulls/7`);
    expect((await gh.rest.issues.listForRepo({ ...where, labels: "baryon" })).data.map((i) => i.number)).toEqual([8]);
    expect((await gh.rest.issues.listForRepo({ ...where, creator: "octocat", direction: "asc" })).data.map((i) => i.number)).toEqual([7, 8]);
    const { data: pull } = await gh.rest.issues.get({ ...where, issue_number: 7 });
    expect(pull.pull_request?.html_url).toBe("https://github.com/acme/templates/pull/7");
    // Paginated with the link header.
    const page = await gh.rest.issues.listForRepo({ ...where, per_page: 1 });
    expect(page.data).toHaveLength(1);
    expect(page.headers.link).toContain('rel="next"');
    // Comments on the issue now work through the existing comment operations.
    await gh.rest.issues.createComment({ ...where, issue_number: 8, body: "hello" });
    expect((await gh.rest.issues.get({ ...where, issue_number: 8 })).data.comments).toBe(1);
  });

  it("answers 404 for a repository of another installation, and records it", async () => {
    const other = fake.state.addRepo({ owner: "globex", name: "infra" });
    const gh = octokit(fake.state.issueToken(other.installationId).token);
    await expect(gh.rest.issues.create({ ...where, title: "x" })).rejects.toMatchObject({ status: 404 });
    await expect(gh.rest.issues.listForRepo(where)).rejects.toMatchObject({ status: 404 });
    expect(fake.takeUnexpected().map((u) => u.reason)).toEqual([expect.stringMatching(/belongs to installation/), expect.stringMatching(/belongs to installation/)]);
    expect(fake.state.issues(repo)).toEqual([]);
  });

  it("refuses a body over 65,536 characters as GitHub does, and records it", async () => {
    const gh = octokit();
    await expect(gh.rest.issues.create({ ...where, title: "x", body: "x".repeat(ISSUE_BODY_LIMIT + 1) })).rejects.toMatchObject({ status: 422 });
    const { data } = await gh.rest.issues.create({ ...where, title: "x", body: "x".repeat(ISSUE_BODY_LIMIT) });
    await expect(gh.rest.issues.update({ ...where, issue_number: data.number, body: "y".repeat(ISSUE_BODY_LIMIT + 1) })).rejects.toMatchObject({ status: 422 });
    expect(fake.takeUnexpected()).toEqual([
      expect.objectContaining({ operationId: "issues/create", status: 422, reason: expect.stringContaining("body is too long") }),
      expect.objectContaining({ operationId: "issues/update", status: 422, reason: expect.stringContaining("body is too long") }),
    ]);
    expect(fake.state.issue(repo, data.number).body).toHaveLength(ISSUE_BODY_LIMIT);
  });

  it("attributes an issue made with a user token to that user", async () => {
    fake.state.addUser("alice");
    fake.state.setPermission(repo, "alice", "write");
    const { data } = await octokit(fake.state.issueUserToken("alice").token).rest.issues.create({ ...where, title: "From alice" });
    expect(data.user?.login).toBe("alice");
    expect(fake.state.issue(repo, data.number).author).toBe("alice");
  });
});
