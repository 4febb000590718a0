// What a pull request shows of a review on GitHub: the check run from the
// moment the review starts, and problems that link to the head commit.
import { afterAll, describe, expect, it } from "vitest";
import { ProbotOctokit } from "probot";
import { pullRequestReporter } from "../../src/adapters/github/reporter.js";
import { CHECK_NAME, COMMENT_MARKER } from "../../src/flows/review-pull-request.js";
import { createRenderPool } from "../../src/jinja/pool.js";
import type { Renderer } from "../../src/ports/renderer.js";
import { checkRunStarted } from "../../src/present/check-run.js";
import { exampleFiles, harnessPerTest, SECRET, type Harness } from "../support/app-harness.js";
import { deliver, pullRequestDelivery } from "../support/fake-github/webhooks.js";

const SVC = "templates/load-balanced-fargate-svc/v1";
const CONFIG = { ".github/baryon.yml": "templates: templates\n" };
const base = exampleFiles();

let h: Harness;
const harness = harnessPerTest((next) => (h = next));
const pool = createRenderPool({ size: 1 });
afterAll(() => pool.close());

function setup(headChanges: Record<string, string | null>) {
  const repo = h.fake.state.addRepo({ owner: "acme", name: "templates" });
  const baseSha = h.fake.state.commit(repo, { ...CONFIG, ...base }, { branch: "main" });
  const head = h.fake.state.commit(repo, headChanges, { parent: baseSha });
  const pull = h.fake.state.openPullRequest(repo, { number: 7, base: baseSha, head, author: "octocat" });
  return { repo, head, pull };
}

async function open(pull: ReturnType<typeof setup>["pull"]) {
  const res = await deliver(h.webhookUrl, pullRequestDelivery(h.fake, "opened", pull, { secret: SECRET }));
  expect(res.status).toBe(200);
  await h.app.queue.idle();
}

const withRetention = (text: string) => text.replace("        env_vars:", "        log_retention_days:\n          type: number\n          default: 14\n        env_vars:");

describe("the check run shows Baryon at work", () => {
  it("is in progress while the review renders, and that same run completes", async () => {
    let target: ReturnType<typeof setup> | undefined;
    let during: { id: number; status: string; conclusion: string | null; title: string | null }[] | undefined;
    // A renderer that looks at the pull request the moment the review starts rendering.
    const watching: Renderer = {
      render(request) {
        during ??= h.fake.state.checkRuns(target!.repo, { headSha: target!.head })
          .map((r) => ({ id: r.id, status: r.status, conclusion: r.conclusion, title: r.output.title }));
        return pool.render(request);
      },
      close: async () => {},
    };
    await harness.restart({ renderer: watching });
    target = setup({ [`${SVC}/schema/schema.yaml`]: withRetention(base[`${SVC}/schema/schema.yaml`]!) });
    await open(target.pull);

    expect(during).toEqual([{ id: expect.any(Number), status: "in_progress", conclusion: null, title: "Reviewing template changes…" }]);
    const runs = h.fake.state.checkRuns(target.repo, { headSha: target.head });
    expect(runs).toHaveLength(1);
    // The run that showed the review in progress is the one that carries its result (app.test.ts checks the result itself).
    expect(runs[0]).toMatchObject({ id: during![0]!.id, name: CHECK_NAME, status: "completed" });
    expect(runs[0]!.output.title).not.toBe("Reviewing template changes…");
  });

  it("a retried review reuses its unfinished run; a finished one gives way to a new run, which completes", async () => {
    const { repo, head } = setup({ [`${SVC}/schema/schema.yaml`]: withRetention(base[`${SVC}/schema/schema.yaml`]!) });
    const octokit = () => new ProbotOctokit({ auth: { token: h.fake.state.issueToken(repo.installationId).token }, baseUrl: h.fake.url, throttle: { enabled: false }, retry: { enabled: false } });
    const reporter = () => pullRequestReporter(octokit(), { owner: "acme", repo: "templates", number: 7, appId: h.fake.state.app.id });
    const done = { name: CHECK_NAME, headSha: head, conclusion: "success" as const, title: "Done", summary: "done", annotations: [] };

    await reporter().startCheckRun(checkRunStarted(CHECK_NAME, head));
    const writes = () => h.fake.apiCalls().filter((c) => c.operationId === "checks/create" || c.operationId === "checks/update").length;
    const before = writes();
    await reporter().startCheckRun(checkRunStarted(CHECK_NAME, head)); // a retried job, in a new reporter
    expect(writes()).toBe(before); // already in progress: nothing to write
    expect(h.fake.state.checkRuns(repo, { headSha: head }).map((r) => r.status)).toEqual(["in_progress"]);

    const retried = reporter();
    await retried.startCheckRun(checkRunStarted(CHECK_NAME, head));
    await retried.ensureCheckRun(done);
    expect(h.fake.state.checkRuns(repo, { headSha: head }).map((r) => [r.status, r.conclusion])).toEqual([["completed", "success"]]);

    // The same SHA reviewed again later (e.g. against a new base): GitHub keeps a completed run's
    // conclusion, so a new run shows the review in progress, and GitHub's latest-run view shows only it.
    const again = reporter();
    await again.startCheckRun(checkRunStarted(CHECK_NAME, head));
    const latest = await octokit().rest.checks.listForRef({ owner: "acme", repo: "templates", ref: head, check_name: CHECK_NAME, filter: "latest" });
    expect(latest.data.check_runs.map((r) => [r.status, r.conclusion])).toEqual([["in_progress", null]]);
    await again.ensureCheckRun({ ...done, conclusion: "failure", title: "Failed" });
    const after = await octokit().rest.checks.listForRef({ owner: "acme", repo: "templates", ref: head, check_name: CHECK_NAME, filter: "latest" });
    expect(after.data.check_runs.map((r) => [r.status, r.conclusion, r.output.title])).toEqual([["completed", "failure", "Failed"]]);
  });
});

describe("problems on GitHub", () => {
  it("link to their file and line on the head commit, and the check run title names the template", async () => {
    const cfn = `${SVC}/instance_infrastructure/cloudformation.yaml`;
    const broken = base[cfn]!.replace("'{{ service_instance.inputs.image }}'", "'{{ service_instance.inputs.imagee }}'");
    const { repo, head, pull } = setup({ [cfn]: broken });
    await open(pull);
    const line = broken.split("\n").findIndex((l) => l.includes("inputs.imagee")) + 1;
    // The link text is Markdown: its underscores are escaped (GitHub shows them plainly).
    const text = cfn.replaceAll("_", "\\\\_");
    const link = new RegExp(`- ❌ \\[${text}:${line}(:\\d+)?\\]\\(https://github\\.com/acme/templates/blob/${head}/${cfn}#L${line}\\): error: `);
    const run = h.fake.state.checkRuns(repo, { headSha: head })[0]!;
    expect(run).toMatchObject({ conclusion: "failure", output: expect.objectContaining({ title: expect.stringMatching(/^\d+ errors? in load-balanced-fargate-svc v1$/) }) });
    const comment = h.fake.state.comments(repo, 7).find((c) => c.body.includes(COMMENT_MARKER))!;
    expect(comment.body).toMatch(link);
    expect(run.output.summary).toMatch(link);
  });
});
