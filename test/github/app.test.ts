// The GitHub App end to end: signed webhooks in, the real server and queue,
// and every GitHub request checked against GitHub's OpenAPI description.
import { randomUUID } from "node:crypto";
import { request } from "node:http";
import { describe, expect, it } from "vitest";
import { createBullmqQueue } from "../../src/adapters/queue/bullmq.js";
import { CHECK_NAME, COMMENT_MARKER } from "../../src/flows/review-pull-request.js";
import { createRenderPool } from "../../src/jinja/pool.js";
import type { Renderer } from "../../src/ports/renderer.js";
import { exampleFiles, harnessPerTest, SECRET, type Harness } from "../support/app-harness.js";
import { deliver, pullRequestDelivery, signedDelivery, exampleOf } from "../support/fake-github/webhooks.js";

const SVC = "templates/load-balanced-fargate-svc/v1";
const CONFIG = { ".github/baryon.yml": "templates: templates\n" };

let h: Harness;
const harness = harnessPerTest((next) => (h = next));

function setup(headChanges: Record<string, string | null>, options: { fork?: boolean; config?: Record<string, string> } = {}) {
  const repo = h.fake.state.addRepo({ owner: "acme", name: "templates" });
  const base = h.fake.state.commit(repo, { ...(options.config ?? CONFIG), ...exampleFiles() }, { branch: "main" });
  const head = h.fake.state.commit(repo, headChanges, { parent: base });
  const pull = h.fake.state.openPullRequest(repo, { number: 7, base, head, author: "octocat", ...(options.fork ? { fork: true } : {}) });
  return { repo, base, head, pull };
}

async function open(pull: ReturnType<typeof setup>["pull"], deliveryId?: string) {
  const res = await deliver(h.webhookUrl, pullRequestDelivery(h.fake, "opened", pull, { secret: SECRET, ...(deliveryId ? { deliveryId } : {}) }));
  expect(res.status).toBe(200);
  await h.app.queue.idle();
  return res;
}

const schemaWithRetention = (text: string) => text.replace("        env_vars:", "        log_retention_days:\n          type: number\n          default: 14\n        env_vars:");
const base = exampleFiles();

