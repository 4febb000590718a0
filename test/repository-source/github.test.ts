// The GitHub RepositorySource against the loopback fake GitHub: requests are counted there.
import { ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { githubRepositorySource } from "../../src/adapters/github/repository-source.js";
import { startFakeGitHub, type FakeGitHub, type RepoRecord } from "../support/fake-github/index.js";
import { repositorySourceContract, type Files, type Reads } from "./contract.js";

let fake: FakeGitHub;
let repos = 0;
beforeEach(async () => void (fake = await startFakeGitHub()));
afterEach(async () => {
  try {
    fake.assertNoUnexpected();
  } finally {
    await fake.close();
  }
});

const octokit = (repo: RepoRecord) =>
  new ProbotOctokit({ auth: { token: fake.state.issueToken(repo.installationId).token }, baseUrl: fake.url, throttle: { enabled: false }, retry: { enabled: false } });

/** A repository with `base` on main and `head` as a commit on top of it (files absent from head deleted). */
function change(base: Files, head: Files, owner = "acme") {
  const repo = fake.state.addRepo({ owner, name: `templates-${++repos}` });
  const baseSha = fake.state.commit(repo, base, { branch: "main" });
  const deleted = Object.fromEntries(Object.keys(base).filter((p) => !(p in head)).map((p) => [p, null]));
  const headSha = fake.state.commit(repo, { ...head, ...deleted }, { parent: baseSha });
  return { repo, baseSha, headSha };
}

/** Requests since `from`, by the part of the source that made them. */
function readsSince(from: number, baseSha: string, headSha: string): Reads {
  const calls = fake.calls.slice(from).filter((c) => c.api);
  const tarball = (sha: string) => calls.filter((c) => c.operationId === "repos/download-tarball-archive" && c.path.includes(sha)).length;
  return { config: calls.filter((c) => c.operationId === "repos/get-content").length, base: tarball(baseSha), head: tarball(headSha) };
}

repositorySourceContract("GitHub (loopback fake)", () => ({
  async create(base, head) {
    const { repo, baseSha, headSha } = change(base, head);
    const from = fake.calls.length;
    const source = githubRepositorySource(octokit(repo), { owner: repo.owner, repo: repo.name, baseSha, headSha });
    return { source, reads: () => readsSince(from, baseSha, headSha) };
  },
}));

describe("githubRepositorySource", () => {
  it("costs one request for the config and one tarball per side", async () => {
    const files = { ".github/baryon.yml": "templates: templates\n", "templates/vpc/v1/schema/schema.yaml": "schema: {}\n" };
    const { repo, baseSha, headSha } = change(files, { ...files, "templates/vpc/v1/manifest.yaml": "infrastructure: {}\n" });
    const from = fake.calls.length;
    const source = githubRepositorySource(octokit(repo), { owner: repo.owner, repo: repo.name, baseSha, headSha });
    await Promise.all([source.head(), source.base(), source.config(), source.head()]);
    expect(readsSince(from, baseSha, headSha)).toEqual({ config: 1, base: 1, head: 1 });
    expect(fake.calls.slice(from).filter((c) => c.api)).toHaveLength(3);
  });

  it("keeps only the config's templates folder (and the config) in the snapshots", async () => {
    const files = { ".github/baryon.yml": "templates: templates\n", "templates/vpc/v1/schema/schema.yaml": "schema: {}\n", "src/app.ts": "export {};\n" };
    const { repo, baseSha, headSha } = change(files, files);
    const source = githubRepositorySource(octokit(repo), { owner: repo.owner, repo: repo.name, baseSha, headSha });
    expect([...(await source.head()).files.keys()].sort()).toEqual([".github/baryon.yml", "templates/vpc/v1/schema/schema.yaml"]);
  });

  it("follows _extends to the organisation's .github repository", async () => {
    const org = fake.state.addRepo({ owner: "acme", name: ".github" });
    fake.state.commit(org, { ".github/baryon.yml": "templates: platform\npublish: draft\n" }, { branch: "main" });
    const { repo, headSha } = change({ ".github/baryon.yml": "_extends: .github\npublish: published\n" }, { ".github/baryon.yml": "_extends: .github\npublish: published\n" });
    const source = githubRepositorySource(octokit(repo), { owner: repo.owner, repo: repo.name, headSha });
    const result = await source.config();
    expect(result).toMatchObject({ ok: true, config: { templates: "platform", publish: "published" }, diagnostics: [] });
  });

  it("reports a file named by _extends that is not YAML, rather than failing the job", async () => {
    const org = fake.state.addRepo({ owner: "acme", name: ".github" });
    fake.state.commit(org, { ".github/baryon.yml": "rollout: [\n" }, { branch: "main" });
    const { repo, headSha } = change({ ".github/baryon.yml": "_extends: .github\n" }, { ".github/baryon.yml": "_extends: .github\n" });
    const result = await githubRepositorySource(octokit(repo), { owner: repo.owner, repo: repo.name, headSha }).config();
    expect(result.ok).toBe(false);
    expect(result.diagnostics[0]).toMatchObject({ file: ".github/baryon.yml", severity: "error", code: "config-invalid" });
    expect(result.diagnostics[0]!.message).toMatch(/could not be parsed .*\.github.*invalid YAML/);
  });

  it("has an empty base, read with no request, when the change has no base commit", async () => {
    const { repo, headSha } = change({ "vpc/v1/schema/schema.yaml": "schema: {}\n" }, { "vpc/v1/schema/schema.yaml": "schema: {}\n" });
    const from = fake.calls.length;
    const source = githubRepositorySource(octokit(repo), { owner: repo.owner, repo: repo.name, headSha, templates: "vpc" });
    expect((await source.base()).files.size).toBe(0);
    expect([...(await source.head()).files.keys()]).toEqual(["vpc/v1/schema/schema.yaml"]);
    // The templates folder was given: no config request was needed to filter the head.
    expect(fake.calls.slice(from).filter((c) => c.api).map((c) => c.operationId)).toEqual(["repos/download-tarball-archive"]);
  });
});
