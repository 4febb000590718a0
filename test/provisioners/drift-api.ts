// CloudFormation's drift detection API, which moto_server does not emulate, from
// aws-sdk-client-mock: a client whose drift commands go to the mock and every other
// command to moto, so one provisioner sees both.
import {
  CloudFormationClient, DescribeStackDriftDetectionStatusCommand, DescribeStackResourceDriftsCommand, DetectStackDriftCommand,
  type StackResourceDrift,
} from "@aws-sdk/client-cloudformation";
import { mockClient } from "aws-sdk-client-mock";

const DRIFT_COMMANDS = new Set([DetectStackDriftCommand.name, DescribeStackDriftDetectionStatusCommand.name, DescribeStackResourceDriftsCommand.name]);
const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };

export function mockedDriftApi() {
  return mockClient(new CloudFormationClient({ region: "us-east-1", credentials }));
}

export type DriftApi = ReturnType<typeof mockedDriftApi>;

/** A client on moto at `endpoint`, but for the drift API, answered by `driftApi`. */
export function motoWithDriftApi(endpoint: string, driftApi: DriftApi): { client: CloudFormationClient; real: CloudFormationClient } {
  const real = new CloudFormationClient({ region: "us-east-1", endpoint, credentials });
  const client = Object.assign(Object.create(real) as CloudFormationClient, {
    send: (command: { constructor: { name: string } }) => (DRIFT_COMMANDS.has(command.constructor.name) ? driftApi.send(command as never) : real.send(command as never)),
  });
  return { client, real };
}

/** CloudFormation's detection finishing with these resource drifts (`byStack`: a stack's own; any other stack: none). */
export function detection(driftApi: DriftApi, drifts: Partial<StackResourceDrift>[], byStack?: Record<string, Partial<StackResourceDrift>[]>): void {
  driftApi.reset();
  driftApi.on(DetectStackDriftCommand).resolves({ StackDriftDetectionId: "d-1" });
  driftApi.on(DescribeStackDriftDetectionStatusCommand).resolvesOnce({ DetectionStatus: "DETECTION_IN_PROGRESS" } as never)
    .resolves({ DetectionStatus: "DETECTION_COMPLETE", StackDriftStatus: "IN_SYNC" } as never);
  driftApi.on(DescribeStackResourceDriftsCommand).resolves({ StackResourceDrifts: drifts as StackResourceDrift[] });
  for (const [stack, own] of Object.entries(byStack ?? {})) {
    driftApi.on(DescribeStackResourceDriftsCommand, { StackName: stack }).resolves({ StackResourceDrifts: own as StackResourceDrift[] });
  }
}
