// GitHub Deployments mirror Baryon's, through the app and the fake GitHub: a push
// deploys the inventory with the `command` provisioner, and each environment's and
// service instance's deployment shows in the template repository under the Baryon
// environment's name (a pipeline lives in none), once, whatever is redelivered or
// retried; a merged change rolls out and each resource's earlier success goes
// inactive; a failed command shows its reason; a deployment running outside Baryon
// shows in progress first; a deleted environment goes inactive.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { enqueueGitHubDeployment, stateOf } from "../../src/jobs/github-deployment.js";
import type { JobQueue } from "../../src/ports/job-queue.js";
import { harnessPerTest, SECRET, type Harness } from "../support/app-harness.js";
import type { DeploymentRecord } from "../support/fake-github/index.js";
import { deliver, pullRequestDelivery, pushDelivery } from "../support/fake-github/webhooks.js";
import { API_SERVICE, CATALOG_FILES, ledgerProvisioner, netEnvironment, templateFiles } from "../support/inventory.js";
import { comment, type Repo } from "../support/pull-request-actions.js";

let h: Harness;
const { restart } = harnessPerTest((next) => (h = next));

/** Test and a gated prod; the deploy fails for the resource `failing`, if given. */
function configFor(ledger: string, failing = ""): string {
  return [
    "templates: templates",
    "rollout:",
    "  stages:",
    "    - name: test",
    "    - name: prod",
    "      gate: comment",
    ...ledgerProvisioner(ledger, { failing, destroy: true }),
    "",
  ].join("\n");
}

const INVENTORY = { "inventory/dev.yaml": netEnvironment("test"), "inventory/live.yaml": netEnvironment("prod"), "inventory/shop.yaml": API_SERVICE };
const store = () => h.db.registry.deployments({ login: "acme", installationId: h.fake.state.installationId("acme")! });

async function push(repo: Repo, before: string, after: string, deliveryId?: string) {
  const res = await deliver(h.webhookUrl, pushDelivery(h.fake, repo, { ref: "refs/heads/main", before, after }, { secret: SECRET, sender: "lead", ...(deliveryId ? { deliveryId } : {}) }));
  expect(res.status).toBe(200);
  await h.app.queue.idle();
}

/** The template repository with its inventory, pushed to main: templates published, inventory deployed. */
async function fleet(options: { failing?: string; inventory?: Record<string, string> } = {}) {
  const ledger = join(mkdtempSync(join(tmpdir(), "baryon-ledger-")), "ledger.txt");
  const repo = h.fake.state.addRepo({ owner: "acme", name: "templates" });
  const files = { ".github/baryon.yml": configFor(ledger, options.failing), ...templateFiles(), ...(options.inventory ?? INVENTORY) };
  const main = h.fake.state.commit(repo, files, { branch: "main" });
  await push(repo, "0".repeat(40), main);
  return { repo, main };
}

const command = (repo: Repo, number: number, author: string, body: string) => comment(h, repo, number, author, body);

/** What GitHub's UI shows of a deployment: where, which resource at which version, and its states. */
function shown(d: DeploymentRecord) {
  const { resource, version } = (d.payload as { baryon: { resource: string; version: string } }).baryon;
  return { environment: d.environment, resource, version, production: d.productionEnvironment, states: d.statuses.map((s) => s.state) };
}
const byResource = (a: { resource: string }, b: { resource: string }) => a.resource.localeCompare(b.resource) || 0;
/** Each attempt of a mirror job, as the app logged it. */
const mirrorAttempts = () => h.logs.flatMap((chunk) => chunk.split("\n")).filter((line) => line.trim())
  .map((line) => JSON.parse(line) as { kind?: string; job?: string; attempt?: number; level: number; msg: string })
  .filter((entry) => entry.kind === "github-deployment");
const createCalls = () => h.fake.apiCalls().filter((c) => c.operationId === "repos/create-deployment").length;

