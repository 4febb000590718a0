// A new major through the app and the fake GitHub: net 1.0 is published and its
// inventory deployed (the `command` provisioner), then a merge publishes net 2.0,
// which needs a new input. Each repository holding spec files on net 1 gets one
// upgrade pull request; a redelivered publish opens none again; the pull request's
// review fails at each TODO until the owner fills it, then renders the diff against
// what is deployed; Baryon never overwrites the owner's commit on its branch.
import { describe, expect, it } from "vitest";
import { createInProcessQueue } from "../../src/adapters/queue/in-process.js";
import type { PublishOutcome } from "../../src/flows/publish-change.js";
import { CHECK_NAME, COMMENT_MARKER } from "../../src/flows/review-pull-request.js";
import { work, type JobContext } from "../../src/jobs/job-kind.js";
import { startUpgrades, upgradeMajorJob } from "../../src/jobs/upgrade.js";
import { harnessPerTest, SECRET, type Harness } from "../support/app-harness.js";
import { deliver, pullRequestDelivery, pushDelivery } from "../support/fake-github/webhooks.js";
import { FLEET_CONFIG_YAML } from "../support/fleet.js";
import { CATALOG_FILES } from "../support/inventory.js";
import { ENV_SCHEMA } from "../support/snapshot.js";

let h: Harness;
harnessPerTest((next) => (h = next));

type Repo = ReturnType<Harness["fake"]["state"]["addRepo"]>;

const BRANCH = "baryon/upgrade-net-2";
const TODO = "# baryon: required by net 2.0; set it before merging";
/** net v2 needs `zone` (no default) and `replicas` (default 2), which v1 did not have. */
const NET2_SCHEMA = ENV_SCHEMA.replace("      required: [count]",
  "        zone:\n          type: string\n        replicas:\n          type: number\n          default: 2\n      required: [count, zone, replicas]");
const templates = (prefix: string) => Object.fromEntries(Object.entries(CATALOG_FILES).filter(([p]) => p.startsWith(prefix)).map(([p, t]) => [`templates/${p}`, t]));
const NET2 = { ...templates("net/v2/"), "templates/net/v2/schema/schema.yaml": NET2_SCHEMA };
const V1 = { ...templates("net/v1/"), ...templates("api/"), ...templates("worker/") };

const DEV = "proton: EnvironmentSpec\ntemplate: net@1\nstage: test\nspec:\n  count: 2\n";
const PROD = "# Production: pinned until we have tested 1.1.\nproton: EnvironmentSpec\ntemplate: \"net@1.0\"\nstage: prod\nspec:\n  count: 3   # three AZs\n";
/** worker@1 is compatible with net 1 and net 2; api@1 with net 1 only. */
const JOBS = "proton: ServiceSpec\ntemplate: worker@1\ninstances:\n  - name: jobs-dev\n    environment: dev\n    spec:\n      image: busybox\n";
const SHOP = "proton: ServiceSpec\ntemplate: api@1\npipeline:\n  branch: release\ninstances:\n  - name: api-qa\n    environment: qa\n    spec:\n      image: nginx\n";
const QA = "proton: EnvironmentSpec\ntemplate: net@1\nstage: test\nspec:\n  count: 1\n  zone: eu-west-1\n";

/**
 * acme/templates (templates, config and inventory) and acme/platform-fleet (an environment and a
 * service in it), net 1.0 published and everything deployed. Each repository's inventory stands
 * alone: a pull request's inventory review reads only its own repository.
 */
async function fleet() {
  const repo = h.fake.state.addRepo({ owner: "acme", name: "templates" });
  const other = h.fake.state.addRepo({ owner: "acme", name: "platform-fleet" });
  h.fake.state.commit(other, { "envs/qa.yaml": QA, "envs/shop.yaml": SHOP }, { branch: "main" });
  const config = `${FLEET_CONFIG_YAML}inventory: [inventory, 'platform-fleet:envs']\n`;
  const main = h.fake.state.commit(repo, {
    ".github/baryon.yml": config, ...V1, "inventory/dev.yaml": DEV, "inventory/prod.yaml": PROD, "inventory/jobs.yaml": JOBS,
  }, { branch: "main" });
  await push(repo, "0".repeat(40), main);
  const resources = await h.db.registry.deployments({ login: "acme" }).resources();
  expect(resources.map((r) => `${r.key} ${r.template.name}@${r.template.major}`)).toEqual(["dev net@1", "prod net@1", "qa net@1", "jobs/jobs-dev worker@1", "shop/api-qa api@1", "shop/pipeline api@1"]);
  return { repo, other };
}

