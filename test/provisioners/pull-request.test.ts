// The pull-request provisioner end to end: the app (its deploy jobs, webhooks and
// callback route) against the fake GitHub, on a real registry. A deployment opens a
// pull request on the owner's infrastructure repository with the rendered folder and
// `.baryon/deployment.json`; it succeeds from a check run on the merge commit or from
// the authenticated callback with outputs, fails from a failing commit status, and is
// cancelled when the pull request is closed unmerged. A retried deploy updates its one
// pull request.
import { describe, expect, it } from "vitest";
import { pullRequestProvisioner } from "../../src/adapters/provisioners/pull-request.js";
import { publishChange } from "../../src/flows/publish-change.js";
import { reconcileInventory } from "../../src/flows/reconcile-inventory.js";
import { bundleLoader } from "../../src/flows/stored-bundle.js";
import { enqueueDeployment } from "../../src/jobs/lanes.js";
import type { DeploymentRecord } from "../../src/ports/deployment-store.js";
import type { DeploymentRequest } from "../../src/ports/provisioner.js";
import { harnessPerTest, SECRET, type Harness } from "../support/app-harness.js";
import { checkRunDelivery, deliver, pullRequestDelivery, statusDelivery } from "../support/fake-github/webhooks.js";
import { CATALOG_FILES } from "../support/inventory.js";
import { waitForAsync } from "../queue/helpers.js";
import { snapshot } from "../support/snapshot.js";

const PUBLIC_URL = "https://baryon.example.com";
const ENV = { BARYON_CALLBACK_SECRET: "0123456789abcdef0123456789abcdef-test", BARYON_PUBLIC_URL: PUBLIC_URL };
let h: Harness;
const { restart } = harnessPerTest((next) => (h = next));

const DEV = "proton: EnvironmentSpec\ntemplate: net@1\nstage: test\nspec:\n  count: 2\n";
const SHOP = "proton: ServiceSpec\ntemplate: api@1\npipeline:\n  branch: release\ninstances:\n  - name: api-test\n    environment: dev\n    spec:\n      image: nginx\n";
const owner = { login: "acme" };
const store = () => h.db.registry.deployments(owner);
type Repo = ReturnType<Harness["fake"]["state"]["addRepo"]>;

/** The test catalog published, an infrastructure repository, and the inventory reconciled with a pull-request provisioner. */
async function fleet(inventory: Record<string, string>, settings: Record<string, unknown> = { check: "terraform" }) {
  h = await restart({ env: ENV });
  const infra = h.fake.state.addRepo({ owner: "acme", name: "infrastructure" });
  // A file the render no longer has, in the folder dev deploys to, and one elsewhere.
  h.fake.state.commit(infra, { "README.md": "Applied by CI.\n", "environment/dev/stale.tf": "# old\n" }, { branch: "main" });
  const { artifacts, renderer } = h.app.adapters;
  const versions = h.db.registry.versions(owner);
  await publishChange({ repository: "acme/templates", commit: "c1", status: "published" }, { head: async () => snapshot(CATALOG_FILES), versions, artifacts, renderer });
  const outcome = await reconcileInventory({ versions, bundleOf: bundleLoader(artifacts), store: store() }, {
    source: "acme/fleet", files: Object.entries(inventory).map(([file, text]) => ({ file, text })),
    config: { provisioners: { infra: { kind: "pull-request", repository: "acme/infrastructure", ...settings } } },
    requestedBy: { actor: "octocat", reason: "inventory change" },
  });
  expect(outcome.diagnostics).toEqual([]);
  for (const deployment of outcome.deployments) await enqueueDeployment(h.app.queue, owner, deployment);
  return { infra, deployments: outcome.deployments };
}

const pullsOf = (repo: Repo) => h.fake.state.pulls.filter((p) => p.repo === repo);
const filesAt = (sha: string) => h.fake.state.git.get(sha)!.files;
const text = (sha: string, path: string) => Buffer.from(filesAt(sha).get(path)!.bytes).toString("utf8");

async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  await waitForAsync(what, async () => check(), 15_000);
}

async function settled(id: string, status: DeploymentRecord["status"]): Promise<DeploymentRecord> {
  await until(`deployment ${id} ${status}`, async () => (await store().getDeployment(id))?.status === status);
  return (await store().getDeployment(id))!;
}