describe("GitHub Deployments", () => {
  it("shows each environment's and instance's deployment under the Baryon environment's name, once, however often the push or the mirror runs", async () => {
    const { repo, main } = await fleet();
    const resources = ["dev", "live", "shop/api-prod", "shop/api-test", "shop/pipeline"];
    const statuses = async () => Promise.all(resources.map(async (r) => `${r}: ${(await store().deploymentsOf(r, 1))[0]?.status}`));
    expect(await statuses()).toEqual(resources.map((r) => `${r}: succeeded`));
    const deployments = h.fake.state.deployments(repo);
    expect(deployments.map(shown).sort(byResource)).toEqual([
      { environment: "dev", resource: "dev", version: "1.0", production: false, states: ["success"] },
      { environment: "live", resource: "live", version: "1.0", production: true, states: ["success"] },
      { environment: "dev", resource: "shop/api-test", version: "1.0", production: false, states: ["success"] },
      { environment: "live", resource: "shop/api-prod", version: "1.0", production: true, states: ["success"] },
    ].sort(byResource));
    // The pipeline deployed too, and lives in no environment.
    const before = deployments.map(shown).sort(byResource);

    for (const d of deployments) {
      const { resource } = shown(d);
      const [baryon] = await store().deploymentsOf(resource, 1);
      expect(d).toMatchObject({
        task: `deploy:baryon-${baryon!.id}`, ref: "main", sha: main, transientEnvironment: false, creator: "baryon[bot]",
        description: `${resource} → ${baryon!.template} 1.0`,
        payload: { baryon: { deployment: baryon!.id, resource, template: baryon!.template, version: "1.0" } },
      });
      expect(d.statuses[0]).toMatchObject({ description: `${baryon!.template} 1.0 deployed`, environment: d.environment, automatic: false });
    }
    expect(h.fake.state.deployments(repo, { environment: "dev" })).toHaveLength(2);

    // The push again (a new delivery of the same commit), and late mirror jobs for every deployment.
    await push(repo, "0".repeat(40), main);
    for (const d of deployments) {
      const { resource } = shown(d);
      const [baryon] = await store().deploymentsOf(resource, 1);
      await enqueueGitHubDeployment(h.app.queue, store().owner, { ...baryon!, status: "in_progress" });
    }
    await h.app.queue.idle();
    expect(h.fake.state.deployments(repo).map(shown).sort(byResource)).toEqual(before);
    expect(createCalls()).toBe(4);
  });

  it("a mirror retried after GitHub refused its status finds the deployment its first attempt created", async () => {
    h.fake.failNext("repos/create-deployment-status", { status: 422, message: "Validation Failed" });
    const { repo } = await fleet();
    const [failed, ...more] = mirrorAttempts().filter((a) => a.level >= 50);
    expect(failed?.msg).toContain("Validation Failed");
    expect(more).toEqual([]);
    expect(mirrorAttempts().find((a) => a.job === failed!.job && a.attempt === 2)?.msg).toMatch(/: success$/);
    expect(h.fake.state.deployments(repo).map((d) => d.statuses.map((s) => s.state))).toEqual([["success"], ["success"], ["success"], ["success"]]);
    expect(createCalls()).toBe(4);
  });

  it("shows a failed deployment as a failure with its reason", async () => {
    const { repo } = await fleet({ failing: "api-test" });
    const dev = h.fake.state.deployments(repo, { environment: "dev" }).map(shown).sort(byResource);
    expect(dev).toEqual([
      { environment: "dev", resource: "dev", version: "1.0", production: false, states: ["success"] },
      { environment: "dev", resource: "shop/api-test", version: "1.0", production: false, states: ["failure"] },
    ]);
    const [failed] = h.fake.state.deployments(repo, { environment: "dev" }).filter((d) => shown(d).resource === "shop/api-test");
    expect(failed!.statuses[0]!.description).toBe("failed: deploy command exited with code 3");
  });

  it("links each status to the deployment's log where BARYON_PUBLIC_URL says Baryon is, readable with that link only", async () => {
    await restart({ env: { BARYON_PUBLIC_URL: "https://baryon.example.com/" } });
    const { repo } = await fleet({ failing: "api-test" });
    const linkOf = async (resource: string) => {
      const [baryon] = await store().deploymentsOf(resource, 1);
      const [mirrored] = h.fake.state.deployments(repo, { task: `deploy:baryon-${baryon!.id}` });
      const link = new URL(mirrored!.statuses.at(-1)!.logUrl);
      return { baryon: baryon!, link, local: `${h.app.url}${link.pathname}${link.search}` };
    };
    const failed = await linkOf("shop/api-test");
    expect(`${failed.link.origin}${failed.link.pathname}`).toBe(`https://baryon.example.com/api/deployments/${failed.baryon.id}/log`);
    const res = await fetch(failed.local);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    const text = await res.text();
    expect(text.split("\n")[0]).toBe(`# deployment ${failed.baryon.id}: deploy shop/api-test at api 1.0: failed (deploy command exited with code 3)`);

    // Another deployment's token, a token altered, none: refused, and nothing of the log shown.
    const dev = await linkOf("dev");
    const refused = [
      `${h.app.url}/api/deployments/${failed.baryon.id}/log${dev.link.search}`,
      failed.local.replace(/[0-9a-f](?=[^0-9a-f]*$)/, (c) => (c === "0" ? "1" : "0")),
      `${h.app.url}/api/deployments/${failed.baryon.id}/log`,
    ];
    for (const url of refused) {
      const answer = await fetch(url);
      expect(answer.status, url).toBe(401);
      expect(await answer.text()).not.toContain("exited");
    }
    expect((await fetch(dev.local)).status).toBe(200);
  });

  it("shows a rollout's deployments in dev and live, and marks each resource's earlier success inactive, not its neighbours'", async () => {
    const { repo } = await fleet();
    // The gated prod names no approvers: admins only.
    h.fake.state.setPermission(repo, "lead", "admin");
    const base = repo.branches.get("main")!;
    const path = "templates/api/v1/instance_infrastructure/cloudformation.yaml";
    const head = h.fake.state.commit(repo, { [path]: `# change\n${CATALOG_FILES["api/v1/instance_infrastructure/cloudformation.yaml"]}` }, { parent: base });
    h.fake.state.openPullRequest(repo, { number: 7, base, head, author: "octocat" });
    const merged = h.fake.state.closePullRequest(repo, 7, { merged: true });
    await deliver(h.webhookUrl, pullRequestDelivery(h.fake, "closed", merged, { secret: SECRET }));
    await h.app.queue.idle();
    await command(repo, 7, "lead", "/rollout prod");
    expect((await h.db.registry.rollouts({ login: "acme" }).rollouts())[0]).toMatchObject({ status: "succeeded", minor: 1 });

    const view = (environment: string) => h.fake.state.deployments(repo, { environment }).map(shown);
    expect(view("dev")).toEqual(expect.arrayContaining([
      { environment: "dev", resource: "dev", version: "1.0", production: false, states: ["success"] },
      { environment: "dev", resource: "shop/api-test", version: "1.0", production: false, states: ["success", "inactive"] },
      { environment: "dev", resource: "shop/api-test", version: "1.1", production: false, states: ["success"] },
    ]));
    expect(view("live")).toEqual(expect.arrayContaining([
      { environment: "live", resource: "live", version: "1.0", production: true, states: ["success"] },
      { environment: "live", resource: "shop/api-prod", version: "1.0", production: true, states: ["success", "inactive"] },
      { environment: "live", resource: "shop/api-prod", version: "1.1", production: true, states: ["success"] },
    ]));
    expect(h.fake.state.deployments(repo)).toHaveLength(6);
    const [latest] = await store().deploymentsOf("shop/api-prod", 1);
    const retired = h.fake.state.deployments(repo, { environment: "live" }).find((d) => shown(d).resource === "shop/api-prod" && shown(d).version === "1.0")!;
    expect(retired.statuses[1]!.description).toBe(`replaced by api 1.1 (deployment ${latest!.id})`);
  });

  it("shows a deployment that runs on outside Baryon in progress, then its outcome, on the same GitHub deployment", async () => {
    const { repo } = await fleet({ inventory: { "inventory/dev.yaml": netEnvironment("test") } });
    // As a provisioner that hands back a handle leaves it: started, not finished.
    const [first] = await store().deploymentsOf("dev", 1);
    const { deployment } = await store().requestDeployment(await store().resource("dev"), {
      resource: "dev", action: "deploy", template: "net", major: 1, minor: 0, inputs: { count: 3 }, provisioner: first!.provisioner,
      provisionerSettings: first!.provisionerSettings, requestedBy: { actor: "lead", reason: "manual", repository: "acme/templates" },
    });
    expect(await store().startDeployment(deployment.id, "digest")).toBe(true);
    await enqueueGitHubDeployment(h.app.queue, store().owner, { ...deployment, status: "in_progress" });
    await h.app.queue.idle();
    const task = `deploy:baryon-${deployment.id}`;
    expect(h.fake.state.deployments(repo, { task }).map((d) => d.statuses.map((s) => `${s.state}: ${s.description}`))).toEqual([["in_progress: deploying net 1.0"]]);

    await store().finishDeployment(deployment.id, { status: "succeeded", outputs: {} });
    await enqueueGitHubDeployment(h.app.queue, store().owner, { ...deployment, status: "succeeded" });
    await h.app.queue.idle();
    expect(h.fake.state.deployments(repo).map((d) => ({ task: d.task, states: d.statuses.map((s) => s.state) }))).toEqual([
      { task: `deploy:baryon-${first!.id}`, states: ["success", "inactive"] },
      { task, states: ["in_progress", "success"] },
    ]);
  });

  it("shows a deleted environment inactive", async () => {
    const { repo } = await fleet({ inventory: { "inventory/dev.yaml": netEnvironment("test"), "inventory/qa.yaml": netEnvironment("test") } });
    h.fake.state.setPermission(repo, "maintainer", "write");
    const base = repo.branches.get("main")!;
    const head = h.fake.state.commit(repo, { "inventory/qa.yaml": null }, { parent: base });
    h.fake.state.openPullRequest(repo, { number: 9, base, head, author: "octocat" });
    const merged = h.fake.state.closePullRequest(repo, 9, { merged: true });
    await deliver(h.webhookUrl, pullRequestDelivery(h.fake, "closed", merged, { secret: SECRET }));
    await push(repo, base, merged.mergeCommitSha!);
    await command(repo, 9, "maintainer", "/baryon confirm-delete qa");
    expect((await store().deploymentsOf("qa", 1))[0]).toMatchObject({ action: "delete", status: "delete_succeeded" });

    const qa = h.fake.state.deployments(repo, { environment: "qa" });
    expect(qa.map((d) => ({ description: d.description, states: d.statuses.map((s) => `${s.state}: ${s.description}`) }))).toEqual([
      { description: "qa → net 1.0", states: ["success: net 1.0 deployed", "inactive: qa was deleted"] },
      { description: "delete qa (net 1.0)", states: ["inactive: deleted"] },
    ]);
    expect(h.fake.state.deployments(repo, { environment: "dev" }).map(shown)).toEqual([
      { environment: "dev", resource: "dev", version: "1.0", production: false, states: ["success"] },
    ]);
  });

  it("says once, without retrying, that the installation must grant deployments: write", async () => {
    h.fake.failNext("repos/list-deployments", { status: 403, message: "Resource not accessible by integration" });
    const { repo } = await fleet();
    const failures = mirrorAttempts().filter((a) => a.level >= 50);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.msg).toContain('the installation must grant the app "deployments: write"');
    expect(mirrorAttempts().filter((a) => a.job === failures[0]!.job)).toHaveLength(1);
    expect(h.fake.state.deployments(repo)).toHaveLength(3);
  });
});

describe("what is not mirrored", () => {
  it("queues nothing for an owner without a GitHub installation (the CLI)", async () => {
    const added: string[] = [];
    const queue = { add: async (name: string) => (added.push(name), true) } as unknown as JobQueue;
    expect(await enqueueGitHubDeployment(queue, { login: "local" }, { id: "1", resource: "dev", status: "succeeded" })).toBe(false);
    expect(await enqueueGitHubDeployment(queue, { login: "acme", installationId: 7 }, { id: "1", resource: "dev", status: "succeeded" })).toBe(true);
    expect(added).toEqual(["github-deployment"]);
  });

  it("keeps a failure's description within GitHub's 140 characters", () => {
    const { state, description } = stateOf({ status: "failed", template: "net", major: 1, minor: 0, reason: `render failed: ${"x".repeat(300)}` });
    expect(state).toBe("failure");
    expect(description).toHaveLength(140);
    expect(description).toMatch(/^failed: render failed: x+…$/);
  });
});
