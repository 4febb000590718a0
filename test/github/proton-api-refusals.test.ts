// What the Proton API refuses, and how: a wrong or missing signature, a stale clock,
// another owner's token, a spec the schema refuses, and deployment types Baryon
// does not carry out. Each answer is an AWS JSON error the SDK throws by name, and
// none of them records a deployment.
import { describe, expect, it } from "vitest";
import {
  GetServiceCommand, GetServiceInstanceCommand, ListServicesCommand, ProtonClient, ResourceNotFoundException,
  UpdateServiceInstanceCommand, ValidationException, type DeploymentUpdateType,
} from "@aws-sdk/client-proton";
import { SignatureV4 } from "@smithy/signature-v4";
import { createApiToken, tokenKey } from "../../src/adapters/proton-api/api-token.js";
import { NodeSha256 } from "../../src/adapters/proton-api/verify-signature.js";
import { harnessPerTest, type Harness } from "../support/app-harness.js";
import { protonClient, protonFleet, shopSpec, tokenFor } from "../support/proton-fleet.js";

let h: Harness;
const harness = harnessPerTest((next) => (h = next));

const acmeDeployments = async () => {
  const store = h.db.registry.deployments({ login: "acme" });
  return (await Promise.all((await store.resources()).map((r) => store.deploymentsOf(r.key)))).flat().length;
};
const update = (client: ProtonClient, deploymentType: DeploymentUpdateType, extra: { spec?: string; templateMajorVersion?: string; templateMinorVersion?: string } = {}) =>
  client.send(new UpdateServiceInstanceCommand({ name: "shop-dev", serviceName: "shop", deploymentType, ...extra }));

/** A GetService request signed by hand at `date`, as the SDK would have signed it then. */
async function signedAt(date: Date, token = tokenFor("acme")) {
  const url = new URL(`${h.app.url}/api/proton/`);
  const body = JSON.stringify({ name: "shop" });
  const signer = new SignatureV4({ credentials: token, region: "eu-west-1", service: "proton", sha256: NodeSha256 });
  const request = await signer.sign({
    method: "POST", protocol: "http:", hostname: url.hostname, port: Number(url.port), path: url.pathname, query: {}, body,
    headers: { host: url.host, "content-type": "application/x-amz-json-1.0", "x-amz-target": "AwsProton20200720.GetService" },
  }, { signingDate: date });
  return fetch(url, { method: "POST", headers: request.headers, body });
}

