// Reconcile on a push to the default branch, through the app and the fake GitHub:
// the inventory deploys with the `command` provisioner the repository configures
// (its deploy command appends to a ledger this test reads), a redelivered push
// deploys nothing twice, a push that touches no inventory reconciles nothing, a
// merged pull request is told the plan or the inventory's mistakes, and
// `/baryon confirm-delete` deletes for a user with write access only.
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { harnessPerTest, SECRET, type Harness } from "../support/app-harness.js";
import { deliver, issueCommentDelivery, pullRequestDelivery, pushDelivery } from "../support/fake-github/webhooks.js";
import { ledgerProvisioner, netEnvironment, templateFiles } from "../support/inventory.js";

let h: Harness;
harnessPerTest((next) => (h = next));

type Repo = ReturnType<Harness["fake"]["state"]["addRepo"]>;

const ENV = netEnvironment("test");
const SVC = "proton: ServiceSpec\ntemplate: api@1\npipeline:\n  branch: release\ninstances:\n  - name: api-test\n    environment: dev\n    spec:\n      image: nginx\n";

/** `.github/baryon.yml` with one `command` provisioner whose commands append to `ledger`, and `extra` settings. */
function configFor(ledger: string, extra = ""): string {
  return [
    "templates: templates",
    extra,
    ...ledgerProvisioner(ledger, { kind: true, destroy: true }),
    "",
  ].filter((line) => line !== "").join("\n") + "\n";
}

const store = () => h.db.registry.deployments({ login: "acme" });

/** A template repository whose templates are published, with a ledger for its deploy command. */
async function fleet(extra = "") {
  const ledger = join(mkdtempSync(join(tmpdir(), "baryon-ledger-")), "ledger.txt");
  const repo = h.fake.state.addRepo({ owner: "acme", name: "templates" });
  const main = h.fake.state.commit(repo, { ".github/baryon.yml": configFor(ledger, extra), ...templateFiles() }, { branch: "main" });
  await push(repo, "0".repeat(40), main);
  expect((await h.db.registry.versions({ login: "acme" }).listVersions("net")).map((v) => `${v.major}.${v.minor}`)).toEqual(["1.0", "2.0"]);
  const deployed = () => (existsSync(ledger) ? readFileSync(ledger, "utf8").trim().split("\n") : []);
  return { repo, ledger, deployed };
}

async function push(repo: Repo, before: string, after: string, deliveryId?: string) {
  const res = await deliver(h.webhookUrl, pushDelivery(h.fake, repo, { ref: "refs/heads/main", before, after }, { secret: SECRET, sender: "pusher", ...(deliveryId ? { deliveryId } : {}) }));
  expect(res.status).toBe(200);
  await h.app.queue.idle();
}

/** A direct push of `changes` to main. */
async function pushChanges(repo: Repo, changes: Record<string, string | null>) {
  const before = repo.branches.get("main")!;
  const after = h.fake.state.commit(repo, changes, { branch: "main" });
  await push(repo, before, after);
  return { before, after };
}

async function mergedPullRequest(repo: Repo, number: number, changes: Record<string, string | null>) {
  const base = repo.branches.get("main")!;
  const head = h.fake.state.commit(repo, changes, { parent: base });
  h.fake.state.openPullRequest(repo, { number, base, head, author: "octocat" });
  const merged = h.fake.state.closePullRequest(repo, number, { merged: true });
  await deliver(h.webhookUrl, pullRequestDelivery(h.fake, "closed", merged, { secret: SECRET }));
  await push(repo, base, merged.mergeCommitSha!);
  return merged;
}

/** The reconcile's reply on a pull request (the review's comment, if any, is another). */
const reconcileReplies = (repo: Repo, number: number) => h.fake.state.comments(repo, number).filter((c) => c.body.includes("<!-- baryon:reconcile "));

async function command(repo: Repo, number: number, author: string, body: string) {
  const comment = h.fake.state.addComment(repo, number, { author, body });
  await deliver(h.webhookUrl, issueCommentDelivery(h.fake, "created", comment, { secret: SECRET }));
  await h.app.queue.idle();
  return { reply: h.fake.state.comments(repo, number).at(-1)!.body, reactions: h.fake.state.comment(comment.id)!.reactions.map((r) => r.content) };
}

