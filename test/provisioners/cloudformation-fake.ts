// A scripted CloudFormation for what moto does not emulate (rollbacks with their
// events, a change set failing for a reason of its own, a stack still in progress):
// aws-sdk-client-mock answering from a small state that each test sets up.
import {
  CloudFormationClient, CreateChangeSetCommand, DeleteChangeSetCommand, DeleteStackCommand, DescribeChangeSetCommand,
  DescribeStackEventsCommand, DescribeStacksCommand, ExecuteChangeSetCommand,
  type Change, type Output, type Stack, type StackEvent,
} from "@aws-sdk/client-cloudformation";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach } from "vitest";
import { cloudFormationProvisioner } from "../../src/adapters/provisioners/cloudformation.js";
import type { DeploymentRequest } from "../../src/ports/provisioner.js";

export interface Script {
  /** The stack before the deployment (undefined: none). */
  stack?: { status: string; outputs?: Output[] };
  /** What the change set comes to once made. */
  changeSet?: { Status: string; StatusReason?: string; ExecutionStatus?: string; Changes?: Change[] };
  /** The stack's statuses, one per DescribeStacks after the change set is executed (the last one stays). */
  afterExecute?: string[];
  /** The stack's statuses after DeleteStack; "gone" for a stack deleted. */
  afterDelete?: string[];
  /** Called when the change set is made, or executed (to abort a deploy at that point). */
  on?: { create?: () => void; execute?: () => void };
  /** Outputs once the execution succeeds. */
  outputs?: Output[];
  /** The stack's events, newest first, as CloudFormation lists them; paged by two. */
  events?: StackEvent[];
}

export const STACK = "web-prod";
const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };
const mocks: { restore(): void }[] = [];
afterEach(() => mocks.splice(0).forEach((m) => m.restore()));

export const validationError = (message: string) => Object.assign(new Error(message), { name: "ValidationError", $fault: "client" });

/** A provisioner on a mocked client, the mock (for its calls), and the state it answers from. */
export function scripted(script: Script, settings: Record<string, unknown> = {}) {
  const client = new CloudFormationClient({ region: "eu-west-1", credentials });
  const mock = mockClient(client);
  mocks.push(mock);
  const state = {
    statuses: script.stack ? [script.stack.status] : undefined as string[] | undefined,
    outputs: script.stack?.outputs,
    changeSet: undefined as undefined | (NonNullable<Script["changeSet"]> & { ChangeSetName: string }),
  };
  const stack = (): Stack => {
    const statuses = state.statuses!;
    const status = statuses.length > 1 ? statuses.shift()! : statuses[0]!;
    return { StackName: STACK, StackId: `arn:aws:cloudformation:eu-west-1:123456789012:stack/${STACK}/1`, StackStatus: status as Stack["StackStatus"], CreationTime: new Date(0), ...(state.outputs ? { Outputs: state.outputs } : {}) };
  };
  mock.on(DescribeStacksCommand).callsFake(() => {
    if (!state.statuses || state.statuses[0] === "gone") throw validationError(`Stack with id ${STACK} does not exist`);
    return { Stacks: [stack()] };
  });
  mock.on(DescribeChangeSetCommand).callsFake((input: { ChangeSetName: string }) => {
    if (state.changeSet?.ChangeSetName !== input.ChangeSetName) throw Object.assign(new Error(`ChangeSet [${input.ChangeSetName}] does not exist`), { name: "ChangeSetNotFoundException", $fault: "client" });
    return { StackName: STACK, ExecutionStatus: "AVAILABLE", ...state.changeSet };
  });
  mock.on(CreateChangeSetCommand).callsFake((input: { ChangeSetName: string }) => {
    state.statuses ??= ["REVIEW_IN_PROGRESS"];
    state.changeSet = { ChangeSetName: input.ChangeSetName, ...(script.changeSet ?? { Status: "CREATE_COMPLETE" }) };
    script.on?.create?.();
    return { Id: `arn:changeSet/${input.ChangeSetName}` };
  });
  mock.on(ExecuteChangeSetCommand).callsFake(() => {
    state.changeSet!.ExecutionStatus = "EXECUTE_IN_PROGRESS";
    state.statuses = [...(script.afterExecute ?? ["UPDATE_COMPLETE"])];
    state.outputs = script.outputs ?? state.outputs;
    script.on?.execute?.();
    return {};
  });
  mock.on(DeleteChangeSetCommand).resolves({});
  mock.on(DeleteStackCommand).callsFake(() => {
    state.statuses = [...(script.afterDelete ?? ["gone"])];
    return {};
  });
  mock.on(DescribeStackEventsCommand).callsFake((input: { NextToken?: string }) => {
    const events = script.events ?? [];
    const from = Number(input.NextToken ?? 0);
    return { StackEvents: events.slice(from, from + 2), ...(from + 2 < events.length ? { NextToken: String(from + 2) } : {}) };
  });
  const provisioner = cloudFormationProvisioner({ kind: "cloudformation", region: "eu-west-1", ...settings }, { client, pollDelayMs: { min: 1, max: 5 } });
  return { provisioner, mock, state };
}

export function request(overrides: Partial<DeploymentRequest> = {}): DeploymentRequest {
  return {
    id: "dep-7", action: "deploy", owner: "acme",
    resource: { kind: "service_instance", name: "prod", service: "web", environment: "prod" },
    template: { name: "fargate-service", version: "1.3" }, inputs: {},
    files: [{ path: "instance_infrastructure/cloudformation.yaml", content: "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n" }],
    ...overrides,
  };
}

let clock = Date.UTC(2025, 0, 1, 12, 0, 0);
/** A stack event, stamped a second after the one before. */
export function event(logicalId: string, type: string, status: string, reason?: string): StackEvent {
  clock += 1000;
  return {
    StackId: "id", StackName: STACK, EventId: `e${clock}`, LogicalResourceId: logicalId, ResourceType: type,
    ResourceStatus: status as StackEvent["ResourceStatus"], Timestamp: new Date(clock), ...(reason ? { ResourceStatusReason: reason } : {}),
  };
}

export const stackEvent = (status: string, reason?: string) => event(STACK, "AWS::CloudFormation::Stack", status, reason);