/** In progress with its pull request's handle kept: the deploy job's turn is over. */
async function running(id: string): Promise<DeploymentRecord> {
  await until(`deployment ${id} in progress with its handle`, async () => (await store().getDeployment(id))?.handle !== undefined);
  const record = (await store().getDeployment(id))!;
  expect(record.status).toBe("in_progress");
  return record;
}

const callback = (url: string, token: string, body: unknown) =>
  fetch(`${h.app.url}${new URL(url).pathname}`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });

describe("pull-request provisioner", () => {
  it("opens a pull request with the rendered folder and .baryon/deployment.json, and succeeds from a check run on the merge commit", async () => {
    const { infra, deployments: [dev] } = await fleet({ "inventory/dev.yaml": DEV });
    await until("the deployment's pull request", () => pullsOf(infra).length === 1);
    const [pull] = pullsOf(infra);
    expect(pull).toMatchObject({ author: h.fake.state.botLogin, headRef: `baryon/deploy-${dev!.id}`, baseRef: "main", state: "open", title: "Deploy dev: net 1.0" });
    expect(pull!.body).toContain(`<!-- baryon-deployment: ${dev!.id} -->`);
    expect([...filesAt(pull!.headSha).keys()].sort()).toEqual(["README.md", "environment/dev/.baryon/deployment.json", "environment/dev/infrastructure/cloudformation.yaml"]);
    expect(text(pull!.headSha, "environment/dev/infrastructure/cloudformation.yaml")).toContain("TopicName: net-dev-2");
    const file = JSON.parse(text(pull!.headSha, "environment/dev/.baryon/deployment.json")) as Record<string, unknown>;
    expect(file).toEqual({
      id: dev!.id, action: "deploy", resource: { kind: "environment", name: "dev" }, template: "net", version: "1.0", inputs: { count: 2 },
      callback: { url: `${PUBLIC_URL}/api/deployments/${dev!.id}/status`, token: expect.stringMatching(/^acme\.[0-9a-f]{64}$/) },
    });
    const inFlight = await running(dev!.id);
    expect(JSON.parse(inFlight.handle!)).toEqual({ repository: "acme/infrastructure", pullRequest: pull!.number });

    // Merged: still in progress until the check says so.
    const merged = h.fake.state.closePullRequest(infra, pull!.number, { merged: true });
    expect((await deliver(h.webhookUrl, pullRequestDelivery(h.fake, "closed", merged, { secret: SECRET }))).status).toBe(200);
    const run = h.fake.state.addCheckRun(infra, { name: "terraform", headSha: merged.mergeCommitSha!, conclusion: "success" });
    expect((await deliver(h.webhookUrl, checkRunDelivery(h.fake, "completed", run, { secret: SECRET }))).status).toBe(200);
    const done = await settled(dev!.id, "succeeded");
    expect(done.outputs).toEqual({});
    const log = new TextDecoder().decode(await h.app.adapters.artifacts.get(done.log!));
    expect(log).toContain(`check run "terraform" succeeded on ${merged.mergeCommitSha!.slice(0, 7)}`);
  });

  it("fails with the description of a failing commit status of that name on the merge commit", async () => {
    const { infra, deployments: [dev] } = await fleet({ "inventory/dev.yaml": DEV });
    await until("the deployment's pull request", () => pullsOf(infra).length === 1);
    await running(dev!.id);
    const merged = h.fake.state.closePullRequest(infra, pullsOf(infra)[0]!.number, { merged: true });
    h.fake.state.addStatus(infra, { sha: merged.mergeCommitSha!, context: "lint", state: "success" });
    const status = h.fake.state.addStatus(infra, { sha: merged.mergeCommitSha!, context: "terraform", state: "failure", description: "Error: creating S3 bucket: AccessDenied" });
    expect((await deliver(h.webhookUrl, statusDelivery(h.fake, status, { secret: SECRET }))).status).toBe(200);
    const failed = await settled(dev!.id, "failed");
    expect(failed.reason).toBe(`commit status "terraform" on merge commit ${merged.mergeCommitSha!.slice(0, 7)} of https://github.com/acme/infrastructure/pull/1 is failure: Error: creating S3 bucket: AccessDenied`);
  });

  it("succeeds with the outputs the callback posts, refusing a wrong token, and then deploys what waited for it", async () => {
    const { infra, deployments } = await fleet({ "inventory/dev.yaml": DEV, "inventory/shop.yaml": SHOP }, {});
    const [dev, instance] = deployments;
    await until("the environment's pull request", () => pullsOf(infra).length === 1);
    await running(dev!.id);
    const merged = h.fake.state.closePullRequest(infra, pullsOf(infra)[0]!.number, { merged: true });
    const { callback: { url, token } } = JSON.parse(text(merged.mergeCommitSha!, "environment/dev/.baryon/deployment.json")) as { callback: { url: string; token: string } };

    // A forged token, another owner's claim, none, or this token on another deployment: refused, and nothing recorded.
    const flipped = token.replace(/.$/, (c) => (c === "0" ? "1" : "0"));
    for (const bad of [flipped, `acme.${"0".repeat(64)}`, "", `evil.${token.split(".")[1]}`]) {
      const res = await callback(url, bad, { status: "succeeded", outputs: { TopicName: "forged" } });
      expect(res.status).toBe(401);
    }
    const wrongId = await fetch(`${h.app.url}/api/deployments/${instance!.id}/status`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: "{}" });
    expect(wrongId.status).toBe(401);
    const untouched = (await store().getDeployment(dev!.id))!;
    expect(untouched.status).toBe("in_progress");
    expect(JSON.parse(untouched.handle!)).not.toHaveProperty("callback");

    expect((await callback(url, token, { status: "succeeded", outputs: "nope" })).status).toBe(400);
    const accepted = await callback(url, token, { status: "succeeded", outputs: { TopicName: "net-dev-2", Port: 8080 } });
    expect(accepted.status).toBe(202);
    const done = await settled(dev!.id, "succeeded");
    expect(done.outputs).toEqual({ TopicName: "net-dev-2", Port: "8080" });
    expect((await callback(url, token, { status: "failed" })).status).toBe(409);

    // The instance waited for its environment: released, it opens its own pull request, rendered with the environment's outputs.
    await until("the instance's pull request", () => pullsOf(infra).length === 2);
    const second = pullsOf(infra).find((p) => p.headRef === `baryon/deploy-${instance!.id}`)!;
    expect(text(second.headSha, "instance/shop/api-test/instance_infrastructure/cloudformation.yaml")).toContain("TopicName: net-dev-2-api-test-nginx");
  });

  it("cancels the deployment when its pull request is closed without merging", async () => {
    const { infra, deployments: [dev] } = await fleet({ "inventory/dev.yaml": DEV });
    await until("the deployment's pull request", () => pullsOf(infra).length === 1);
    await running(dev!.id);
    const closed = h.fake.state.closePullRequest(infra, pullsOf(infra)[0]!.number);
    expect((await deliver(h.webhookUrl, pullRequestDelivery(h.fake, "closed", closed, { secret: SECRET }))).status).toBe(200);
    const cancelled = await settled(dev!.id, "cancelled");
    expect(cancelled.reason).toBe("pull request https://github.com/acme/infrastructure/pull/1 was closed without being merged");
  });
});

