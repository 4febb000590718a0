// A pull request can carry a schema pattern built to backtrack for hours. The app
// matches patterns in linear time, so that pull request is reviewed, and the next
// one is reviewed on time too (a stalled event loop would hold every review).
import { describe, expect, it } from "vitest";
import { CHECK_NAME } from "../../src/flows/review-pull-request.js";
import { exampleFiles, harnessPerTest, SECRET, type Harness } from "../support/app-harness.js";
import { deliver, pullRequestDelivery } from "../support/fake-github/webhooks.js";

const ENV = "templates/fargate-env";
const SVC_SCHEMA = "templates/load-balanced-fargate-svc/v1/schema/schema.yaml";
const base = exampleFiles();

let h: Harness;
harnessPerTest((next) => (h = next));

// `^(a+)+$` against 39 a's and a "!" took 99 s on JavaScript's RegExp; each more character doubles it.
const hostileSchema = base[`${ENV}/v1/schema/schema.yaml`]!.replace("        container_insights:", () =>
  "        cluster_label:\n          type: string\n          default: aaaa\n          pattern: '^(a+)+$'\n        container_insights:");
const hostileSpec = `${base[`${ENV}/spec/spec.yaml`]!.trimEnd()}\n  cluster_label: ${"a".repeat(39)}!\n`;

async function review(number: number, changes: Record<string, string>) {
  const repo = h.fake.state.repo("acme/templates");
  const baseSha = h.fake.state.resolve(repo, "main")!;
  const head = h.fake.state.commit(repo, changes, { parent: baseSha });
  const pull = h.fake.state.openPullRequest(repo, { number, base: baseSha, head, author: "mallory", fork: true });
  const res = await deliver(h.webhookUrl, pullRequestDelivery(h.fake, "opened", pull, { secret: SECRET }));
  expect(res.status).toBe(200);
  await h.app.queue.idle();
  return h.fake.state.checkRuns(repo, { headSha: head });
}

describe("a hostile schema pattern from a fork", () => {
  it("is reviewed, and the next pull request is reviewed within the bound", async () => {
    const repo = h.fake.state.addRepo({ owner: "acme", name: "templates" });
    h.fake.state.commit(repo, { ".github/baryon.yml": "templates: templates\n", ...base }, { branch: "main" });
    const started = performance.now();
    const hostile = await review(7, { [`${ENV}/v1/schema/schema.yaml`]: hostileSchema, [`${ENV}/spec/spec.yaml`]: hostileSpec });
    const line = hostileSpec.split("\n").findIndex((l) => l.startsWith("  cluster_label:")) + 1;
    expect(hostile).toHaveLength(1);
    expect(hostile[0]).toMatchObject({ name: CHECK_NAME, status: "completed", conclusion: "failure" });
    expect(hostile[0]!.annotations).toContainEqual(expect.objectContaining({
      path: `${ENV}/spec/spec.yaml`, start_line: line, annotation_level: "failure",
      message: expect.stringContaining('cluster_label must match pattern "^(a+)+$"'),
    }));

    const next = await review(8, { [SVC_SCHEMA]: base[SVC_SCHEMA]!.replace("        env_vars:", () => "        log_retention_days:\n          type: number\n          default: 14\n        env_vars:") });
    expect(next).toHaveLength(1);
    expect(next[0]).toMatchObject({ name: CHECK_NAME, status: "completed", conclusion: "success" });
    // Both reviews, render included, well inside the test's own 20 s timeout.
    expect(performance.now() - started).toBeLessThan(15_000);
  });
});
