// Rollouts through the app and the fake GitHub, end to end: a merged template change
// publishes 1.1; its rollout deploys the test stage with the `command` provisioner
// (a ledger this test reads), waits at the prod gate, refuses `/rollout prod` from a
// reader and from the pull request's author, accepts it from a member of the
// approving team, deploys prod and ends; the living comment shows each step.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { harnessPerTest, SECRET, type Harness } from "../support/app-harness.js";
import { deliver, pushDelivery } from "../support/fake-github/webhooks.js";
import { API_SERVICE, ledgerProvisioner, netEnvironment, templateFiles } from "../support/inventory.js";
import { comment, mergeApiChange, type Repo } from "../support/pull-request-actions.js";

let h: Harness;
harnessPerTest((next) => (h = next));

/** Test, then prod gated by the platform team; `testSoak` and prod's `verify` if given (verify also turns autoRollback on). */
function configFor(ledger: string, options: { prodVerify?: string; testSoak?: string }): string {
  const { prodVerify, testSoak } = options;
  return [
    "templates: templates",
    "rollout:",
    ...(prodVerify ? ["  autoRollback: true"] : []),
    "  stages:",
    "    - name: test",
    "      batch: 1",
    ...(testSoak ? [`      soak: ${testSoak}`] : []),
    "    - name: prod",
    "      gate: comment",
    "      approvers: [acme/platform-team]",
    "      authorMayApprove: false",
    ...(prodVerify ? [`      verify: { command: '${prodVerify}' }`] : []),
    ...ledgerProvisioner(ledger, { kind: true }),
    "",
  ].join("\n");
}

async function fleet(options: { prodVerify?: (dir: string) => string; testSoak?: string } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "baryon-ledger-"));
  const ledger = join(dir, "ledger.txt");
  const repo = h.fake.state.addRepo({ owner: "acme", name: "templates" });
  const files = { ".github/baryon.yml": configFor(ledger, { ...(options.prodVerify ? { prodVerify: options.prodVerify(dir) } : {}), ...(options.testSoak ? { testSoak: options.testSoak } : {}) }), ...templateFiles(), "inventory/dev.yaml": netEnvironment("test"), "inventory/live.yaml": netEnvironment("prod"), "inventory/shop.yaml": API_SERVICE };
  const main = h.fake.state.commit(repo, files, { branch: "main" });
  await deliver(h.webhookUrl, pushDelivery(h.fake, repo, { ref: "refs/heads/main", before: "0".repeat(40), after: main }, { secret: SECRET, sender: "lead" }));
  await h.app.queue.idle();
  const deployed = () => (existsSync(ledger) ? readFileSync(ledger, "utf8").trim().split("\n") : []);
  expect(deployed()).toHaveLength(5); // two environments, two instances, the pipeline: all at 1.0
  return { repo, deployed, dir };
}

const mergeChange = (repo: Repo, number: number, settle = true) => mergeApiChange(h, repo, number, { settle });
const command = (repo: Repo, number: number, author: string, body: string) => comment(h, repo, number, author, body);

const reviewComment = (repo: Repo, number: number) => h.fake.state.comments(repo, number).find((c) => c.body.includes("<!-- baryon:review -->"))!.body;
const rollouts = () => h.db.registry.rollouts({ login: "acme" }).rollouts();