describe("the Proton API refuses", () => {
  it("a wrong secret, a missing signature and a stale clock (403), and does nothing", async () => {
    await protonFleet(h);
    const before = await acmeDeployments();
    const token = tokenFor("acme");
    const forged = protonClient(h, { accessKeyId: token.accessKeyId, secretAccessKey: tokenFor("acme").secretAccessKey });
    await expect(update(forged, "CURRENT_VERSION", { spec: shopSpec("evil") })).rejects.toMatchObject({ name: "InvalidSignatureException", $metadata: { httpStatusCode: 403 } });
    const stranger = protonClient(h, { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" });
    await expect(stranger.send(new GetServiceCommand({ name: "shop" }))).rejects.toMatchObject({ name: "UnrecognizedClientException", $metadata: { httpStatusCode: 403 } });

    const unsigned = await fetch(`${h.app.url}/api/proton`, { method: "POST", headers: { "x-amz-target": "AwsProton20200720.GetService", "content-type": "application/x-amz-json-1.0" }, body: "{}" });
    expect(unsigned.status).toBe(403);
    expect(await unsigned.json()).toMatchObject({ __type: "MissingAuthenticationTokenException" });

    expect((await signedAt(new Date(Date.now() - 14 * 60_000))).status).toBe(200);
    const stale = await signedAt(new Date(Date.now() - 20 * 60_000));
    expect(stale.status).toBe(403);
    expect(await stale.json()).toMatchObject({ __type: "InvalidSignatureException", message: expect.stringMatching(/^Signature expired/) });
    expect(h.logs.join("\n")).not.toContain(token.secretAccessKey);
    expect(await acmeDeployments()).toBe(before);
  });

  it("a client whose clock is 30 minutes off, once: the SDK corrects its clock from the answer's Date and retries, as against AWS", async () => {
    await protonFleet(h);
    const token = tokenFor("acme");
    const client = new ProtonClient({ endpoint: `${h.app.url}/api/proton`, region: "eu-west-1", maxAttempts: 2, systemClockOffset: -30 * 60_000, credentials: token });
    const { service } = await client.send(new GetServiceCommand({ name: "shop" }));
    expect(service!.name).toBe("shop");
    const refusals = h.logs.filter((line) => line.includes("Proton API request refused"));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toContain('"code":"InvalidSignatureException"');
    expect(client.config.systemClockOffset).not.toBe(-30 * 60_000);
  });

  it("tokens made from WEBHOOK_SECRET once BARYON_API_SECRET is set: it is what tokens derive from then", async () => {
    const apiSecret = "an-api-secret-of-at-least-32-characters";
    await harness.restart({ env: { BARYON_API_SECRET: apiSecret } });
    await protonFleet(h);
    await expect(protonClient(h, tokenFor("acme")).send(new GetServiceCommand({ name: "shop" }))).rejects.toMatchObject({ name: "InvalidSignatureException" });
    const token = createApiToken(tokenKey(apiSecret), "acme", "pipeline-x");
    expect((await protonClient(h, token).send(new GetServiceCommand({ name: "shop" }))).service!.name).toBe("shop");
  });

  it("shows another owner's token nothing: every service is ResourceNotFoundException", async () => {
    await protonFleet(h);
    const before = await acmeDeployments();
    const globex = protonClient(h, tokenFor("globex"));
    await expect(globex.send(new GetServiceCommand({ name: "shop" }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(globex.send(new GetServiceInstanceCommand({ name: "shop-dev", serviceName: "shop" }))).rejects.toMatchObject({ name: "ResourceNotFoundException", $metadata: { httpStatusCode: 404 } });
    await expect(update(globex, "CURRENT_VERSION", { spec: shopSpec("evil") })).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect(await acmeDeployments()).toBe(before);
  });

  it("a spec the schema refuses, naming the input and its line; and a spec that is not this instance's", async () => {
    await protonFleet(h);
    const before = await acmeDeployments();
    const client = protonClient(h, tokenFor("acme"));
    const refused = async (spec: string) => {
      const error = await update(client, "CURRENT_VERSION", { spec }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationException);
      return (error as ValidationException).message;
    };
    expect(await refused(shopSpec().replace("      image: nginx\n  - name: shop-qa", "      image: nginx\n      port: eighty\n  - name: shop-qa")))
      .toBe("spec line 10: port must be a number (schema type In)");
    expect(await refused(shopSpec().replace("    spec:\n      image: nginx\n  - name: shop-qa", "    spec: {}\n  - name: shop-qa")))
      .toBe('spec line 8: required input "image" is missing (schema type In)');
    expect(await refused("proton: ServiceSpec\ninstances:\n  - name: shop-qa\n    environment: dev\n    spec: {image: x}\n"))
      .toBe('spec: no entry for instance "shop-dev" under `instances:` (it lists shop-qa)');
    expect(await refused(shopSpec().replace("environment: dev", "environment: prod"))).toMatch(/^spec line 7: instance "shop-dev" lives in environment "dev", not "prod"/);
    expect(await refused("proton: [unclosed")).toMatch(/^spec line 1: /);
    expect(await refused("proton: EnvironmentSpec\nspec: {}\n")).toMatch(/is a `proton: ServiceSpec`/);
    expect(await acmeDeployments()).toBe(before);
  });

  it("the deployment types Baryon does not carry out, and operations it does not serve", async () => {
    await protonFleet(h);
    const before = await acmeDeployments();
    const client = protonClient(h, tokenFor("acme"));
    await expect(update(client, "MAJOR_VERSION")).rejects.toThrow(/another major is an inventory change: change `template:` in inventory\/shop\.yaml/);
    await expect(update(client, "CURRENT_VERSION", { templateMinorVersion: "1" })).rejects.toBeInstanceOf(ValidationException);
    await expect(update(client, "MINOR_VERSION", { templateMinorVersion: "7" })).rejects.toThrow("api 1.7 is not in the registry");
    await expect(update(client, "NONE", { spec: shopSpec("x") })).rejects.toThrow(/NONE deploys nothing/);
    // NONE updates metadata only, and an instance has none: it answers the instance as it is.
    expect((await update(client, "NONE")).serviceInstance).toMatchObject({ name: "shop-dev", deploymentStatus: "SUCCEEDED" });
    await expect(client.send(new ListServicesCommand({}))).rejects.toMatchObject({ name: "UnknownOperationException", $metadata: { httpStatusCode: 400 } });
    expect(await acmeDeployments()).toBe(before);

    // MINOR_VERSION without a minor: the major's recommended version, with the inputs it has.
    const { serviceInstance } = await update(client, "MINOR_VERSION");
    expect(serviceInstance).toMatchObject({ templateMajorVersion: "1", templateMinorVersion: "0" });
    expect(await acmeDeployments()).toBe(before + 1);
  });
});
