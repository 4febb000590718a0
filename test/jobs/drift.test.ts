// Drift on a schedule, in the app: BARYON_DRIFT_HOURS makes the sweep run, which
// checks every owner's resources with their provisioners' drift checks and keeps
// the answers, one job per owner and sweep.
import { describe, expect, it } from "vitest";
import { harnessPerTest, SECRET, type Harness } from "../support/app-harness.js";
import { deliver, pushDelivery } from "../support/fake-github/webhooks.js";
import { CATALOG_FILES } from "../support/inventory.js";

let h: Harness;
const harness = harnessPerTest((next) => (h = next));

const CONFIG = [
  "templates: templates", "provisioners:", "  local:", "    kind: command",
  "    deploy: echo '{}' > outputs.json",
  // `live` was changed by hand where it runs; `dev` is as deployed.
  "    drift: test \"$BARYON_RESOURCE\" != live || { echo 'VisibilityTimeout changed by hand'; exit 1; }", "",
].join("\n");
const environment = (stage: string) => `proton: EnvironmentSpec\ntemplate: net@1\nstage: ${stage}\nspec:\n  count: 1\n`;

describe("the drift schedule", () => {
  it("checks every resource of every owner that has some, and keeps what it found", async () => {
    // A sweep every ~1 s (the default is daily).
    await harness.restart({ env: { BARYON_DRIFT_HOURS: "0.0003" } });
    const net = Object.fromEntries(Object.entries(CATALOG_FILES).filter(([p]) => p.startsWith("net/v1/")).map(([p, t]) => [`templates/${p}`, t]));
    const repo = h.fake.state.addRepo({ owner: "acme", name: "templates" });
    const main = h.fake.state.commit(repo, { ".github/baryon.yml": CONFIG, ...net, "inventory/dev.yaml": environment("test"), "inventory/live.yaml": environment("prod") }, { branch: "main" });
    expect((await deliver(h.webhookUrl, pushDelivery(h.fake, repo, { ref: "refs/heads/main", before: "0".repeat(40), after: main }, { secret: SECRET }))).status).toBe(200);

    const store = h.db.registry.deployments({ login: "acme" });
    await expect.poll(async () => [...(await store.driftAll())].map(([key, d]) => `${key} ${d.state}`).sort(), { timeout: 30_000, interval: 200 })
      .toEqual(["dev in_sync", "live drifted"]);
    expect((await store.driftAll()).get("live")!.findings).toEqual([{ detail: "VisibilityTimeout changed by hand" }]);
    expect(h.logs.join("")).toMatch(/drift drift:acme@[^ ]+: acme: 1 in sync, 1 drifted, 0 unknown, 0 not checked/);
  }, 60_000);
});
