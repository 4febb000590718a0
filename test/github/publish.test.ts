// Merge to publish, end to end: review, merge, publish, reply — then the next
// pull request on the same template gets the next minor.
import { describe, expect, it } from "vitest";
import {
  CreateEnvironmentTemplateVersionCommand, CreateServiceTemplateVersionCommand, GetEnvironmentTemplateCommand,
  GetEnvironmentTemplateVersionCommand, GetServiceTemplateCommand, GetServiceTemplateVersionCommand,
  UpdateEnvironmentTemplateVersionCommand, UpdateServiceTemplateVersionCommand, type TemplateVersionStatus,
} from "@aws-sdk/client-proton";
import { protonMirror } from "../../src/adapters/proton/version-mirror.js";
import { meta, rig } from "../provision/proton/helpers.js";
import { exampleFiles, harnessPerTest, SECRET, type Harness } from "../support/app-harness.js";
import { deliver, issueCommentDelivery, pullRequestDelivery, pushDelivery } from "../support/fake-github/webhooks.js";

const SVC = "templates/load-balanced-fargate-svc/v1";
const CONFIG = { ".github/baryon.yml": "templates: templates\n" };
let h: Harness;
const harness = harnessPerTest((next) => (h = next));
/** The registry as the owner of the test's repository sees it. */
const acme = () => h.db.registry.versions({ login: "acme" });

const stamp = { createdAt: new Date(0), lastModifiedAt: new Date(0) };
const envVersion = (major: string, minor: string, status: TemplateVersionStatus) => ({
  environmentTemplateVersion: { templateName: "x", majorVersion: major, minorVersion: minor, status, arn: `arn:aws:proton:us-east-1:123456789012:environment-template/x:${major}.${minor}`, ...stamp },
  ...meta,
});
const svcVersion = (major: string, minor: string, status: TemplateVersionStatus, statusMessage?: string) => ({
  serviceTemplateVersion: {
    templateName: "load-balanced-fargate-svc", majorVersion: major, minorVersion: minor, status, ...(statusMessage ? { statusMessage } : {}),
    arn: `arn:aws:proton:us-east-1:123456789012:service-template/load-balanced-fargate-svc:${major}.${minor}`,
    compatibleEnvironmentTemplates: [{ templateName: "fargate-env", majorVersion: "1" }], ...stamp,
  },
  ...meta,
});

function addInput(files: Record<string, string>, name: string): Record<string, string> {
  const path = `${SVC}/schema/schema.yaml`;
  return { [path]: files[path]!.replace("        env_vars:", `        ${name}:\n          type: string\n          default: "x"\n        env_vars:`) };
}

/** A repository whose main branch Baryon has already published (as after installing it). */
async function publishedRepo() {
  const repo = h.fake.state.addRepo({ owner: "acme", name: "templates" });
  const files = { ...CONFIG, ...exampleFiles() };
  const main = h.fake.state.commit(repo, files, { branch: "main" });
  const res = await deliver(h.webhookUrl, pushDelivery(h.fake, repo, { ref: "refs/heads/main", before: "0".repeat(40), after: main }, { secret: SECRET }));
  expect(res.status).toBe(200);
  await h.app.queue.idle();
  return { repo, main, files };
}

async function mergedPullRequest(repo: ReturnType<typeof h.fake.state.addRepo>, number: number, changes: Record<string, string>) {
  const baseSha = repo.branches.get("main")!;
  const head = h.fake.state.commit(repo, changes, { parent: baseSha });
  const pull = h.fake.state.openPullRequest(repo, { number, base: baseSha, head, author: "octocat" });
  await deliver(h.webhookUrl, pullRequestDelivery(h.fake, "opened", pull, { secret: SECRET }));
  await h.app.queue.idle();
  const merged = h.fake.state.closePullRequest(repo, number, { merged: true });
  await deliver(h.webhookUrl, pullRequestDelivery(h.fake, "closed", merged, { secret: SECRET }));
  await deliver(h.webhookUrl, pushDelivery(h.fake, repo, { ref: "refs/heads/main", before: baseSha, after: merged.mergeCommitSha! }, { secret: SECRET }));
  await h.app.queue.idle();
  return merged;
}

