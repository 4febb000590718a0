// An inventory pull request on GitHub: the app against the loopback fake, fed
// real webhook payloads, on a registry holding published templates (and, where
// it matters, a fleet deployed through the real `command` provisioner). One
// check run and one living comment carry the plan and the rendered diffs.
import { describe, expect, it } from "vitest";
import { CHECK_NAME, COMMENT_MARKER } from "../../src/flows/review-pull-request.js";
import { harnessPerTest, SECRET, type Harness } from "../support/app-harness.js";
import { deployFleet, FLEET_CONFIG_YAML, publishCatalog, type FleetAdapters } from "../support/fleet.js";
import { CATALOG_FILES } from "../support/inventory.js";
import { deliver, pullRequestDelivery } from "../support/fake-github/webhooks.js";

let h: Harness;
harnessPerTest((next) => (h = next));

const owner = { login: "acme" };
const fleet = (): FleetAdapters => ({ registry: h.app.adapters.registry, artifacts: h.app.adapters.artifacts, renderer: h.app.adapters.renderer });

const env = (count: number, provisioner = "local") => `proton: EnvironmentSpec\ntemplate: net@1\nstage: test\nprovisioner: ${provisioner}\nspec:\n  count: ${count}\n`;
const svc = (images: Record<string, string>) => `proton: ServiceSpec\ntemplate: api@1\nprovisioner: local\npipeline:\n  branch: release\ninstances:\n${Object.entries(images).map(([e, image]) => `  - name: api-${e}\n    environment: ${e}\n    spec:\n      image: ${image}\n`).join("")}`;

/** A pull request on acme/templates from `base` (with the config) to `base` + `changes`; returns the check run and the comment once reviewed. */
async function review(base: Record<string, string>, changes: Record<string, string | null>) {
  const repo = h.fake.state.addRepo({ owner: "acme", name: "templates" });
  const baseSha = h.fake.state.commit(repo, { ".github/baryon.yml": FLEET_CONFIG_YAML, "templates/README.md": "templates\n", ...base }, { branch: "main" });
  const head = h.fake.state.commit(repo, changes, { parent: baseSha });
  const pull = h.fake.state.openPullRequest(repo, { number: 4, base: baseSha, head, author: "octocat" });
  const res = await deliver(h.webhookUrl, pullRequestDelivery(h.fake, "opened", pull, { secret: SECRET }));
  expect(res.status).toBe(200);
  await h.app.queue.idle();
  const runs = h.fake.state.checkRuns(repo, { headSha: head, name: CHECK_NAME });
  expect(runs).toHaveLength(1);
  const comments = h.fake.state.comments(repo, 4).filter((c) => c.body.includes(COMMENT_MARKER));
  expect(comments).toHaveLength(1);
  return { run: runs[0]!, comment: comments[0]!.body };
}