describe("Baryon reviews template pull requests", () => {
  // The registry is empty, so the first version of a template will be 1.0 (publish.test.ts seeds it first).
  it("a valid change: a successful check run and one comment with the version and the diff", async () => {
    const { repo, head, pull } = setup({ [`${SVC}/schema/schema.yaml`]: schemaWithRetention(base[`${SVC}/schema/schema.yaml`]!) });
    await open(pull);
    const runs = h.fake.state.checkRuns(repo, { headSha: head });
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ name: CHECK_NAME, status: "completed", conclusion: "success" });
    expect(runs[0]!.output.title).toBe("Will publish load-balanced-fargate-svc 1.0");
    const comments = h.fake.state.comments(repo, 7);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain(COMMENT_MARKER);
    expect(comments[0]!.body).toContain("| `load-balanced-fargate-svc` v1 | service | minor | Will publish 1.0 |");
    expect(comments[0]!.body).toContain("`service_instance.inputs.log_retention_days`: optional input added (default 14)");
    expect(h.fake.apiCalls().length).toBeLessThanOrEqual(9);
  });

  it("a change with errors: a failing check run with annotations at the right lines", async () => {
    const cfn = `${SVC}/instance_infrastructure/cloudformation.yaml`;
    const broken = base[cfn]!.replace("'{{ service_instance.inputs.image }}'", "'{{ service_instance.inputs.imagee }}'");
    const { repo, head, pull } = setup({ [cfn]: broken });
    await open(pull);
    const run = h.fake.state.checkRuns(repo, { headSha: head })[0]!;
    expect(run.conclusion).toBe("failure");
    const line = broken.split("\n").findIndex((l) => l.includes("inputs.imagee")) + 1;
    expect(run.annotations).toContainEqual(expect.objectContaining({
      path: cfn, start_line: line, end_line: line, annotation_level: "warning", title: "input-undeclared",
      message: expect.stringContaining("service_instance.inputs.imagee is not declared in schema type LoadBalancedServiceInput"),
    }));
    // What fails the check: the example spec, which does not give it, no longer renders.
    expect(run.annotations).toContainEqual(expect.objectContaining({
      path: cfn, start_line: line, annotation_level: "failure", title: "render-undefined", message: expect.stringContaining("imagee"),
    }));
  });

  it("a push edits the same comment; a redelivery does nothing twice", async () => {
    const { repo, base: baseSha, pull } = setup({ [`${SVC}/schema/schema.yaml`]: schemaWithRetention(base[`${SVC}/schema/schema.yaml`]!) });
    await open(pull, "delivery-1");
    await open(pull, "delivery-1"); // GitHub redelivers the same delivery
    expect(h.fake.state.checkRuns(repo)).toHaveLength(1);
    expect(h.fake.state.comments(repo, 7)).toHaveLength(1);

    const second = h.fake.state.commit(repo, { [`${SVC}/v1-notes.txt`]: "x" }, { parent: pull.headSha });
    const pushed = h.fake.state.pushToPullRequest(repo, 7, second);
    const res = await deliver(h.webhookUrl, pullRequestDelivery(h.fake, "synchronize", pushed, { secret: SECRET, before: pull.headSha }));
    expect(res.status).toBe(200);
    await h.app.queue.idle();
    const comments = h.fake.state.comments(repo, 7);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain("log_retention_days");
    expect(h.fake.state.checkRuns(repo, { headSha: second })).toHaveLength(1);
    void baseSha;
  });

  it("a pull request from a fork is reviewed, and the comment says forks never publish", async () => {
    const { repo, pull } = setup({ [`${SVC}/schema/schema.yaml`]: schemaWithRetention(base[`${SVC}/schema/schema.yaml`]!) }, { fork: true });
    await open(pull);
    const comment = h.fake.state.comments(repo, 7)[0]!;
    expect(comment.body).toContain("comes from a fork");
    expect(comment.body).toContain("publishing and rollouts never come from forks");
    expect(comment.body).toContain("| `load-balanced-fargate-svc` v1 | service | minor | Will publish 1.0 |");
  });

  it("renders a fork's templates on the fork renderer (QuickJS), the repository's own branches on the other", async () => {
    const used: string[] = [];
    const spy = (renderer: Renderer, name: string): Renderer => ({
      render: (request) => (used.push(name), renderer.render(request)),
      close: () => renderer.close(),
    });
    const [own, forks] = [createRenderPool({ engine: "v8" }), createRenderPool({ engine: "quickjs" })];
    try {
      await harness.restart({ renderer: spy(own, "own"), forkRenderer: spy(forks, "fork") });
      const change = { [`${SVC}/schema/schema.yaml`]: schemaWithRetention(base[`${SVC}/schema/schema.yaml`]!) };
      await open(setup(change, { fork: true }).pull);
      expect(new Set(used)).toEqual(new Set(["fork"]));
      used.length = 0;
      const repo = h.fake.state.addRepo({ owner: "acme", name: "other" });
      const baseSha = h.fake.state.commit(repo, { ...CONFIG, ...exampleFiles() }, { branch: "main" });
      const head = h.fake.state.commit(repo, change, { parent: baseSha });
      await open(h.fake.state.openPullRequest(repo, { number: 8, base: baseSha, head, author: "octocat" }));
      expect(new Set(used)).toEqual(new Set(["own"]));
    } finally {
      await Promise.all([own.close(), forks.close()]);
    }
  });

  it("a pull request that touches no template gets a neutral check and no comment", async () => {
    const { repo, head, pull } = setup({ "README.md": "# Templates\n" });
    await open(pull);
    expect(h.fake.state.checkRuns(repo, { headSha: head })[0]).toMatchObject({ conclusion: "neutral", output: expect.objectContaining({ title: "No template changes" }) });
    expect(h.fake.state.comments(repo, 7)).toEqual([]);
  });

  it("an invalid .github/baryon.yml fails the check run and says where", async () => {
    const { repo, head, pull } = setup({ "README.md": "x\n" }, { config: { ".github/baryon.yml": "templates: templates\npublish: sometimes\n" } });
    await open(pull);
    const run = h.fake.state.checkRuns(repo, { headSha: head })[0]!;
    expect(run).toMatchObject({ conclusion: "failure", output: expect.objectContaining({ title: ".github/baryon.yml is invalid" }) });
    expect(run.output.summary).toContain("line 2: .github/baryon.yml: publish must be one of published, draft");
    expect(h.fake.state.comments(repo, 7)).toEqual([]);
  });

  it("a pull request that breaks .github/baryon.yml gets a failing check on its edit", async () => {
    const { repo, head, pull } = setup({ ".github/baryon.yml": "templates: templates\nrollout:\n  stages:\n    - nme: prod\n" });
    await open(pull);
    const run = h.fake.state.checkRuns(repo, { headSha: head })[0]!;
    expect(run.conclusion).toBe("failure");
    expect(run.annotations).toContainEqual(expect.objectContaining({ path: ".github/baryon.yml", start_line: 4, annotation_level: "failure" }));
  });

  it("refuses a delivery with a bad signature and does not log its payload", async () => {
    const { pull } = setup({ "README.md": "x\n" });
    const good = pullRequestDelivery(h.fake, "opened", pull, { secret: SECRET });
    const forged = { ...good, headers: { ...good.headers, "x-hub-signature-256": `sha256=${"0".repeat(64)}` } };
    const res = await deliver(h.webhookUrl, forged);
    expect(res.status).toBe(401);
    await h.app.queue.idle();
    expect(h.fake.apiCalls()).toEqual([]);
    const logs = h.logs.join("\n");
    expect(logs).toContain("webhook refused: bad signature");
    expect(logs).not.toContain(pull.headSha);
    expect(logs).not.toContain("octocat");
  });

  it("acknowledges before the review runs", async () => {
    const { pull } = setup({ [`${SVC}/schema/schema.yaml`]: schemaWithRetention(base[`${SVC}/schema/schema.yaml`]!) });
    const res = await deliver(h.webhookUrl, pullRequestDelivery(h.fake, "opened", pull, { secret: SECRET }));
    expect(res.status).toBe(200);
    // Nothing was reported yet when GitHub got its answer.
    expect(h.fake.state.comments(pull.repo, 7)).toEqual([]);
    await h.app.queue.idle();
    expect(h.fake.state.comments(pull.repo, 7)).toHaveLength(1);
  });

  it("logs a start line naming what it uses, and one line per finished job with its outcome and duration", async () => {
    const lines = () => h.logs.join("").split("\n").filter(Boolean).map((l) => JSON.parse(l) as { msg: string; ms?: number; level: number });
    const start = lines().find((l) => l.msg.startsWith("Baryon listening on http://127.0.0.1:"));
    expect(start?.msg).toMatch(/webhooks at \/api\/github\/webhooks, \/health, \/metrics, deployment logs at \/api\/deployments\/:id\/log, no web console \(GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET unset\)\); registry: given, queue: in-process, artifacts: given, mirror: none$/);
    expect(start?.level).toBe(30); // info: shown at the default level
    const { pull } = setup({ [`${SVC}/schema/schema.yaml`]: schemaWithRetention(base[`${SVC}/schema/schema.yaml`]!) });
    await open(pull);
    const done = lines().find((l) => l.msg.startsWith(`review review:acme/templates#7@${pull.headSha}: `));
    expect(done?.msg).toMatch(/: reviewed 1 template change\(s\), 0 error\(s\)$/);
    expect(done?.ms).toBeGreaterThan(0);
  });

  it("serves /health and /metrics", async () => {
    const { pull } = setup({ "README.md": "x\n" });
    await open(pull);
    expect(await (await fetch(`${h.app.url}/health`)).json()).toEqual({ status: "ok" });
    const metrics = await (await fetch(`${h.app.url}/metrics`)).text();
    expect(metrics).toMatch(/baryon_webhooks_received_total\{event="pull_request"\} 1/);
    expect(metrics).toMatch(/baryon_jobs_total\{kind="review",outcome="done"\} 1/);
    expect(metrics).toMatch(/baryon_review_duration_seconds_count\{outcome="no-templates"\} 1/);
    expect(metrics).toMatch(/baryon_github_requests_total\{method="GET",status="200"\} \d+/);
  });

  it("ignores events it does not handle, but counts them", async () => {
    const res = await deliver(h.webhookUrl, signedDelivery("ping", exampleOf("ping"), { secret: SECRET }));
    expect(res.status).toBe(200);
  });
});

