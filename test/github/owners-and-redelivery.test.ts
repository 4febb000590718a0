// One app, many owners: each organization's templates are numbered, shown and
// published on their own. And a delivery acts once, whatever GitHub sends again.
import { describe, expect, it } from "vitest";
import { exampleFiles, harnessPerTest, SECRET, uuid, type Harness } from "../support/app-harness.js";
import { deliver, issueCommentDelivery, pullRequestDelivery, pushDelivery } from "../support/fake-github/webhooks.js";

const VPC = "templates/vpc/v1";
const CONFIG = { ".github/baryon.yml": "templates: templates\n" };
let h: Harness;
harnessPerTest((next) => (h = next));

/** The example environment template (fargate-env), renamed `vpc`: the name both organizations use. */
function vpcFiles(): Record<string, string> {
  const files: Record<string, string> = { ...CONFIG };
  for (const [path, text] of Object.entries(exampleFiles())) {
    if (path.startsWith("templates/fargate-env/")) files[path.replace("templates/fargate-env/", "templates/vpc/")] = text;
  }
  return files;
}

function addOptionalInput(files: Record<string, string>, name: string): Record<string, string> {
  const path = `${VPC}/schema/schema.yaml`;
  const schema = files[path]!;
  const at = schema.indexOf("      properties:\n") + "      properties:\n".length;
  return { ...files, [path]: `${schema.slice(0, at)}        ${name}:\n          type: string\n          default: "x"\n${schema.slice(at)}` };
}

async function pushMain(owner: string, files: Record<string, string>) {
  const repo = h.fake.state.findRepo(owner, "templates") ?? h.fake.state.addRepo({ owner, name: "templates" });
  const before = repo.branches.get("main") ?? "0".repeat(40);
  const after = h.fake.state.commit(repo, files, { branch: "main" });
  expect((await deliver(h.webhookUrl, pushDelivery(h.fake, repo, { ref: "refs/heads/main", before, after }, { secret: SECRET }))).status).toBe(200);
  await h.app.queue.idle();
  return repo;
}

async function openPullRequest(owner: string, number: number, files: Record<string, string>) {
  const repo = h.fake.state.findRepo(owner, "templates")!;
  const baseSha = repo.branches.get("main")!;
  const head = h.fake.state.commit(repo, files, { parent: baseSha });
  const pull = h.fake.state.openPullRequest(repo, { number, base: baseSha, head, author: "octocat" });
  const delivery = pullRequestDelivery(h.fake, "opened", pull, { secret: SECRET, deliveryId: uuid() });
  await deliver(h.webhookUrl, delivery);
  await h.app.queue.idle();
  return { repo, pull, delivery };
}

const numbers = async (owner: string) => (await h.db.registry.versions({ login: owner }).listVersions("vpc")).map((v) => `${v.major}.${v.minor} ${v.source.repository}`);

describe("owners", () => {
  it("two organizations each publish `vpc` as 1.0, each numbers from its own history, and neither sees the other's", async () => {
    const acmeFiles = vpcFiles();
    await pushMain("acme", acmeFiles);
    await pushMain("globex", vpcFiles());
    expect(await numbers("acme")).toEqual(["1.0 acme/templates"]);
    expect(await numbers("globex")).toEqual(["1.0 globex/templates"]);

    // acme moves on to 1.1; globex's next review still announces its own 1.1.
    await pushMain("acme", addOptionalInput(acmeFiles, "flow_logs"));
    expect(await numbers("acme")).toEqual(["1.0 acme/templates", "1.1 acme/templates"]);
    const { repo, pull } = await openPullRequest("globex", 3, addOptionalInput(vpcFiles(), "dns_zone"));
    const comment = h.fake.state.comments(repo, 3)[0]!.body;
    expect(comment).toContain("| `vpc` v1 | environment | minor | Will publish 1.1 |");
    expect(comment).not.toContain("acme");
    const run = h.fake.state.checkRuns(repo, { headSha: pull.headSha })[0]!;
    expect(run.output.title).toContain("vpc 1.1");

    expect(await numbers("globex")).toEqual(["1.0 globex/templates"]);
    expect(await numbers("initech")).toEqual([]);
  });
});