describe("a rollout driven from the pull request", () => {
  it("deploys test, soaks, waits at the prod gate, opens it only for the approving team (never the author), and shows each step in the living comment", async () => {
    const { repo, deployed } = await fleet({ testSoak: "5s" });
    h.fake.state.setPermission(repo, "visitor", "read");
    h.fake.state.setPermission(repo, "octocat", "admin");
    h.fake.state.setPermission(repo, "lead", "write");
    h.fake.state.addTeamMember("acme", "platform-team", "lead");

    // While test soaks, prod cannot be opened yet, and the reply says for how long.
    await mergeChange(repo, 7, false);
    await vi.waitFor(async () => {
      expect((await rollouts())[0]).toMatchObject({ status: "running", stage: "test", reason: expect.stringMatching(/^test soaks until /) });
      expect(reviewComment(repo, 7)).toMatch(/\| test \| 1\/1 \| 0 \| 0 \| 0 \| [1-5]s left \| auto \|/);
    }, { timeout: 30_000 });
    expect(deployed().slice(5)).toEqual(["service_instance api-test 1.1"]);
    const soaking = await command(repo, 7, "lead", "/rollout prod");
    expect(soaking.reply).toMatch(/@lead `\/rollout prod` is not possible yet: test soaks for [1-5]s more\. Nothing was done\./);
    await h.app.queue.idle();
    const [rollout] = await rollouts();
    expect(rollout).toMatchObject({ template: "api", major: 1, minor: 1, status: "waiting", stage: "prod", origin: { repository: "acme/templates", pullRequest: 7 } });
    let table = reviewComment(repo, 7);
    expect(table).toContain("### Rollout of api 1.1: waiting");
    expect(table).toContain("| test | 1/1 | 0 | 0 | 0 | done | auto |");
    expect(table).toContain("| prod | 0/2 | 0 | 0 | 2 | – | waiting for `/rollout prod` |");

    const reader = await command(repo, 7, "visitor", "/rollout prod");
    expect(reader.reply).toContain("@visitor `/rollout prod` needs membership in acme/platform-team; you are not a member. Nothing was done.");
    expect(reader.reactions).toEqual(expect.arrayContaining(["-1"]));
    const author = await command(repo, 7, "octocat", "/rollout prod");
    expect(author.reply).toContain("may not be approved by the author of the pull request (authorMayApprove: false). Nothing was done.");
    expect(deployed()).toHaveLength(6);

    const early = await command(repo, 7, "lead", "/rollout staging");
    expect(early.reply).toContain("no stage staging");

    const accepted = await command(repo, 7, "lead", "/rollout prod");
    expect(accepted.reply).toContain("@lead Opened prod for api 1.1: 2 resource(s), 2 at a time.");
    expect(accepted.reactions).toEqual(expect.arrayContaining(["eyes", "+1"]));
    expect(deployed().slice(6).sort()).toEqual(["service_instance api-prod 1.1", "service_pipeline shop 1.1"]);
    expect((await rollouts())[0]).toMatchObject({ status: "succeeded", approvals: [{ stage: "prod", by: "lead" }] });
    table = reviewComment(repo, 7);
    expect(table).toContain("### Rollout of api 1.1: succeeded");
    expect(table).toContain("| prod | 2/2 | 0 | 0 | 0 | – | approved by @lead |");

    const again = await command(repo, 7, "lead", "/rollout prod");
    expect(again.reply).toContain("The rollout of api 1.1 has ended (succeeded). Nothing was done.");
    const status = await command(repo, 7, "visitor", "/rollout status");
    expect(status.reply).toContain("### Rollout of api 1.1: succeeded");
    expect(deployed()).toHaveLength(8);
  }, 90_000);

  it("halts when prod's verification fails, rolls that batch back to 1.0 and holds it, says why once, and goes on after a fix and `/rollout resume`", async () => {
    // api-prod's smoke test fails until the test creates the file "fixed".
    const { repo, deployed, dir } = await fleet({ prodVerify: (d) => `test "$BARYON_RESOURCE" != api-prod || test -f ${d}/fixed || { echo "502 from api-prod"; exit 1; }` });
    h.fake.state.setPermission(repo, "lead", "write");
    h.fake.state.addTeamMember("acme", "platform-team", "lead");
    await mergeChange(repo, 7);
    await command(repo, 7, "lead", "/rollout prod");

    const [halted] = await rollouts();
    expect(halted).toMatchObject({ status: "rolled_back", stage: "prod" });
    expect(halted!.reason).toContain("api-prod (verification failed: `test");
    // The batch (api-prod and the pipeline) went to 1.1 and back to 1.0, as rollbacks.
    expect(deployed().slice(6).sort()).toEqual(["service_instance api-prod 1.0", "service_instance api-prod 1.1", "service_pipeline shop 1.0", "service_pipeline shop 1.1"]);
    const [rollback] = await h.db.registry.deployments({ login: "acme" }).deploymentsOf("shop/api-prod", 1);
    expect(rollback).toMatchObject({ major: 1, minor: 0, status: "succeeded", rollout: { id: halted!.id, rollback: true }, requestedBy: { reason: "rollback" } });
    expect(await h.db.registry.deployments({ login: "acme" }).resource("shop/api-prod")).toMatchObject({ held: "rolled back to 1.0 by the rollout of api 1.1" });
    const halts = h.fake.state.comments(repo, 7).filter((c) => c.body.includes("<!-- baryon:rollout-halt "));
    expect(halts).toHaveLength(1);
    expect(halts[0]!.body).toContain("**The rollout of api 1.1 halted in prod**");
    expect(halts[0]!.body).toContain("- `shop/api-prod`: verification failed: `test");
    expect(halts[0]!.body).toContain("502 from api-prod");
    expect(reviewComment(repo, 7)).toContain("### Rollout of api 1.1: rolled back");

    writeFileSync(join(dir, "fixed"), "");
    const resumed = await command(repo, 7, "lead", "/rollout resume");
    expect(resumed.reply).toContain("Resumed the rollout of api 1.1; retrying `shop/api-prod`, `shop/pipeline`.");
    expect((await rollouts())[0]).toMatchObject({ status: "succeeded" });
    expect(deployed().slice(10).sort()).toEqual(["service_instance api-prod 1.1", "service_pipeline shop 1.1"]);
    expect((await h.db.registry.deployments({ login: "acme" }).resource("shop/api-prod"))!.held).toBeUndefined();
    expect(h.fake.state.comments(repo, 7).filter((c) => c.body.includes("<!-- baryon:rollout-halt "))).toHaveLength(1);
  }, 90_000);

  it("answers a rollout command on a pull request that started no rollout, and a bot's command, with the reason", async () => {
    const { repo } = await fleet();
    const base = repo.branches.get("main")!;
    const head = h.fake.state.commit(repo, { "README.md": "docs\n" }, { parent: base });
    h.fake.state.openPullRequest(repo, { number: 3, base, head, author: "octocat" });
    const none = await command(repo, 3, "octocat", "/rollout pause");
    expect(none.reply).toContain("no rollout was started from this pull request");

    await mergeChange(repo, 4);
    const bot = await command(repo, 4, "renovate[bot]", "/rollout prod");
    expect(bot.reply).toContain("came from a bot (renovate[bot])");
  });
});