describe("with BullMQ on the real Redis", () => {
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

  it("reviews once, however often the webhook arrives, through Redis", async () => {
    await harness.restart({ queue: createBullmqQueue({ connection: redisUrl, prefix: `baryon-test-${randomUUID()}`, idlePollMs: 20 }) });
    const { repo, head, pull } = setup({ [`${SVC}/schema/schema.yaml`]: schemaWithRetention(base[`${SVC}/schema/schema.yaml`]!) });
    const delivery = pullRequestDelivery(h.fake, "opened", pull, { secret: SECRET });
    const [a, b] = await Promise.all([deliver(h.webhookUrl, delivery), deliver(h.webhookUrl, delivery)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    await h.app.queue.idle();
    expect(h.fake.state.checkRuns(repo, { headSha: head })).toHaveLength(1);
    expect(h.fake.state.comments(repo, 7)).toHaveLength(1);
    expect(h.fake.state.comments(repo, 7)[0]!.body).toContain("| `load-balanced-fargate-svc` v1 | service | minor | Will publish 1.0 |");
  });
});

describe("configuration, annotations and ordering", () => {
  it("reads settings a repository inherits with _extends from the organisation's .github repository", async () => {
    const org = h.fake.state.addRepo({ owner: "acme", name: ".github" });
    h.fake.state.commit(org, { ".github/baryon.yml": "templates: platform\n" }, { branch: "main" });
    const { repo, head, pull } = setup({ "templates/README.md": "moved\n" }, { config: { ".github/baryon.yml": "_extends: .github\n" } });
    await open(pull);
    // The inherited templates folder is "platform": nothing under it changed, so the review is neutral.
    expect(h.fake.state.checkRuns(repo, { headSha: head })[0]).toMatchObject({ conclusion: "neutral" });
    expect(h.fake.apiCalls().some((c) => c.path.startsWith("/repos/acme/.github/contents/"))).toBe(true);
  });

  it("sends more than 50 annotations in batches of 50, and GitHub keeps them all", async () => {
    const cfn = `${SVC}/instance_infrastructure/cloudformation.yaml`;
    const extra = Array.from({ length: 60 }, (_, i) => `# {{ service_instance.inputs.missing_${i} }}`).join("\n");
    const { repo, head, pull } = setup({ [cfn]: `${base[cfn]!}\n${extra}\n` });
    await open(pull);
    const run = h.fake.state.checkRuns(repo, { headSha: head })[0]!;
    expect(run.conclusion).toBe("failure");
    expect(run.annotations.filter((a) => a.title === "input-undeclared")).toHaveLength(60);
    // Created in progress when the review starts, then completed with 50, then given the other 10.
    expect(h.fake.apiCalls().filter((c) => c.operationId === "checks/create")).toHaveLength(1);
    expect(h.fake.apiCalls().filter((c) => c.operationId === "checks/update")).toHaveLength(2);
  });

  it("a review of an older push never overwrites the comment of a newer one", async () => {
    const schema = `${SVC}/schema/schema.yaml`;
    const { repo, pull } = setup({ [schema]: schemaWithRetention(base[schema]!) });
    const older = { ...pull };
    // A second push lands and is reviewed first...
    const newerHead = h.fake.state.commit(repo, { [`${SVC}/notes.txt`]: "newer\n" }, { parent: pull.headSha });
    await new Promise((r) => setTimeout(r, 1100)); // updated_at has one-second resolution
    const newer = h.fake.state.pushToPullRequest(repo, 7, newerHead);
    await deliver(h.webhookUrl, pullRequestDelivery(h.fake, "synchronize", newer, { secret: SECRET, before: older.headSha }));
    await h.app.queue.idle();
    const afterNewer = h.fake.state.comments(repo, 7)[0]!.body;
    expect(afterNewer).toContain("notes.txt");
    // ...then the older push's delivery arrives late: its review must not replace the newer comment.
    await deliver(h.webhookUrl, pullRequestDelivery(h.fake, "opened", older, { secret: SECRET }));
    await h.app.queue.idle();
    expect(h.fake.state.comments(repo, 7)).toHaveLength(1);
    expect(h.fake.state.comments(repo, 7)[0]!.body).toBe(afterNewer);
  });
});

describe("webhook hygiene", () => {
  it("refuses an unsigned delivery without reading it, and an oversized one by its declared length", async () => {
    const unsigned = await fetch(h.webhookUrl, { method: "POST", headers: { "content-type": "application/json", "x-github-event": "ping", "x-github-delivery": "1" }, body: "{}" });
    expect(unsigned.status).toBe(401);
    // Declares 30 MB and sends none of it: the answer must not wait for the body.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(h.webhookUrl, { method: "POST", headers: { "content-type": "application/json", "x-github-event": "ping", "x-github-delivery": "2", "x-hub-signature-256": "sha256=00", "content-length": String(30 * 1024 * 1024) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.flushHeaders();
    });
    expect(status).toBe(413);
    expect(h.logs.join("\n")).toContain("webhook refused: unsigned or too large");
  });
});

describe("concurrent reviews of one pull request", () => {
  it("two pushes in quick succession leave one comment, describing the newer push", async () => {
    const schema = `${SVC}/schema/schema.yaml`;
    const { repo, pull } = setup({ [schema]: schemaWithRetention(base[schema]!) });
    const first = { ...pull };
    await new Promise((r) => setTimeout(r, 1100)); // updated_at has one-second resolution
    const second = h.fake.state.pushToPullRequest(repo, 7, h.fake.state.commit(repo, { [`${SVC}/notes.txt`]: "second\n" }, { parent: pull.headSha }));
    await Promise.all([
      deliver(h.webhookUrl, pullRequestDelivery(h.fake, "opened", first, { secret: SECRET })),
      deliver(h.webhookUrl, pullRequestDelivery(h.fake, "synchronize", second, { secret: SECRET, before: first.headSha })),
    ]);
    await h.app.queue.idle();
    const comments = h.fake.state.comments(repo, 7);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain("notes.txt");
  });
});