async function push(repo: Repo, before: string, after: string) {
  expect((await deliver(h.webhookUrl, pushDelivery(h.fake, repo, { ref: "refs/heads/main", before, after }, { secret: SECRET }))).status).toBe(200);
  await h.app.queue.idle();
}

/** Merges a pull request adding net/v2: its pull_request and push webhooks publish net 2.0. */
async function publishNet2(repo: Repo) {
  const base = repo.branches.get("main")!;
  const head = h.fake.state.commit(repo, NET2, { parent: base });
  h.fake.state.openPullRequest(repo, { number: 7, base, head, author: "octocat" });
  const merged = h.fake.state.closePullRequest(repo, 7, { merged: true });
  await deliver(h.webhookUrl, pullRequestDelivery(h.fake, "closed", merged, { secret: SECRET }));
  await push(repo, base, merged.mergeCommitSha!);
  expect((await h.db.registry.versions({ login: "acme" }).listVersions("net")).map((v) => `${v.major}.${v.minor}`)).toEqual(["1.0", "2.0"]);
  return merged;
}

/** What the publish job does after a publish (startUpgrades) again, with the upgrade job run by a worker on a queue of its own. */
async function upgradeAfterPublish(repo: Repo) {
  const queue = createInProcessQueue();
  const lines: string[] = [];
  const log = { info: (_: object, m: string) => lines.push(m), warn: (_: object, m: string) => lines.push(m), error: (_: object, m: string) => lines.push(m) };
  const context: JobContext = { adapters: { ...h.app.adapters, queue }, probot: h.app.probot, metrics: h.app.metrics, log };
  work(upgradeMajorJob, context);
  const net2: PublishOutcome = { template: "net", major: 2, minor: 0, result: "published", version: "2.0", recordedNow: true, reasons: [] };
  const api: PublishOutcome = { template: "api", major: 1, minor: 1, result: "published", version: "1.1", recordedNow: true, reasons: [] };
  const starts = await startUpgrades(context.adapters, "acme", [net2, api], repo.installationId);
  await queue.idle();
  await queue.close();
  return { starts, lines };
}

const upgradePulls = (repo: Repo) => h.fake.state.pulls.filter((p) => p.repo === repo && p.headRef === BRANCH);
const fileAt = (sha: string, path: string) => new TextDecoder().decode(h.fake.state.git.get(sha)!.files.get(path)!.bytes);