describe("pull-request provisioner, called again", () => {
  it("updates the one pull request of a retried deployment, commits nothing when the render is the same, and deletes with a pull request too", async () => {
    h = await restart({ env: ENV });
    const infra = h.fake.state.addRepo({ owner: "acme", name: "infrastructure", defaultBranch: "live" });
    h.fake.state.commit(infra, { "README.md": "x\n" }, { branch: "live" });
    const provisioner = pullRequestProvisioner({ kind: "pull-request", repository: "infrastructure", path: "envs/{name}" }, {
      name: "infra", github: async () => h.app.probot.auth(infra.installationId),
    });
    const request = (content: string): DeploymentRequest => ({
      id: "d-01RETRY", action: "deploy", owner: "acme", resource: { kind: "environment", name: "qa" }, template: { name: "net", version: "1.2" },
      inputs: { count: 1 }, files: [{ path: "main.tf", content }],
    });
    const first = await provisioner.deploy(request("v1\n"));
    expect(first).toMatchObject({ status: "in_progress", handle: JSON.stringify({ repository: "acme/infrastructure", pullRequest: 1 }) });
    const again = await provisioner.deploy(request("v2\n"));
    expect(again).toMatchObject({ status: "in_progress", handle: (first as { handle: string }).handle });
    expect(pullsOf(infra)).toHaveLength(1);
    const pull = pullsOf(infra)[0]!;
    expect(pull.baseRef).toBe("live");
    expect(text(pull.headSha, "envs/qa/main.tf")).toBe("v2\n");
    // Without the callback's address this Baryon writes no callback into the file.
    expect(JSON.parse(text(pull.headSha, "envs/qa/.baryon/deployment.json"))).not.toHaveProperty("callback");

    const head = pull.headSha;
    const same = await provisioner.deploy(request("v2\n"));
    expect(same.log).toContain("already holds this render");
    expect(pullsOf(infra)[0]!.headSha).toBe(head);

    // Merged: the delete's pull request removes the rendered files and says which deployment deletes them.
    h.fake.state.closePullRequest(infra, 1, { merged: true });
    expect(await provisioner.status(request(""), (first as { handle: string }).handle)).toMatchObject({ status: "in_progress", log: expect.stringContaining("the deployment succeeds when the CI calls back") });
    const removal = await provisioner.destroy({ ...request(""), id: "d-02DELETE", action: "delete", files: [] });
    expect(removal).toMatchObject({ status: "in_progress", handle: JSON.stringify({ repository: "acme/infrastructure", pullRequest: 2 }) });
    const deleting = h.fake.state.pull(infra, 2);
    expect([...filesAt(deleting.headSha).keys()].sort()).toEqual(["README.md", "envs/qa/.baryon/deployment.json"]);
    expect(JSON.parse(text(deleting.headSha, "envs/qa/.baryon/deployment.json"))).toMatchObject({ id: "d-02DELETE", action: "delete" });

    // A run that committed its branch and stopped before opening the pull request: status opens it; one that committed nothing fails.
    h.fake.state.commit(infra, { "envs/qa/main.tf": "v3\n" }, { parent: infra.branches.get("live")!, branch: "baryon/deploy-d-03LOST", message: "Deploy qa: net 1.2\n\nBaryon-Deployment: d-03LOST\n" });
    const found = await provisioner.status({ ...request(""), id: "d-03LOST", files: [] }, "");
    expect(found).toMatchObject({ status: "in_progress", handle: JSON.stringify({ repository: "acme/infrastructure", pullRequest: 3 }) });
    expect(h.fake.state.pull(infra, 3)).toMatchObject({ title: "Deploy qa: net 1.2", headRef: "baryon/deploy-d-03LOST", baseRef: "live" });
    expect(await provisioner.status({ ...request(""), id: "d-04NEVER", files: [] }, "")).toMatchObject({ status: "failed", reason: expect.stringContaining("no pull request was opened for deployment d-04NEVER") });
  });

  it("fails a deployment whose infrastructure repository is another owner's or missing, whose render would leave its folder, or without the app", async () => {
    h = await restart({ env: ENV });
    const github = async () => h.app.probot.auth(h.fake.state.addRepo({ owner: "acme", name: "templates" }).installationId);
    const request: DeploymentRequest = { id: "d-1", action: "deploy", owner: "acme", resource: { kind: "environment", name: "qa" }, template: { name: "net", version: "1.0" }, inputs: {}, files: [] };
    const foreign = await pullRequestProvisioner({ kind: "pull-request", repository: "other/infra" }, { github }).deploy(request);
    expect(foreign).toMatchObject({ status: "failed", reason: expect.stringContaining("is not acme's") });
    const missing = await pullRequestProvisioner({ kind: "pull-request", repository: "nowhere" }, { github }).deploy(request);
    expect(missing).toMatchObject({ status: "failed", reason: expect.stringMatching(/^GitHub refused a request on acme\/nowhere \(does it exist, and is the app installed on it\?\): 404/) });
    const escaping = await pullRequestProvisioner({ kind: "pull-request", repository: "infra" }, { github }).deploy({ ...request, files: [{ path: "../prod/main.tf", content: "" }] });
    expect(escaping).toMatchObject({ status: "failed", reason: expect.stringContaining('rendered file path "../prod/main.tf" is not a plain relative path') });
    const cli = await pullRequestProvisioner({ kind: "pull-request", repository: "infra" }).deploy(request);
    expect(cli).toMatchObject({ status: "failed", reason: expect.stringContaining("needs the GitHub App") });
  });
});