describe("one owner, two repositories", () => {
  it("a template name belongs to the repository that published it first: another repository's review says so, and its merge publishes nothing", async () => {
    await pushMain("acme", vpcFiles());
    const network = h.fake.state.addRepo({ owner: "acme", name: "network" });
    const main = h.fake.state.commit(network, { ".github/baryon.yml": "templates: templates\n" }, { branch: "main" });
    const head = h.fake.state.commit(network, vpcFiles(), { parent: main });
    const pull = h.fake.state.openPullRequest(network, { number: 2, base: main, head, author: "octocat" });
    await deliver(h.webhookUrl, pullRequestDelivery(h.fake, "opened", pull, { secret: SECRET }));
    await h.app.queue.idle();
    const comment = h.fake.state.comments(network, 2)[0]!.body;
    expect(comment).toContain("template \"vpc\" is published from acme/templates");
    expect(comment).not.toContain("Will publish");
    expect(h.fake.state.checkRuns(network, { headSha: head })[0]).toMatchObject({ conclusion: "failure" });

    const merged = h.fake.state.closePullRequest(network, 2, { merged: true });
    await deliver(h.webhookUrl, pullRequestDelivery(h.fake, "closed", merged, { secret: SECRET }));
    await h.app.queue.idle();
    expect(await numbers("acme")).toEqual(["1.0 acme/templates"]);
    expect(h.fake.state.comments(network, 2).at(-1)!.body).toContain("Not published: vpc v1: template \"vpc\" is published from acme/templates");
  });
});

describe("redelivered webhooks", () => {
  it("a redelivered command is answered once", async () => {
    const repo = await pushMain("acme", vpcFiles());
    const { pull } = await openPullRequest("acme", 5, addOptionalInput(vpcFiles(), "flow_logs"));
    void pull;
    const comment = h.fake.state.addComment(repo, 5, { author: "octocat", body: "/deploy everything" });
    const delivery = issueCommentDelivery(h.fake, "created", comment, { secret: SECRET, deliveryId: uuid() });
    const first = await deliver(h.webhookUrl, delivery);
    const again = await deliver(h.webhookUrl, delivery);
    expect([first.status, again.status]).toEqual([200, 200]);
    await h.app.queue.idle();
    const replies = h.fake.state.comments(repo, 5).filter((c) => c.body.includes("is not a Baryon command"));
    expect(replies).toHaveLength(1);
    expect(h.fake.state.comments(repo, 5).find((c) => c.id === comment.id)!.reactions.map((r) => r.content)).toEqual(["confused"]);
  });

  it("a delivery whose handling failed is acted on when GitHub redelivers it", async () => {
    const repo = await pushMain("acme", vpcFiles());
    await openPullRequest("acme", 5, addOptionalInput(vpcFiles(), "flow_logs"));
    const comment = h.fake.state.addComment(repo, 5, { author: "octocat", body: "/deploy everything" });
    const delivery = issueCommentDelivery(h.fake, "created", comment, { secret: SECRET, deliveryId: uuid() });
    h.fake.failNext("reactions/create-for-issue-comment", { status: 422, message: "Validation Failed" });
    expect((await deliver(h.webhookUrl, delivery)).status).toBeGreaterThanOrEqual(400);
    expect((await deliver(h.webhookUrl, delivery)).status).toBe(200);
    // The reply is the command job's: wait for the queue, not for luck.
    await h.app.queue.idle();
    expect(h.fake.state.comments(repo, 5).filter((c) => c.body.includes("is not a Baryon command"))).toHaveLength(1);
  });

  it("a review redelivered after a restart writes nothing", async () => {
    await pushMain("acme", vpcFiles());
    const { delivery } = await openPullRequest("acme", 6, addOptionalInput(vpcFiles(), "flow_logs"));
    await h.app.queue.idle();
    await h.restartApp(); // a new process: nothing of the old one's queue remains
    const writesBefore = h.fake.calls.filter((c) => c.method !== "GET").length;
    expect((await deliver(h.webhookUrl, delivery)).status).toBe(200);
    await h.app.queue.idle();
    expect(h.fake.calls.filter((c) => c.method !== "GET").length).toBe(writesBefore);
    expect(h.logs.join("")).toContain("webhook already processed");
  });
});
