// Drift on a schedule, in the app: BARYON_DRIFT_HOURS makes the sweep run, which
// checks every owner's resources with their provisioners' drift checks and keeps
// the answers, one job per owner and sweep; a repository whose config asks for it
// keeps one issue listing what drifted, edited in place, closed when all is well.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { harnessPerTest, SECRET, type Harness } from "../support/app-harness.js";
import { deliver, pushDelivery } from "../support/fake-github/webhooks.js";
import { CATALOG_FILES } from "../support/inventory.js";

let h: Harness;
const harness = harnessPerTest((next) => (h = next));

/** What runs, as the drift command sees it: a file per resource changed outside Baryon, holding what differs. */
const outside = mkdtempSync(join(tmpdir(), "baryon-outside-"));
const config = (issue: boolean) => [
  "templates: templates", "provisioners:", "  local:", "    kind: command",
  "    deploy: echo '{}' > outputs.json",
  `    drift: if [ -f "${outside}/$BARYON_RESOURCE" ]; then cat "${outside}/$BARYON_RESOURCE"; exit 1; fi`,
  ...(issue ? ["drift:", "  issue: true"] : []), "",
].join("\n");
const environment = (stage: string) => `proton: EnvironmentSpec\ntemplate: net@1\nstage: ${stage}\nspec:\n  count: 1\n`;
const net = Object.fromEntries(Object.entries(CATALOG_FILES).filter(([p]) => p.startsWith("net/v1/")).map(([p, t]) => [`templates/${p}`, t]));

async function fleet(issue: boolean) {
  // A sweep every ~1 s (the default is daily).
  await harness.restart({ env: { BARYON_DRIFT_HOURS: "0.0003" } });
  const repo = h.fake.state.addRepo({ owner: "acme", name: "templates" });
  const main = h.fake.state.commit(repo, { ".github/baryon.yml": config(issue), ...net, "inventory/dev.yaml": environment("test"), "inventory/live.yaml": environment("prod") }, { branch: "main" });
  expect((await deliver(h.webhookUrl, pushDelivery(h.fake, repo, { ref: "refs/heads/main", before: "0".repeat(40), after: main }, { secret: SECRET }))).status).toBe(200);
  return repo;
}

describe("the drift schedule", () => {
  it("checks every resource of every owner that has some, and keeps what it found", async () => {
    writeFileSync(join(outside, "live"), "VisibilityTimeout changed by hand\n");
    await fleet(false);
    const store = h.db.registry.deployments({ login: "acme" });
    await expect.poll(async () => [...(await store.driftAll())].map(([key, d]) => `${key} ${d.state}`).sort(), { timeout: 30_000, interval: 200 })
      .toEqual(["dev in_sync", "live drifted"]);
    expect((await store.driftAll()).get("live")!.findings).toEqual([{ detail: "VisibilityTimeout changed by hand" }]);
    expect(h.logs.join("")).toMatch(/drift drift:acme@[^ ]+: acme: 1 in sync, 1 drifted, 0 unknown, 0 not checked/);
    // Not asked for an issue: none opened.
    expect(h.logs.join("")).toMatch(/acme\/templates: no drift issue asked for/);
    rmSync(join(outside, "live"));
  }, 60_000);

  it("keeps one drift issue in the repository: opened, edited in place as drift changes, closed once all is in sync", async () => {
    writeFileSync(join(outside, "live"), "VisibilityTimeout changed by hand\n");
    const repo = await fleet(true);
    const openIssues = () => h.fake.state.issues(repo).filter((i) => i.state === "open");
    await expect.poll(() => openIssues().map((i) => i.title), { timeout: 30_000, interval: 200 }).toEqual(["Drift: 1 resource changed outside Baryon"]);
    const [issue] = openIssues();
    expect(issue!.labels).toEqual(["baryon-drift"]);
    expect(issue!.body).toMatch(/^\| `live` \| prod \| net \| #\d+ \| VisibilityTimeout changed by hand \|$/m);

    writeFileSync(join(outside, "dev"), "a subnet added by hand\n");
    await expect.poll(() => h.fake.state.issue(repo, issue!.number).title, { timeout: 30_000, interval: 200 }).toBe("Drift: 2 resources changed outside Baryon");
    expect(h.fake.state.issue(repo, issue!.number).body).toMatch(/^\| `dev` \| test \| net \| #\d+ \| a subnet added by hand \|$/m);
    expect(h.fake.state.issues(repo)).toHaveLength(1);

    rmSync(join(outside, "dev"));
    rmSync(join(outside, "live"));
    await expect.poll(() => h.fake.state.issue(repo, issue!.number).state, { timeout: 30_000, interval: 200 }).toBe("closed");
    expect(h.fake.state.issues(repo)).toHaveLength(1);
  }, 90_000);
});
