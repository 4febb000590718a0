// Who may command a rollout, through the app and the fake GitHub: a merged fork's
// rollout is commanded like any other; at a gated stage, `/rollout resume` and a
// bare `/rollback` need what opening that stage needs; a gated stage naming no
// approvers opens for admins only; GitHub refusing to tell team membership (the
// app lacks Members: read) refuses, saying how to grant it.
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { harnessPerTest, SECRET, type Harness } from "../support/app-harness.js";
import { deliver, pushDelivery } from "../support/fake-github/webhooks.js";
import { API_SERVICE, ledgerProvisioner, netEnvironment, templateFiles } from "../support/inventory.js";
import { comment, mergeApiChange, type Repo } from "../support/pull-request-actions.js";

let h: Harness;
harnessPerTest((next) => (h = next));

/** Test (gated too if `testApprovers`), then prod gated by a comment: `approvers` as given (none: the line is left out), `verify` if given. */
function configFor(ledger: string, prod: { approvers?: string; verify?: string; testApprovers?: string }): string {
  return [
    "templates: templates",
    "rollout:",
    "  stages:",
    "    - name: test",
    ...(prod.testApprovers ? ["      gate: comment", `      approvers: ${prod.testApprovers}`] : []),
    "    - name: prod",
    "      gate: comment",
    ...(prod.approvers ? [`      approvers: ${prod.approvers}`] : []),
    ...(prod.verify ? [`      verify: { command: '${prod.verify}' }`] : []),
    ...ledgerProvisioner(ledger, { kind: true }),
    "",
  ].join("\n");
}

/** The fleet at 1.0: one environment in test and one in prod, and a service with an instance in each. */
async function fleet(prod: { approvers?: string; verify?: string; testApprovers?: string }) {
  const ledger = join(mkdtempSync(join(tmpdir(), "baryon-ledger-")), "ledger.txt");
  const repo = h.fake.state.addRepo({ owner: "acme", name: "templates" });
  const files = { ".github/baryon.yml": configFor(ledger, prod), ...templateFiles(), "inventory/dev.yaml": netEnvironment("test"), "inventory/live.yaml": netEnvironment("prod"), "inventory/shop.yaml": API_SERVICE };
  const main = h.fake.state.commit(repo, files, { branch: "main" });
  await deliver(h.webhookUrl, pushDelivery(h.fake, repo, { ref: "refs/heads/main", before: "0".repeat(40), after: main }, { secret: SECRET, sender: "lead" }));
  await h.app.queue.idle();
  const deployed = () => (existsSync(ledger) ? readFileSync(ledger, "utf8").trim().split("\n") : []);
  // On a miss, the app's warnings and errors say which deployment did not happen, and why.
  expect(deployed(), h.logs.filter((l) => /"level":(40|50)/.test(l)).join("")).toHaveLength(5);
  h.fake.state.setPermission(repo, "octocat", "admin");
  h.fake.state.setPermission(repo, "lead", "write");
  h.fake.state.setPermission(repo, "wes", "write");
  h.fake.state.addTeamMember("acme", "platform-team", "lead");
  h.fake.state.addTeamMember("acme", "platform-team", "octocat");
  return { repo, deployed };
}

const mergeChange = (repo: Repo, number: number, author = "octocat", fork = false) => mergeApiChange(h, repo, number, { author, fork });
const command = (repo: Repo, number: number, author: string, body: string) => comment(h, repo, number, author, body);

const rollout = async () => (await h.db.registry.rollouts({ login: "acme" }).rollouts())[0];