describe("a new major", () => {
  it("opens one upgrade pull request per repository holding spec files on the old major; a redelivered publish opens none again", async () => {
    const { repo, other } = await fleet();
    const merged = await publishNet2(repo);
    // The app's publish job opened them already.
    expect(upgradePulls(repo)).toHaveLength(1);
    expect(h.fake.state.pulls.filter((p) => p.repo === other && p.headRef === BRANCH)).toHaveLength(1);
    // Asked again (a retried publish, a redelivery): found, not opened twice.
    const { starts, lines } = await upgradeAfterPublish(repo);
    expect(starts).toEqual([{ template: "net", major: 2, resources: 3 }]);
    expect(lines.join("\n")).toMatch(/upgrade-major .*acme\/templates: (opened|found) .*acme\/platform-fleet: (opened|found) /);

    const [pull] = upgradePulls(repo);
    expect(upgradePulls(repo)).toHaveLength(1);
    expect(pull).toMatchObject({ state: "open", author: h.fake.state.botLogin, baseRef: "main", title: "Upgrade to net@2" });
    expect(fileAt(pull!.headSha, "inventory/dev.yaml")).toBe(`proton: EnvironmentSpec\ntemplate: net@2\nstage: test\nspec:\n  count: 2\n  zone: TODO  ${TODO}\n  replicas: 2\n`);
    // The pin is dropped; the comments stay.
    expect(fileAt(pull!.headSha, "inventory/prod.yaml")).toBe(`# Production: pinned until we have tested 1.1.\nproton: EnvironmentSpec\ntemplate: "net@2"\nstage: prod\nspec:\n  count: 3   # three AZs\n  zone: TODO  ${TODO}\n  replicas: 2\n`);
    expect(fileAt(pull!.headSha, "inventory/jobs.yaml")).toBe(JOBS);
    expect(fileAt(pull!.headSha, "templates/net/v2/schema/schema.yaml")).toBe(NET2_SCHEMA);
    expect(pull!.body).toContain("Baryon published **net 2.0**, a new major.");
    expect(pull!.body).toContain("| `inventory/prod.yaml` | `net@1.0` | `net@2` | `prod` |");
    expect(pull!.body).toContain("- [ ] `zone` of environment — `inventory/dev.yaml:6`");
    expect(pull!.body).toContain("- [ ] `zone` of environment — `inventory/prod.yaml:7`");
    expect(pull!.body).toContain("- `replicas: 2` for environment — `inventory/dev.yaml:7`");
    expect(pull!.body).not.toContain("Not compatible");

    // The other repository's environment gives `zone` already: only its reference moves, and nothing is left to do.
    const [fleetPull] = upgradePulls(other);
    expect(upgradePulls(other)).toHaveLength(1);
    expect(fileAt(fleetPull!.headSha, "envs/qa.yaml")).toBe(QA.replace("net@1", "net@2") + "  replicas: 2\n");
    expect(fleetPull!.body).not.toContain("To do before merging");
    // Its environment holds an instance whose template does not run on net 2: the pull request says so.
    expect(fleetPull!.body).toContain("- `shop/api-qa` (`api@1`) in `qa`");
    expect(fileAt(fleetPull!.headSha, "envs/shop.yaml")).toBe(SHOP);

    // GitHub redelivers the merge (a new delivery id) and the publish's follow-up runs again.
    await deliver(h.webhookUrl, pullRequestDelivery(h.fake, "closed", merged, { secret: SECRET }));
    await h.app.queue.idle();
    const again = await upgradeAfterPublish(repo);
    expect(again.lines.join("\n")).toContain(`acme/templates: found https://github.com/acme/templates/pull/${pull!.number} (2 file(s), 2 TODO(s))`);
    expect(again.lines.join("\n")).toContain(`acme/platform-fleet: found https://github.com/acme/platform-fleet/pull/${fleetPull!.number} (1 file(s), 0 TODO(s))`);
    expect(upgradePulls(repo).map((p) => [p.number, p.headSha])).toEqual([[pull!.number, pull!.headSha]]);
    expect(upgradePulls(other).map((p) => [p.number, p.headSha])).toEqual([[fleetPull!.number, fleetPull!.headSha]]);
    expect(h.fake.state.pulls.filter((p) => p.author === h.fake.state.botLogin)).toHaveLength(2);
  });

  it("the upgrade pull request's review fails at each TODO, then renders the diff once filled; Baryon leaves the owner's commit alone", async () => {
    const { repo } = await fleet();
    await publishNet2(repo);
    await upgradeAfterPublish(repo);
    const [pull] = upgradePulls(repo);

    const review = async (action: "opened" | "synchronize") => {
      await deliver(h.webhookUrl, pullRequestDelivery(h.fake, action, h.fake.state.pull(repo, pull!.number), { secret: SECRET }));
      await h.app.queue.idle();
      const run = h.fake.state.checkRuns(repo, { headSha: h.fake.state.pull(repo, pull!.number).headSha, name: CHECK_NAME })[0]!;
      const comment = h.fake.state.comments(repo, pull!.number).find((c) => c.body.includes(COMMENT_MARKER))!.body;
      return { run, comment };
    };
    const todo = await review("opened");
    expect(todo.run.conclusion).toBe("failure");
    expect(todo.run.annotations.map((a) => [a.path, a.start_line, a.message])).toEqual(expect.arrayContaining([
      ["inventory/dev.yaml", 6, expect.stringContaining("input zone is a TODO left by Baryon's upgrade pull request: set it")],
      ["inventory/prod.yaml", 7, expect.stringContaining("input zone is a TODO left by Baryon's upgrade pull request: set it")],
    ]));
    expect(todo.comment).toContain("so a merge would deploy nothing");

    // The owner sets the zones on the branch.
    const fill = (path: string, zone: string) => fileAt(pull!.headSha, path).replace(/zone: TODO.*/, `zone: ${zone}`);
    const filled = h.fake.state.commit(repo, { "inventory/dev.yaml": fill("inventory/dev.yaml", "eu-west-1a"), "inventory/prod.yaml": fill("inventory/prod.yaml", "eu-west-1b") }, { branch: BRANCH });
    h.fake.state.pushToPullRequest(repo, pull!.number, filled);
    const ready = await review("synchronize");
    expect(ready.run.conclusion).toBe("success");
    expect(ready.comment).toMatch(/redeploy dev at net 2\.0/);
    expect(ready.comment).toMatch(/redeploy prod at net 2\.0/);
    expect(ready.comment).toMatch(/^-      TopicName: net-dev-2$/m);
    expect(ready.comment).toMatch(/^\+      TopicName: net2-dev$/m);

    // A later run (a retried job, a resync) finds the pull request and keeps the owner's commit.
    await upgradeAfterPublish(repo);
    expect(repo.branches.get(BRANCH)).toBe(filled);
    expect(upgradePulls(repo)).toHaveLength(1);
  });
});