describe("an inventory pull request", () => {
  it("adding an environment and a service: a passing check run, the plan, and every new resource rendered", async () => {
    await publishCatalog(fleet(), owner);
    const { run, comment } = await review({}, { "inventory/dev.yaml": env(2), "inventory/shop.yaml": svc({ dev: "nginx" }) });
    expect(run).toMatchObject({ status: "completed", conclusion: "success", output: expect.objectContaining({ title: "Inventory: 3 to create" }) });
    expect(comment).toContain("### Baryon inventory review");
    expect(comment).toContain("**Inventory**: 2 inventory files changed; a merge would deploy: 3 to create.");
    for (const line of ["create dev at net 1.0", "create shop/api-dev at api 1.0", "create shop/pipeline at api 1.0"]) expect(comment).toContain(`- ➕ ${line}`);
    expect(comment).toContain("`dev` — `infrastructure/cloudformation.yaml` (+");
    expect(comment).toMatch(/^\+      TopicName: net-dev-2$/m);
    // Outputs nothing has deployed yet are visible placeholders, down to the pipeline.
    expect(comment).toMatch(/^\+      TopicName: <environment\.outputs\.TopicName>-api-dev-nginx$/m);
    expect(comment).toMatch(/^\+      TopicName: pipe-release-<api-dev\.outputs\.TopicName>$/m);
    expect(comment).not.toContain("rendering failed");
    expect(run.output.summary).toContain("- ➕ create dev at net 1.0");
    // Nothing was recorded: a review plans, the merge deploys.
    expect(await h.app.adapters.registry.deployments(owner).resources()).toEqual([]);
  });

  it("with a bad inventory file: a failing check run with an annotation at the line", async () => {
    await publishCatalog(fleet(), owner);
    const { run, comment } = await review({}, { "inventory/dev.yaml": env(2, "nowhere") });
    expect(run).toMatchObject({ conclusion: "failure", output: expect.objectContaining({ title: "1 error in inventory/dev.yaml" }) });
    expect(run.annotations).toEqual([expect.objectContaining({ path: "inventory/dev.yaml", start_line: 4, annotation_level: "failure", message: expect.stringMatching(/nowhere/) })]);
    expect(comment).toContain("❌ 1 error, so a merge would deploy nothing.");
    expect(comment).toMatch(/\[inventory\/dev\.yaml:4(:\d+)?\]\(https:\/\/github\.com\/acme\/templates\/blob\/[0-9a-f]+\/inventory\/dev\.yaml#L4\)/);
  });

  it("changing one deployed instance's spec shows only that instance's diff against what is deployed", async () => {
    await publishCatalog(fleet(), owner);
    const deployed = { "inventory/dev.yaml": env(2), "inventory/qa.yaml": env(5), "inventory/shop.yaml": svc({ dev: "nginx", qa: "nginx" }) };
    await deployFleet(fleet(), owner, deployed);
    const { run, comment } = await review(deployed, { "inventory/shop.yaml": svc({ dev: "nginx", qa: "httpd" }) });
    expect(run).toMatchObject({ conclusion: "success", output: expect.objectContaining({ title: "Inventory: 1 to redeploy" }) });
    expect(comment).toContain("- 🔁 redeploy shop/api-qa at api 1.0 (spec changed)");
    expect(comment).toContain("(4 unchanged)");
    expect(comment).toContain("1 of 1 rendered resource changed");
    // The deployed render used the environment's recorded output (net-qa-5), not a placeholder.
    expect(comment).toMatch(/^-      TopicName: net-qa-5-api-qa-nginx$/m);
    expect(comment).toMatch(/^\+      TopicName: net-qa-5-api-qa-httpd$/m);
    expect(comment).not.toContain("Files outside every bundle");
    expect(comment).not.toContain("`shop/api-dev`");
  });

  it("touching templates and inventory at once: both parts in one comment and one check run", async () => {
    await publishCatalog(fleet(), owner);
    const templates = Object.fromEntries(Object.entries(CATALOG_FILES).map(([path, text]) => [`templates/${path}`, text]));
    const cfn = "templates/net/v1/infrastructure/cloudformation.yaml";
    const { run, comment } = await review(templates, {
      [cfn]: templates[cfn]!.replace("TopicName: net-", "TopicName: network-"),
      "inventory/dev.yaml": env(2),
    });
    expect(run).toMatchObject({ conclusion: "success", output: expect.objectContaining({ title: "Will publish net 1.1; inventory: 1 to create" }) });
    expect(comment).toContain("### Baryon review");
    expect(comment).toMatch(/\| `net` v1 \| environment \| minor \| Will publish 1\.1 \|/);
    expect(comment).toContain("- ➕ create dev at net 1.0");
    expect(comment).not.toContain("Files outside every bundle");
  });

  it("a template pull request renders the deployed fleet that follows the changed major: changes 1 of 2", async () => {
    await publishCatalog(fleet(), owner);
    const deployed = { "inventory/dev.yaml": env(2), "inventory/qa.yaml": env(5) };
    await deployFleet(fleet(), owner, deployed);
    const templates = Object.fromEntries(Object.entries(CATALOG_FILES).map(([path, text]) => [`templates/${path}`, text]));
    const cfn = "templates/net/v1/infrastructure/cloudformation.yaml";
    // Only an environment with a count of 5 or more renders differently.
    const edited = templates[cfn]!.replace("{{ environment.inputs.count }}", "{{ environment.inputs.count if environment.inputs.count < 5 else 'many' }}");
    const { run, comment } = await review({ ...templates, ...deployed }, { [cfn]: edited });
    expect(run).toMatchObject({ conclusion: "success" });
    expect(comment).toContain("### Baryon template review");
    expect(comment).toContain("changes 1 of 2 deployed environments");
    expect(comment).toContain("`qa` — `infrastructure/cloudformation.yaml` (+1 −1)");
    expect(comment).toMatch(/^-      TopicName: net-qa-5$/m);
    expect(comment).toMatch(/^\+      TopicName: net-qa-many$/m);
    expect(comment).not.toContain("`dev` —");
  });
});
