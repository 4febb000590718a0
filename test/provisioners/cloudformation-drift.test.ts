// Drift of a CloudFormation stack: its template on moto_server (deployed by the
// provisioner, then changed or deleted behind Baryon's back), and CloudFormation's
// resource drift detection, which moto does not emulate, from aws-sdk-client-mock:
// the provisioner's client sends the drift commands to the mock and the rest to moto.
import { DeleteStackCommand, DetectStackDriftCommand, UpdateStackCommand, waitUntilStackDeleteComplete, waitUntilStackUpdateComplete } from "@aws-sdk/client-cloudformation";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cloudFormationProvisioner } from "../../src/adapters/provisioners/cloudformation.js";
import type { DeploymentRequest } from "../../src/ports/provisioner.js";
import { motoMissing, startMoto, type Moto } from "./cloudformation-moto.js";
import { detection, mockedDriftApi, motoWithDriftApi } from "./drift-api.js";

const missing = motoMissing();
const WAIT = { maxWaitTime: 10, minDelay: 0.01, maxDelay: 0.05 };
let moto: Moto;
let stacks = 0;

beforeAll(async () => {
  if (!missing) moto = await startMoto();
});
afterAll(async () => {
  await moto?.stop();
});

const driftApi = mockedDriftApi();

/** The provisioner on moto, but for the drift API, answered by the mock. */
function provisioner() {
  const { client, real } = motoWithDriftApi(moto.endpoint, driftApi);
  return { cfn: cloudFormationProvisioner({ kind: "cloudformation", region: "us-east-1" }, { client, pollDelayMs: { min: 10, max: 50 } }), real };
}

const template = (value: string) => `Resources:\n  Color:\n    Type: AWS::SSM::Parameter\n    Properties:\n      Name: /drift/${value}\n      Type: String\n      Value: ${value}\n`;

function request(color: string): DeploymentRequest {
  return {
    id: `dep-${++stacks}`, action: "deploy", owner: "acme",
    resource: { kind: "environment", name: `env${stacks}` }, template: { name: "net", version: "1.0" }, inputs: {},
    files: [{ path: "infrastructure/cloudformation.yaml", content: template(color) }],
  };
}

describe.skipIf(missing)("cloudformation provisioner: drift", () => {
  beforeEach(() => driftApi.reset());

  it("finds a stack as Baryon deployed it in sync, and reports a property changed outside Baryon with its old and new value", async () => {
    const { cfn } = provisioner();
    const deployed = request("blue");
    expect((await cfn.deploy(deployed)).status).toBe("succeeded");
    detection(driftApi, []);
    expect(await cfn.detectDrift(deployed)).toEqual({ state: "in_sync", findings: [] });
    expect(driftApi.commandCalls(DetectStackDriftCommand)[0]!.args[0].input).toEqual({ StackName: deployed.resource.name });

    detection(driftApi, [{
      LogicalResourceId: "Color", ResourceType: "AWS::SSM::Parameter", StackResourceDriftStatus: "MODIFIED",
      PropertyDifferences: [{ PropertyPath: "/Value", ExpectedValue: "blue", ActualValue: "green", DifferenceType: "NOT_EQUAL" }],
    }]);
    expect(await cfn.detectDrift(deployed)).toEqual({ state: "drifted", findings: [{ subject: "Color (AWS::SSM::Parameter)", property: "/Value", detail: "blue → green" }] });
  });

  it("reports a template updated, or a stack deleted, behind Baryon's back", async () => {
    const { cfn, real } = provisioner();
    const deployed = request("red");
    expect((await cfn.deploy(deployed)).status).toBe("succeeded");
    const stack = deployed.resource.name; // an environment's stack is named after it
    await real.send(new UpdateStackCommand({ StackName: stack, TemplateBody: template("red-by-hand") }));
    await waitUntilStackUpdateComplete({ client: real, ...WAIT }, { StackName: stack });
    detection(driftApi, []);
    const report = await cfn.detectDrift(deployed);
    expect(report.state).toBe("drifted");
    expect(report.findings).toEqual([{ subject: "template", detail: `stack ${stack} runs a template other than the one Baryon deployed (it was updated outside Baryon)` }]);

    await real.send(new DeleteStackCommand({ StackName: stack }));
    await waitUntilStackDeleteComplete({ client: real, ...WAIT }, { StackName: stack });
    expect(await cfn.detectDrift(deployed)).toEqual({ state: "drifted", findings: [{ subject: stack, detail: `stack ${stack} does not exist: it was deleted outside Baryon` }] });
  });

  it("cannot tell when CloudFormation's detection fails and the template matches, and says why", async () => {
    const { cfn } = provisioner();
    const deployed = request("green");
    expect((await cfn.deploy(deployed)).status).toBe("succeeded");
    driftApi.on(DetectStackDriftCommand).rejects(Object.assign(new Error("Rate exceeded"), { name: "Throttling" }));
    expect(await cfn.detectDrift(deployed)).toEqual({ state: "unknown", findings: [{ detail: "CloudFormation's drift detection failed: Throttling: Rate exceeded" }] });
  });
});
