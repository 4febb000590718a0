// The GitHub App against the fake GitHub with 50 ms added to every response:
// webhook acknowledgement, webhook-to-comment latency for a pull request that
// touches 5 templates, and how many GitHub requests that review made.
import { createRenderPool } from "../src/jinja/pool.js";
import { exampleFiles, SECRET, startHarness } from "../test/support/app-harness.js";
import { deliver, pullRequestDelivery } from "../test/support/fake-github/webhooks.js";
import { median, type BenchResult } from "./stats.js";

const RUNS = 5;
const LATENCY_MS = 50;

/** Five templates: the three examples and two more copies of the service template. */
function repositoryFiles(): Record<string, string> {
  const files = exampleFiles();
  for (const copy of ["orders-svc", "payments-svc"]) {
    for (const [path, content] of Object.entries(exampleFiles())) {
      if (path.startsWith("templates/load-balanced-fargate-svc/")) files[path.replace("load-balanced-fargate-svc", copy)] = content;
    }
  }
  return files;
}

/** One edit in each of the five templates: a new optional input in each schema. */
function changes(files: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, content] of Object.entries(files)) {
    if (!path.endsWith("/v1/schema/schema.yaml")) continue;
    out[path] = content.replace("      properties:\n", "      properties:\n        owner_team:\n          type: string\n          default: platform\n");
  }
  return out;
}

export async function githubBench(): Promise<BenchResult[]> {
  const renderer = createRenderPool();
  const acks: number[] = [];
  const latencies: number[] = [];
  const requests: number[] = [];
  const checks: number[] = [];
  try {
    for (let run = 0; run <= RUNS; run++) {
      // A new installation each run: Octokit spaces one installation's writes, as GitHub asks.
      const h = await startHarness({ renderer, latencyMs: LATENCY_MS, firstId: 1000 + run * 100_000, githubThrottling: true });
      try {
        const repo = h.fake.state.addRepo({ owner: "acme", name: `templates-${run}` });
        const files = repositoryFiles();
        const base = h.fake.state.commit(repo, { ".github/baryon.yml": "templates: templates\n", ...files }, { branch: "main" });
        const edits = changes(files);
        if (Object.keys(edits).length !== 5) throw new Error(`expected 5 changed templates, got ${Object.keys(edits).length}`);
        const head = h.fake.state.commit(repo, edits, { parent: base });
        const pull = h.fake.state.openPullRequest(repo, { number: 1, base, head, author: "octocat" });
        const start = performance.now();
        const res = await deliver(h.webhookUrl, pullRequestDelivery(h.fake, "opened", pull, { secret: SECRET }));
        if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
        const ack = performance.now() - start;
        while (h.fake.state.comments(repo, 1).length === 0) await new Promise((r) => setTimeout(r, 2));
        const latency = performance.now() - start;
        while (h.fake.state.checkRuns(repo, { headSha: head }).length === 0) await new Promise((r) => setTimeout(r, 2));
        const checkLatency = performance.now() - start;
        await h.app.queue.idle();
        const comment = h.fake.state.comments(repo, 1)[0]!.body;
        if ((comment.match(/\| minor \| Will publish 1\.0 \|/g) ?? []).length !== 5) throw new Error("the comment does not announce five first versions");
        h.fake.assertNoUnexpected();
        if (run === 0) continue; // warms the render sandbox and the fake's validators
        acks.push(ack);
        latencies.push(latency / 1000);
        checks.push(checkLatency / 1000);
        requests.push(h.fake.apiCalls().length);
      } finally {
        await h.close();
      }
    }
  } finally {
    await renderer.close();
  }
  return [
    { name: `webhook acknowledgement (${LATENCY_MS} ms GitHub latency)`, value: median(acks), unit: "ms", runs: acks },
    { name: "webhook to comment, pull request touching 5 templates", value: median(latencies), unit: "s", runs: latencies },
    { name: "webhook to check run (GitHub asks apps to space writes 1 s apart; Octokit's throttling does)", value: median(checks), unit: "s", runs: checks },
    { name: "GitHub API requests for that review (token, config, 2 tarballs, check run, comment)", value: median(requests), unit: "requests", runs: requests },
  ];
}
