// The cloudformation provisioner against moto_server (see cloudformation-moto.ts):
// create, update, no-op update and delete of a stack with outputs, a stack adopted
// by name, a retried deployment, and throttling retried by the SDK.
import { CloudFormationClient, CreateStackCommand, DescribeStackEventsCommand, DescribeStacksCommand, waitUntilStackCreateComplete } from "@aws-sdk/client-cloudformation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cloudFormationProvisioner, RETRY } from "../../src/adapters/provisioners/cloudformation.js";
import type { DeploymentRequest, ProvisionResult } from "../../src/ports/provisioner.js";
import { motoMissing, startMoto, throttlingProxy, type Moto } from "./cloudformation-moto.js";

const missing = motoMissing();
const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };
const FAST_POLL = { min: 10, max: 50 };
let moto: Moto;
let deployments = 0;

beforeAll(async () => {
  if (!missing) moto = await startMoto();
});
afterAll(async () => {
  await moto?.stop();
});

function provisioner(endpoint = moto.endpoint, settings: Record<string, unknown> = {}) {
  return cloudFormationProvisioner({ kind: "cloudformation", region: "us-east-1", ...settings }, { clientConfig: { endpoint, credentials }, pollDelayMs: FAST_POLL });
}

/** The rendered template of an instance: an SSM parameter holding `color` and an SNS topic. */
function template(service: string, color: string): string {
  return `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Color:
    Type: AWS::SSM::Parameter
    Properties:
      Name: /baryon-test/${service}/color
      Type: String
      Value: ${color}
  Topic:
    Type: AWS::SNS::Topic
Outputs:
  ParameterName:
    Value: !Ref Color
  TopicArn:
    Value: !Ref Topic
  Color:
    Value: ${color}
`;
}

function request(service: string, color: string, overrides: Partial<DeploymentRequest> = {}): DeploymentRequest {
  return {
    id: `dep-${++deployments}`, action: "deploy", owner: "acme",
    resource: { kind: "service_instance", name: "prod", service, environment: "prod" },
    template: { name: "fargate-service", version: "1.0" }, inputs: {},
    files: [{ path: "instance_infrastructure/cloudformation.yaml", content: template(service, color) }],
    ...overrides,
  };
}

function succeeded(result: ProvisionResult) {
  if (result.status !== "succeeded") throw new Error(`expected success, got ${result.status}: ${"reason" in result ? result.reason : ""}\n${result.log}`);
  return result;
}

async function eventCount(client: CloudFormationClient, stack: string): Promise<number> {
  return (await client.send(new DescribeStackEventsCommand({ StackName: stack }))).StackEvents?.length ?? 0;
}