describe("who may command a rollout", () => {
  it("obeys commands on the rollout of a merged pull request from a fork, each commenter authorized on their own", async () => {
    const { repo, deployed } = await fleet({ approvers: "[acme/platform-team]" });
    await mergeChange(repo, 7, "mallory", true);
    expect(await rollout()).toMatchObject({ status: "waiting", stage: "prod", origin: { pullRequest: 7 } });

    const outsider = await command(repo, 7, "wes", "/rollout prod");
    expect(outsider.reply).toContain("@wes `/rollout prod` needs membership in acme/platform-team; you are not a member. Nothing was done.");
    const accepted = await command(repo, 7, "lead", "/rollout prod");
    expect(accepted.reply).toContain("@lead Opened prod for api 1.1");
    expect(accepted.reactions).toContain("+1");
    expect(deployed().slice(6).sort()).toEqual(["service_instance api-prod 1.1", "service_pipeline shop 1.1"]);
    expect(await rollout()).toMatchObject({ status: "succeeded" });
  }, 90_000);

  it("at a gated prod paused by an inconclusive verdict, lets only prod's approvers resume or roll everything back, never the author", async () => {
    const { repo, deployed } = await fleet({ approvers: "[acme/platform-team]", verify: "exit 75" });
    await mergeChange(repo, 7);
    await command(repo, 7, "lead", "/rollout prod");
    expect(await rollout()).toMatchObject({ status: "paused", stage: "prod" });
    const before = deployed().length;

    // octocat wrote the pull request: a member of the team, but barred by authorMayApprove: false.
    const author = await command(repo, 7, "octocat", "/rollout resume");
    expect(author.reply).toContain("@octocat `/rollout resume` acts on prod, which the author of the pull request may not open (authorMayApprove: false); another approver of prod must. Nothing was done.");
    expect(author.reactions).toContain("-1");
    const writer = await command(repo, 7, "wes", "/rollout resume");
    expect(writer.reply).toContain("@wes `/rollout resume` acts on prod, so it needs what opening prod needs: membership in acme/platform-team; you are not a member. Nothing was done.");
    // A bare `/rollback` takes back test and prod: prod's approvers decide too.
    const rollback = await command(repo, 7, "wes", "/rollback");
    expect(rollback.reply).toContain("@wes `/rollback` acts on prod, so it needs what opening prod needs: membership in acme/platform-team; you are not a member. Nothing was done.");
    expect(await rollout()).toMatchObject({ status: "paused", stage: "prod" });
    expect(deployed()).toHaveLength(before);

    // Pausing only stops things: write access is enough.
    const pause = await command(repo, 7, "wes", "/rollout pause");
    expect(pause.reply).toContain("is paused already");

    const resumed = await command(repo, 7, "lead", "/rollout resume");
    expect(resumed.reply).toContain("@lead Resumed the rollout of api 1.1");
    expect(await rollout()).toMatchObject({ status: "succeeded" });
  }, 90_000);

  it("asks of a bare `/rollback` the approvers of every gated stage it takes back, not only the stage the rollout stands at", async () => {
    const { repo, deployed } = await fleet({ testApprovers: "[acme/test-team]", approvers: "[acme/platform-team]", verify: "exit 75" });
    h.fake.state.setPermission(repo, "tess", "write");
    h.fake.state.addTeamMember("acme", "test-team", "tess");
    await mergeChange(repo, 7);
    expect((await command(repo, 7, "tess", "/rollout test")).reply).toContain("@tess Opened test for api 1.1");
    expect((await command(repo, 7, "lead", "/rollout prod")).reply).toContain("@lead Opened prod for api 1.1");
    expect(await rollout()).toMatchObject({ status: "paused", stage: "prod" });
    const before = deployed().length;

    const lead = await command(repo, 7, "lead", "/rollback");
    expect(lead.reply).toContain("@lead `/rollback` acts on test, so it needs what opening test needs: membership in acme/test-team; you are not a member. Nothing was done.");
    const tess = await command(repo, 7, "tess", "/rollback");
    expect(tess.reply).toContain("@tess `/rollback` acts on prod, so it needs what opening prod needs: membership in acme/platform-team; you are not a member. Nothing was done.");
    expect(deployed()).toHaveLength(before);

    h.fake.state.addTeamMember("acme", "test-team", "lead");
    const both = await command(repo, 7, "lead", "/rollback");
    expect(both.reply).toContain("@lead Rolling back");
    expect(deployed().slice(before).sort()).toEqual(["service_instance api-prod 1.0", "service_instance api-test 1.0", "service_pipeline shop 1.0"]);
  }, 90_000);

  it("opens a gated prod that names no approvers for admins only, and says how to name some", async () => {
    const { repo, deployed } = await fleet({});
    await mergeChange(repo, 7, "mallory");
    const writer = await command(repo, 7, "lead", "/rollout prod");
    expect(writer.reply).toContain(
      "@lead `/rollout prod` needs admin access to acme/templates; you have write. prod names no `approvers`, so only admins may open it: name them under the stage prod in `.github/baryon.yml`, teams (`approvers: [acme/<team>]`) or a minimum permission (`approvers: [maintain]`). Nothing was done.",
    );
    expect(deployed()).toHaveLength(6);
    const admin = await command(repo, 7, "octocat", "/rollout prod");
    expect(admin.reply).toContain("@octocat Opened prod for api 1.1");
    expect(deployed()).toHaveLength(8);
  }, 90_000);

  it("refuses when GitHub will not say who is in the team (no Members permission), and says how to grant it", async () => {
    const { repo, deployed } = await fleet({ approvers: "[acme/platform-team]" });
    await mergeChange(repo, 7);
    h.fake.failNext("teams/get-membership-for-user-in-org", { status: 403, message: "Resource not accessible by integration" });
    const refused = await command(repo, 7, "lead", "/rollout prod");
    expect(refused.reply).toContain(
      "@lead `/rollout prod` needs membership in acme/platform-team; GitHub refused to say whether you are a member: Baryon's GitHub App lacks the organization permission \"Members\" (read). Nothing was done.",
    );
    expect(refused.reply).toContain("an owner of acme accepts the updated permissions in the organization's Settings → GitHub Apps");
    expect(refused.reactions).toContain("-1");
    expect(deployed()).toHaveLength(6);
    expect(await rollout()).toMatchObject({ status: "waiting", stage: "prod" });
  }, 90_000);
});