describe("merge to publish", () => {
  it("a push to main publishes 1.0 of every template; the review then announces 1.1, the merge publishes it and says so", async () => {
    const { repo, files } = await publishedRepo();
    expect((await acme().listVersions("load-balanced-fargate-svc")).map((v) => `${v.major}.${v.minor}`)).toEqual(["1.0"]);

    const first = addInput(files, "log_retention");
    const merged = await mergedPullRequest(repo, 7, first);
    const comments = h.fake.state.comments(repo, 7);
    expect(comments).toHaveLength(2);
    expect(comments[0]!.body).toContain("| `load-balanced-fargate-svc` v1 | service | minor | Published 1.1 |");
    expect(comments[0]!.body).toContain("**Merged.** Published load-balanced-fargate-svc 1.1.");
    expect(comments[1]!.body).toContain("Published load-balanced-fargate-svc 1.1");
    const v = await acme().getVersion("load-balanced-fargate-svc", 1, 1);
    expect(v).toMatchObject({ status: "published", source: { repository: "acme/templates", commit: merged.mergeCommitSha, pullRequest: 7 } });
    // The merge's push and its pull_request event both arrived: still one version.
    expect((await acme().listVersions("load-balanced-fargate-svc")).map((x) => `${x.major}.${x.minor}`)).toEqual(["1.0", "1.1"]);

    // The next pull request on the same template is reviewed and published as 1.2.
    const second = await mergedPullRequest(repo, 8, addInput(first, "owner_team"));
    expect(h.fake.state.comments(repo, 8)[0]!.body).toContain("| `load-balanced-fargate-svc` v1 | service | minor | Published 1.2 |");
    expect(h.fake.state.comments(repo, 8)[1]!.body).toContain("Published load-balanced-fargate-svc 1.2");
    expect((await acme().recommendedVersion("load-balanced-fargate-svc"))).toMatchObject({ major: 1, minor: 2 });
    void second;
  });

  it("a redelivered merge changes nothing", async () => {
    const { repo, files } = await publishedRepo();
    const merged = await mergedPullRequest(repo, 7, addInput(files, "log_retention"));
    await deliver(h.webhookUrl, pullRequestDelivery(h.fake, "closed", merged, { secret: SECRET }));
    await h.app.queue.idle();
    expect(h.fake.state.comments(repo, 7)).toHaveLength(2);
    expect((await acme().listVersions("load-balanced-fargate-svc")).length).toBe(2);
  });

  it("/publish retries for an authorized user, and is refused with a reason for others", async () => {
    const { repo, files } = await publishedRepo();
    await mergedPullRequest(repo, 7, addInput(files, "log_retention"));
    h.fake.state.setPermission(repo, "maintainer", "write");
    h.fake.state.setPermission(repo, "visitor", "read");

    const refused = h.fake.state.addComment(repo, 7, { author: "visitor", body: "/publish" });
    await deliver(h.webhookUrl, issueCommentDelivery(h.fake, "created", refused, { secret: SECRET }));
    await h.app.queue.idle();
    expect(h.fake.state.comments(repo, 7).at(-1)!.body).toContain("@visitor `/publish` needs write access to acme/templates; you have read. Nothing was done.");
    expect(h.fake.state.comments(repo, 7).find((c) => c.id === refused.id)!.reactions.map((r) => r.content)).toEqual(["-1"]);

    const allowed = h.fake.state.addComment(repo, 7, { author: "maintainer", body: "/publish" });
    await deliver(h.webhookUrl, issueCommentDelivery(h.fake, "created", allowed, { secret: SECRET }));
    await h.app.queue.idle();
    expect(h.fake.state.comments(repo, 7).find((c) => c.id === allowed.id)!.reactions.map((r) => r.content)).toEqual(["eyes"]);
    // The versions this merge recorded are confirmed; nothing is recorded twice.
    // The versions this merge recorded are not published again: the reply says so, quoting the command.
    const answer = h.fake.state.comments(repo, 7).at(-1)!.body;
    expect(answer).toMatch(/\n> \/publish\n\n@maintainer Nothing new was published: this merge's bundles are already recorded \(.*load-balanced-fargate-svc 1\.1.*\)\.$/);
    expect((await acme().listVersions("load-balanced-fargate-svc")).length).toBe(2);
  });

  it("/publish on an older merge that a later merge changed again publishes nothing, and says why", async () => {
    const { repo, files } = await publishedRepo();
    // Pull request 7 merges, but its webhooks are lost: nothing publishes it.
    const first = addInput(files, "log_retention");
    const base = repo.branches.get("main")!;
    h.fake.state.openPullRequest(repo, { number: 7, base, head: h.fake.state.commit(repo, first, { parent: base }), author: "octocat" });
    h.fake.state.closePullRequest(repo, 7, { merged: true });
    // Pull request 8 builds on it (a compatible change) and is published: 1.1 has both changes.
    await mergedPullRequest(repo, 8, { [`${SVC}/RUNBOOK.md`]: "Page the platform team.\n" });
    expect((await acme().listVersions("load-balanced-fargate-svc")).map((v) => `${v.major}.${v.minor}`)).toEqual(["1.0", "1.1"]);

    // A late /publish of 7 would bring back 7's bundle, without 8's file, as 1.2.
    h.fake.state.setPermission(repo, "maintainer", "write");
    const command = h.fake.state.addComment(repo, 7, { author: "maintainer", body: "/publish" });
    await deliver(h.webhookUrl, issueCommentDelivery(h.fake, "created", command, { secret: SECRET }));
    await h.app.queue.idle();
    expect((await acme().listVersions("load-balanced-fargate-svc")).map((v) => `${v.major}.${v.minor}`)).toEqual(["1.0", "1.1"]);
    expect(h.fake.state.comments(repo, 7).at(-1)!.body).toContain("Not published: load-balanced-fargate-svc v1 has changed again on the default branch since this commit");
  });

  it("an unknown command gets an answer, not silence", async () => {
    const { repo, files } = await publishedRepo();
    await mergedPullRequest(repo, 7, addInput(files, "log_retention"));
    const comment = h.fake.state.addComment(repo, 7, { author: "octocat", body: "/deploy everything" });
    await deliver(h.webhookUrl, issueCommentDelivery(h.fake, "created", comment, { secret: SECRET }));
    expect(h.fake.state.comments(repo, 7).at(-1)!.body).toContain("`/deploy everything` is not a Baryon command");
  });
});

describe("merge to publish with the AWS Proton publisher (AWS mocked)", () => {
  it("reports a Proton registration failure on the pull request, and keeps Baryon's version", async () => {
    const r = rig();
    // 1.0 registers; the 1.1 minor fails registration with Proton's own message.
    r.proton.on(GetServiceTemplateCommand).resolves({ serviceTemplate: { name: "load-balanced-fargate-svc", arn: "arn:aws:proton:us-east-1:123456789012:service-template/load-balanced-fargate-svc", createdAt: new Date(0), lastModifiedAt: new Date(0) }, ...meta });
    r.proton.on(GetEnvironmentTemplateCommand).resolves({ environmentTemplate: { name: "x", arn: "arn:aws:proton:us-east-1:123456789012:environment-template/x", createdAt: new Date(0), lastModifiedAt: new Date(0) }, ...meta });
    r.proton.on(CreateEnvironmentTemplateVersionCommand).resolves(envVersion("1", "0", "REGISTRATION_IN_PROGRESS"));
    r.proton.on(GetEnvironmentTemplateVersionCommand).resolves(envVersion("1", "0", "DRAFT"));
    r.proton.on(UpdateEnvironmentTemplateVersionCommand).resolves(envVersion("1", "0", "PUBLISHED"));
    r.proton.on(CreateServiceTemplateVersionCommand).callsFake((input: { majorVersion?: string }) => svcVersion("1", input.majorVersion ? "1" : "0", "REGISTRATION_IN_PROGRESS"));
    r.proton.on(GetServiceTemplateVersionCommand).callsFake((input: { minorVersion: string }) => input.minorVersion === "1"
      ? svcVersion("1", "1", "REGISTRATION_FAILED", "Template bundle is missing a schema")
      : svcVersion("1", "0", "DRAFT"));
    r.proton.on(UpdateServiceTemplateVersionCommand).resolves(svcVersion("1", "0", "PUBLISHED"));
    try {
      await harness.restart({ mirror: protonMirror(r.publisher, "acme") });
      const { repo, files } = await publishedRepo();
      await mergedPullRequest(repo, 7, addInput(files, "log_retention"));
      const bodies = h.fake.state.comments(repo, 7).map((c) => c.body);
      expect(bodies.some((b) => b.includes("Published load-balanced-fargate-svc 1.1"))).toBe(true);
      expect(bodies.find((b) => b.includes("not mirrored"))).toMatch(/load-balanced-fargate-svc 1\.1 is published in Baryon, but was not mirrored to AWS Proton: .*Template bundle is missing a schema/);
      expect(await acme().getVersion("load-balanced-fargate-svc", 1, 1)).toMatchObject({ status: "published", mirror: { status: "failed" } });
      expect(await acme().getVersion("load-balanced-fargate-svc", 1, 0)).toMatchObject({ mirror: { status: "done" } });
      // The minor went to Proton as a minor of major 1; the first publish as a new major.
      const creates = r.proton.commandCalls(CreateServiceTemplateVersionCommand).map((c) => c.args[0].input.majorVersion);
      expect(creates).toEqual([undefined, "1"]);
    } finally {
      r.restore();
    }
  });
});