describe.skipIf(missing)("cloudformation provisioner on moto_server", () => {
  it("creates, updates, leaves alone and deletes a stack, with its outputs read back", async () => {
    const cfn = provisioner();
    const created = succeeded(await cfn.deploy(request("web", "blue")));
    expect(created.outputs).toEqual({
      ParameterName: "/baryon-test/web/color", Color: "blue", TopicArn: expect.stringMatching(/^arn:aws:sns:us-east-1:\d{12}:web-prod-Topic/),
    });
    expect(created.log).toContain("stack web-prod (us-east-1) does not exist yet: creating it with change set baryon-dep-");
    expect(created.log).toMatch(/change set baryon-dep-\d+: 2 changes\n {2}Add +Color +AWS::SSM::Parameter\n {2}Add +Topic +AWS::SNS::Topic\n/);
    expect(created.log).toContain("stack web-prod is CREATE_COMPLETE\noutputs: ParameterName, TopicArn, Color\n");

    const updated = succeeded(await cfn.deploy(request("web", "green")));
    expect(updated.outputs).toMatchObject({ Color: "green", ParameterName: "/baryon-test/web/color" });
    expect(updated.log).toContain("stack web-prod (us-east-1) is CREATE_COMPLETE: updating it with change set");
    expect(updated.log).toMatch(/Modify +Color +AWS::SSM::Parameter/);
    expect(updated.log).toContain("stack web-prod is UPDATE_COMPLETE");

    const events = await eventCount(cfn.client, "web-prod");
    const same = succeeded(await cfn.deploy(request("web", "green")));
    expect(same.outputs).toEqual(updated.outputs);
    expect(same.log).toContain(`no changes ("The submitted information didn't contain changes. Submit different information to create a change set."); stack web-prod stays as it is`);
    expect(same.log).not.toContain("executing");
    expect(await eventCount(cfn.client, "web-prod")).toBe(events);

    const deleted = succeeded(await cfn.destroy(request("web", "green")));
    expect(deleted.outputs).toEqual({});
    expect(deleted.log).toContain("deleting stack web-prod (us-east-1), which is UPDATE_COMPLETE");
    await expect(cfn.client.send(new DescribeStacksCommand({ StackName: "web-prod" }))).rejects.toThrow(/does not exist/);

    const again = succeeded(await cfn.destroy(request("web", "green")));
    expect(again.log).toContain("stack web-prod (us-east-1) does not exist: nothing to delete");
  });

  it("adopts a stack that exists already under the name in `stack:`, as it is", async () => {
    const cfn = provisioner();
    // As Proton left it: created directly, under a name of its own.
    await cfn.client.send(new CreateStackCommand({ StackName: "AWSProton-api-prod-x1y2", TemplateBody: template("api", "blue") }));
    await waitUntilStackCreateComplete({ client: cfn.client, maxWaitTime: 10, minDelay: 0.01, maxDelay: 0.05 }, { StackName: "AWSProton-api-prod-x1y2" });
    const adopt = (color: string) => request("api", color, { settings: { stack: "AWSProton-api-prod-x1y2" } });

    const unchanged = succeeded(await cfn.deploy(adopt("blue")));
    expect(unchanged.outputs).toMatchObject({ Color: "blue", ParameterName: "/baryon-test/api/color" });
    expect(unchanged.log).toContain("stack AWSProton-api-prod-x1y2 (us-east-1) is CREATE_COMPLETE: updating it");
    expect(unchanged.log).toContain("no changes");

    const changed = succeeded(await cfn.deploy(adopt("red")));
    expect(changed.outputs).toMatchObject({ Color: "red" });
    expect(changed.log).toContain("stack AWSProton-api-prod-x1y2 is UPDATE_COMPLETE");
    // No stack under the pattern's name was made beside it.
    await expect(cfn.client.send(new DescribeStacksCommand({ StackName: "api-prod" }))).rejects.toThrow(/does not exist/);
  });

  it("finishes a retried deployment with the change set it made, without executing it twice", async () => {
    const cfn = provisioner();
    const first = request("jobs", "blue");
    succeeded(await cfn.deploy(first));
    const events = await eventCount(cfn.client, "jobs-prod");

    const retried = succeeded(await cfn.deploy(first));
    expect(retried.outputs).toMatchObject({ Color: "blue" });
    expect(retried.log).toContain(`change set baryon-${first.id} exists already (this deployment was retried): CREATE_COMPLETE, EXECUTE_COMPLETE`);
    expect(retried.log).not.toContain("executing");
    expect(await eventCount(cfn.client, "jobs-prod")).toBe(events);
  });

  it("runs the stack operations as roleArn: assumed through STS, with the credentials Baryon has", async () => {
    const proxy = await throttlingProxy(moto.endpoint, 0);
    try {
      const cfn = provisioner(proxy.endpoint, { roleArn: "arn:aws:iam::123456789012:role/baryon-deployer" });
      const result = succeeded(await cfn.deploy(request("assumed", "blue")));
      expect(result.outputs).toMatchObject({ Color: "blue" });
      const assume = proxy.forwarded.indexOf("AssumeRole");
      expect(assume).toBe(0);
      expect(proxy.signedWith[assume]).toBe("testing");
      // Every CloudFormation call after it is signed with the role's temporary key, not Baryon's own.
      const cfnKeys = new Set(proxy.signedWith.slice(assume + 1));
      expect(proxy.forwarded.slice(assume + 1)).toContain("ExecuteChangeSet");
      expect([...cfnKeys]).toHaveLength(1);
      expect(cfnKeys.has("testing")).toBe(false);
    } finally {
      await proxy.close();
    }
  });

  it("retries throttled calls with the SDK's retry strategy (adaptive, 10 attempts)", async () => {
    const proxy = await throttlingProxy(moto.endpoint, 1);
    try {
      const cfn = provisioner(proxy.endpoint);
      expect(await cfn.client.config.maxAttempts()).toBe(RETRY.maxAttempts);
      expect(((await cfn.client.config.retryStrategy()) as { mode?: string }).mode).toBe("adaptive");

      const result = succeeded(await cfn.deploy(request("queue", "blue")));

      expect(proxy.throttled).toBe(1);
      // The throttled DescribeStacks was sent again, and the deployment went on past it.
      expect(proxy.forwarded.slice(0, 2)).toEqual(["DescribeStacks", "CreateChangeSet"]);
      expect(proxy.forwarded).toContain("ExecuteChangeSet");
      expect(result.outputs).toMatchObject({ Color: "blue" });
    } finally {
      await proxy.close();
    }
  });
});

if (missing) it.skip(`cloudformation provisioner on moto_server: skipped because ${missing}`, () => {});
