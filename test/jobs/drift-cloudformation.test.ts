// The drift schedule on CloudFormation, in the app: the inventory deployed as
// stacks on moto_server, then one stack's resource changed behind Baryon's back
// (CloudFormation's drift API, which moto does not emulate, from
// aws-sdk-client-mock): one run of the scheduled job reports it, with the resource
// and the property, reports the clean stack clean, and the drift issue names it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cloudFormationProvisioner } from "../../src/adapters/provisioners/cloudformation.js";
import { provisionerRegistry } from "../../src/compose/provisioners.js";
import { harnessPerTest, SECRET, type Harness } from "../support/app-harness.js";
import { deliver, pushDelivery } from "../support/fake-github/webhooks.js";
import { CATALOG_FILES } from "../support/inventory.js";
import { motoMissing, startMoto, type Moto } from "../provisioners/cloudformation-moto.js";
import { detection, mockedDriftApi, motoWithDriftApi } from "../provisioners/drift-api.js";

const missing = motoMissing();
let moto: Moto;
beforeAll(async () => {
  if (!missing) moto = await startMoto();
});
afterAll(async () => {
  await moto?.stop();
});

let h: Harness;
const harness = harnessPerTest((next) => (h = next));
const driftApi = mockedDriftApi();

const CONFIG = "templates: templates\nprovisioners:\n  aws:\n    kind: cloudformation\n    region: us-east-1\ndrift:\n  issue: true\n";
const environment = (stage: string) => `proton: EnvironmentSpec\ntemplate: net@1\nstage: ${stage}\nspec:\n  count: 1\n`;

describe.skipIf(missing)("the drift schedule on CloudFormation", () => {
  it("reports a stack's resource changed outside Baryon, with the property, and the clean one clean, within one run", async () => {
    const { client } = motoWithDriftApi(moto.endpoint, driftApi);
    const fallback = provisionerRegistry({ env: {} });
    const provisioner = (name: string, settings: { kind: string }) =>
      settings.kind === "cloudformation" ? cloudFormationProvisioner(settings, { name, client, pollDelayMs: { min: 10, max: 50 } }) : fallback(name, settings as never);
    // Someone raises the topic's display name on live's stack by hand (CloudFormation's drift API says so).
    detection(driftApi, [], { live: [{
      LogicalResourceId: "Thing", ResourceType: "AWS::SNS::Topic", StackResourceDriftStatus: "MODIFIED",
      PropertyDifferences: [{ PropertyPath: "/DisplayName", ExpectedValue: "", ActualValue: "Live alerts", DifferenceType: "NOT_EQUAL" }],
    }] });
    // A sweep every ~1 s (the default is daily): those before the stacks are deployed find nothing to check.
    await harness.restart({ provisioner, env: { BARYON_DRIFT_HOURS: "0.0003" } });
    const net = Object.fromEntries(Object.entries(CATALOG_FILES).filter(([p]) => p.startsWith("net/v1/")).map(([p, t]) => [`templates/${p}`, t]));
    const repo = h.fake.state.addRepo({ owner: "acme", name: "templates" });
    const main = h.fake.state.commit(repo, { ".github/baryon.yml": CONFIG, ...net, "inventory/dev.yaml": environment("test"), "inventory/live.yaml": environment("prod") }, { branch: "main" });
    expect((await deliver(h.webhookUrl, pushDelivery(h.fake, repo, { ref: "refs/heads/main", before: "0".repeat(40), after: main }, { secret: SECRET }))).status).toBe(200);
    const store = h.db.registry.deployments({ login: "acme" });
    await expect.poll(async () => [...(await store.driftAll())].map(([key, d]) => `${key} ${d.state}`).sort(), { timeout: 30_000, interval: 200 })
      .toEqual(["dev in_sync", "live drifted"]);
    expect((await store.driftAll()).get("live")!.findings).toEqual([{ subject: "Thing (AWS::SNS::Topic)", property: "/DisplayName", detail: "(none) → Live alerts" }]);
    await expect.poll(() => h.fake.state.issues(repo).map((i) => i.title), { timeout: 30_000, interval: 200 }).toEqual(["Drift: 1 resource changed outside Baryon"]);
    expect(h.fake.state.issues(repo)[0]!.body).toMatch(/^\| `live` \| prod \| net \| #\d+ \| `Thing \(AWS::SNS::Topic\) \/DisplayName`: \(none\) → Live alerts \|$/m);
  }, 90_000);
});