describe("reconcile on a push to the default branch", () => {
  it("deploys the inventory files a push adds, instance after environment, in the pusher's name; a redelivery deploys nothing twice", async () => {
    const { repo, deployed } = await fleet();
    const { before, after } = await pushChanges(repo, { "inventory/dev.yaml": ENV, "inventory/shop.yaml": SVC });
    expect(deployed()).toEqual(["environment dev 1.0", "service_instance api-test 1.0", "service_pipeline shop 1.0"]);
    const [latest] = await store().deploymentsOf("shop/api-test", 1);
    expect(latest).toMatchObject({ status: "succeeded", requestedBy: { actor: "pusher", reason: "inventory change", repository: "acme/templates" } });

    // The same push again, as a new delivery (a second webhook, a manual redelivery): nothing new runs.
    await push(repo, before, after, "redelivered-push");
    expect(deployed()).toHaveLength(3);
    expect(await store().deploymentsOf("dev")).toHaveLength(1);
  });

  it("reconciles nothing for a push that touches no inventory file, and reconciles a config change that moves `inventory:`", async () => {
    const { repo, ledger, deployed } = await fleet();
    await pushChanges(repo, { "inventory/dev.yaml": ENV, "fleet/dev.yaml": ENV.replace("count: 2", "count: 5") });
    expect(deployed()).toEqual(["environment dev 1.0"]);

    const { after } = await pushChanges(repo, { "README.md": "Our templates.\n" });
    expect(h.logs.join("")).toMatch(new RegExp(`reconcile:acme/templates@${after}: the push changed no inventory file`));
    expect(await store().deploymentsOf("dev")).toHaveLength(1);

    // Only the config changes: `fleet/` becomes the inventory, and its dev.yaml has another spec.
    await pushChanges(repo, { ".github/baryon.yml": configFor(ledger, "inventory: fleet") });
    expect(deployed()).toEqual(["environment dev 1.0", "environment dev 1.0"]);
    expect((await store().deploymentsOf("dev", 1))[0]).toMatchObject({ status: "succeeded", inputs: { count: 5 } });
  });

  it("answers a merged pull request with the plan, and with the inventory's mistakes at file and line when it has some (nothing deployed then)", async () => {
    const { repo, deployed } = await fleet();
    await mergedPullRequest(repo, 7, { "inventory/dev.yaml": ENV });
    expect(deployed()).toEqual(["environment dev 1.0"]);
    const [reply] = reconcileReplies(repo, 7);
    expect(reply!.body).toContain("create dev at net 1.0");
    expect(reply!.body).toMatch(/- #\d+ deploy `dev` at net 1\.0/);
    expect((await store().deploymentsOf("dev", 1))[0]!.requestedBy).toEqual({ actor: "octocat", reason: "inventory change", repository: "acme/templates", pullRequest: 7 });

    await mergedPullRequest(repo, 8, { "inventory/shop.yaml": SVC.replace("environment: dev", "environment: prod"), "inventory/qa.yaml": ENV });
    expect(deployed()).toEqual(["environment dev 1.0"]);
    expect(await store().resource("qa")).toBeUndefined();
    const replies = reconcileReplies(repo, 8);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.body).toContain("has errors: nothing was deployed.");
    expect(replies[0]!.body).toMatch(/- `inventory\/shop\.yaml:7` error: instance "api-test": environment "prod" is not in the inventory/);
  });

  it("reports a direct push's inventory mistakes in a check run on the commit, at file and line, and its plan once fixed", async () => {
    const { repo, deployed } = await fleet();
    const { after: broken } = await pushChanges(repo, { "inventory/dev.yaml": ENV.replace("stage: test", "stage: test\nprovisioner: nowhere") });
    expect(deployed()).toEqual([]);
    const [run] = h.fake.state.checkRuns(repo, { headSha: broken, name: "baryon / inventory" });
    expect(run).toMatchObject({ status: "completed", conclusion: "failure", output: { title: "Inventory has 1 error: nothing deployed" } });
    expect(run!.annotations).toEqual([expect.objectContaining({ path: "inventory/dev.yaml", start_line: 4, annotation_level: "failure" })]);
    expect(run!.annotations[0]!.message).toMatch(/provisioner "nowhere"/);

    const { after: fixed } = await pushChanges(repo, { "inventory/dev.yaml": ENV });
    expect(deployed()).toEqual(["environment dev 1.0"]);
    expect(h.fake.state.checkRuns(repo, { headSha: fixed, name: "baryon / inventory" })[0]).toMatchObject({ conclusion: "success", output: { title: "Inventory reconciled" } });
  });

  it("reads inventory in another repository of the owner from its default branch; one it cannot read deploys nothing and says why", async () => {
    const { repo, ledger, deployed } = await fleet();
    const other = h.fake.state.addRepo({ owner: "acme", name: "platform-fleet" });
    h.fake.state.commit(other, { "envs/dev.yaml": ENV, "README.md": "fleet\n" }, { branch: "main" });
    await mergedPullRequest(repo, 7, { ".github/baryon.yml": configFor(ledger, "inventory: [inventory, 'platform-fleet:envs']"), "inventory/shop.yaml": SVC });
    expect(deployed()).toEqual(["environment dev 1.0", "service_instance api-test 1.0", "service_pipeline shop 1.0"]);

    await mergedPullRequest(repo, 8, { ".github/baryon.yml": configFor(ledger, "inventory: [inventory, 'platform-fleet:envs', 'secret-fleet:envs']") });
    const [reply] = reconcileReplies(repo, 8);
    expect(reply!.body).toContain("nothing was deployed");
    expect(reply!.body).toContain("Baryon cannot read acme/secret-fleet: it does not exist, or the app is not installed on it");
    // Nothing was planned from a partial inventory: no delete of what the unreadable repository would hold.
    expect(reply!.body).not.toContain("delete");
    expect(deployed()).toHaveLength(3);
  });

  it("deletes a removed resource only when a user with write access confirms it on the merged pull request", async () => {
    const { repo, deployed } = await fleet();
    await pushChanges(repo, { "inventory/dev.yaml": ENV, "inventory/qa.yaml": ENV });
    expect(deployed().sort()).toEqual(["environment dev 1.0", "environment qa 1.0"]);
    await mergedPullRequest(repo, 9, { "inventory/qa.yaml": null });
    const [plan] = reconcileReplies(repo, 9);
    expect(plan!.body).toContain("delete qa: waits for confirmation");
    expect(plan!.body).toContain("kept running until someone with write access confirms: `qa`");
    expect(deployed()).toHaveLength(2);

    h.fake.state.setPermission(repo, "visitor", "read");
    h.fake.state.setPermission(repo, "maintainer", "write");
    const refused = await command(repo, 9, "visitor", "/baryon confirm-delete qa");
    expect(refused.reply).toContain("@visitor `/baryon confirm-delete` needs write access to acme/templates; you have read. Nothing was done.");
    expect(refused.reactions).toEqual(["-1"]);
    expect(await store().resource("qa")).toBeDefined();

    const unknown = await command(repo, 9, "maintainer", "/baryon confirm-delete nope");
    expect(unknown.reply).toContain("Nothing was deleted: there is no resource `nope` in Baryon's registry.");
    const kept = await command(repo, 9, "maintainer", "/baryon confirm-delete dev");
    expect(kept.reply).toContain("Nothing was deleted: `dev` is not a resource this inventory removes");

    const confirmed = await command(repo, 9, "maintainer", "/baryon confirm-delete qa");
    expect(confirmed.reactions).toEqual(["eyes"]);
    expect(confirmed.reply).toMatch(/^> \/baryon confirm-delete qa\n\n@maintainer Deleting `qa`: deployment #\d+ is queued\./m);
    expect(deployed().slice(2)).toEqual(["destroy qa"]);
    expect((await store().resources()).map((r) => r.key)).toEqual(["dev"]);
    expect((await store().deploymentsOf("qa", 1))[0]).toMatchObject({ action: "delete", status: "delete_succeeded", requestedBy: { actor: "maintainer", reason: "confirmed delete", pullRequest: 9 } });

    const help = await command(repo, 9, "visitor", "/baryon help");
    expect(help.reply).toContain("`/baryon confirm-delete <resource>`");
  });
});
