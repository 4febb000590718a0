// A pipeline written for AWS Proton, pointed at Baryon: the AWS SDK's ProtonClient,
// signed with a Baryon token, reads the service's spec, sets the new image in it,
// calls UpdateServiceInstance and waits with the SDK's own waiter, as AWS's sample
// pipelines do (`get-service | jq .service.spec`, `yq w 'instances[*].spec.image'`,
// `update-service-instance --deployment-type CURRENT_VERSION`, `wait service-instance-deployed`).
// The update is an ordinary deployment in the registry; a reconcile keeps it until
// the inventory file changes that instance's spec.
import { describe, expect, it } from "vitest";
import { GetServiceCommand, GetServiceInstanceCommand, UpdateServiceInstanceCommand, waitUntilServiceInstanceDeployed, type ProtonClient } from "@aws-sdk/client-proton";
import { parse, stringify } from "yaml";
import { fleetStatus } from "../../src/flows/fleet-status.js";
import { harnessPerTest, type Harness } from "../support/app-harness.js";
import { commitAndPush, DEV, protonClient, protonFleet, shopSpec, tokenFor } from "../support/proton-fleet.js";

let h: Harness;
harnessPerTest((next) => (h = next));

const IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop:42";
const store = () => h.db.registry.deployments({ login: "acme" });

/** The sample pipeline's steps, through the SDK: the service's spec with every instance's image set, sent for one instance. */
async function rollOut(client: ProtonClient, instance: string, image: string) {
  const { service } = await client.send(new GetServiceCommand({ name: "shop" }));
  const spec = parse(service!.spec!) as { instances: Array<{ spec: Record<string, unknown> }> };
  for (const i of spec.instances) i.spec.image = image;
  const updated = await client.send(new UpdateServiceInstanceCommand({ name: instance, serviceName: "shop", deploymentType: "CURRENT_VERSION", spec: stringify(spec) }));
  const waited = await waitUntilServiceInstanceDeployed({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { name: instance, serviceName: "shop" });
  return { updated: updated.serviceInstance!, waited };
}

describe("the Proton API, through the AWS SDK", () => {
  it("updates a service instance's spec and waits until it is deployed, as the samples' pipeline does", async () => {
    const repo = await protonFleet(h);
    const client = protonClient(h, tokenFor("acme"));

    const { service } = await client.send(new GetServiceCommand({ name: "shop" }));
    expect(service).toMatchObject({ name: "shop", templateName: "api", status: "ACTIVE", pipeline: { deploymentStatus: "SUCCEEDED", templateMajorVersion: "1", templateMinorVersion: "0" } });
    expect(service!.createdAt).toBeInstanceOf(Date);
    expect(parse(service!.spec!)).toEqual({
      proton: "ServiceSpec", pipeline: { branch: "release" },
      instances: [{ name: "shop-dev", environment: "dev", spec: { image: "nginx" } }, { name: "shop-qa", environment: "dev", spec: { image: "nginx" } }],
    });

    const { updated, waited } = await rollOut(client, "shop-dev", IMAGE);
    expect(updated).toMatchObject({ name: "shop-dev", serviceName: "shop", environmentName: "dev", templateName: "api", templateMajorVersion: "1", templateMinorVersion: "0" });
    expect(["IN_PROGRESS", "SUCCEEDED"]).toContain(updated.deploymentStatus);
    expect(waited.state).toBe("SUCCESS");

    // An ordinary deployment: recorded with who asked, the new inputs, at the version the instance ran.
    const [latest] = await store().deploymentsOf("shop/shop-dev", 1);
    expect(latest).toMatchObject({
      id: updated.lastAttemptedDeploymentId, action: "deploy", status: "succeeded", template: "api", major: 1, minor: 0, inputs: { image: IMAGE },
      requestedBy: { actor: "token:pipeline-x", reason: "Proton API UpdateServiceInstance CURRENT_VERSION" },
    });
    expect(latest!.outputs.TopicName).toContain(`-shop-dev-${IMAGE}`);
    const [status] = await fleetStatus(store(), "shop/shop-dev");
    expect(status).toMatchObject({ resource: { inputs: { image: IMAGE }, inventoryInputs: { image: "nginx" } }, running: { id: latest!.id } });
    // Only the named instance's entry of the spec is taken.
    expect((await store().resource("shop/shop-qa"))!.inputs).toEqual({ image: "nginx" });
    expect((await store().deploymentsOf("shop/shop-qa")).map((d) => d.requestedBy.reason)).toEqual(["inventory change"]);

    // Mirrored to GitHub Deployments like any other deployment of an instance in `dev`.
    await h.app.queue.idle();
    const mirrored = h.fake.state.deployments(repo, { task: `deploy:baryon-${latest!.id}` });
    expect(mirrored.map((d) => [d.environment, d.statuses.at(-1)?.state])).toEqual([["dev", "success"]]);

    const { serviceInstance } = await client.send(new GetServiceInstanceCommand({ name: "shop-dev", serviceName: "shop" }));
    expect(serviceInstance).toMatchObject({ deploymentStatus: "SUCCEEDED", lastSucceededDeploymentId: latest!.id });
    expect(serviceInstance!.lastDeploymentSucceededAt).toBeInstanceOf(Date);
    expect(parse(serviceInstance!.spec!)).toEqual({ proton: "ServiceSpec", instances: [{ name: "shop-dev", environment: "dev", spec: { image: IMAGE } }] });
  });

  it("reports a failed deployment as FAILED with its reason, and the waiter stops on it", async () => {
    await protonFleet(h);
    const client = protonClient(h, tokenFor("acme"));
    await expect(rollOut(client, "shop-dev", "broken")).rejects.toThrow(/"state":"FAILURE"/);
    const { serviceInstance } = await client.send(new GetServiceInstanceCommand({ name: "shop-dev", serviceName: "shop" }));
    expect(serviceInstance).toMatchObject({ deploymentStatus: "FAILED", deploymentStatusMessage: "deploy command exited with code 3" });
    expect((await store().resource("shop/shop-dev"))!.inputs).toEqual({ image: "broken" });
  });

  it("keeps the API's inputs through reconciles until the inventory file changes that instance's spec", async () => {
    const repo = await protonFleet(h);
    await rollOut(protonClient(h, tokenFor("acme")), "shop-dev", IMAGE);
    const deployments = async () => (await store().deploymentsOf("shop/shop-dev")).length;
    const before = await deployments();

    // Another inventory change: shop-dev's file still says `nginx`, as when the API replaced it, so nothing is redeployed.
    await commitAndPush(h, repo, { "inventory/qa.yaml": DEV.replace("count: 2", "count: 1") });
    expect((await store().resource("qa"))).toBeDefined();
    expect(await deployments()).toBe(before);
    expect((await store().resource("shop/shop-dev"))).toMatchObject({ inputs: { image: IMAGE }, inventoryInputs: { image: "nginx" } });

    // The file changes shop-dev's spec: the file wins, and the API's inputs are forgotten.
    await commitAndPush(h, repo, { "inventory/shop.yaml": shopSpec("nginx:1.27") });
    const [latest] = await store().deploymentsOf("shop/shop-dev", 1);
    expect(latest).toMatchObject({ status: "succeeded", inputs: { image: "nginx:1.27" }, requestedBy: { reason: "inventory change" } });
    const resource = await store().resource("shop/shop-dev");
    expect(resource!.inputs).toEqual({ image: "nginx:1.27" });
    expect(resource!.inventoryInputs).toBeUndefined();
  });
});
