// Reading a stack through the CloudFormation API, for the cloudformation
// provisioner: the stack, a change set with all its changes, the events of the
// stack's last operation, and what a stack status means for a deployment. Every
// answer here is plain data or log text; cloudformation.ts decides.
import {
  DescribeChangeSetCommand, DescribeStackEventsCommand, DescribeStacksCommand,
  type CloudFormationClient, type DescribeChangeSetCommandOutput, type Stack, type StackEvent,
} from "@aws-sdk/client-cloudformation";
import type { DeploymentOutputs } from "../../ports/provisioner.js";

/** The only reasons CloudFormation gives for a change set that would change nothing. Any other FAILED is a failure. */
export const NO_CHANGES_REASONS = [
  "The submitted information didn't contain changes. Submit different information to create a change set.",
  "No updates are to be performed.",
];

/** A CloudFormation call failed for a reason a retry may fix (a server fault, the network): the job is retried. */
export class CloudFormationApiError extends Error {
  override name = "CloudFormationApiError";
  constructor(readonly operation: string, readonly stackName: string, options: { cause: unknown }) {
    super(`CloudFormation ${operation} of stack ${stackName} failed: ${messageOf(options.cause)}`, options);
  }
}

export function messageOf(error: unknown): string {
  const e = error as { name?: string; message?: string };
  return e?.name && e.name !== "Error" ? `${e.name}: ${e.message ?? ""}` : String(e?.message ?? error);
}

/** A fault of the request (a bad template, a missing capability, a denied permission): no retry fixes it. */
export function isClientFault(error: unknown): boolean {
  return (error as { $fault?: string })?.$fault === "client";
}

/** CloudFormation says "Stack with id X does not exist" as a ValidationError. */
function isMissing(error: unknown): boolean {
  const e = error as { name?: string; message?: string };
  return e?.name === "ChangeSetNotFoundException" || (e?.name === "ValidationError" && /does not exist/.test(e.message ?? ""));
}

export async function describeStack(client: CloudFormationClient, name: string): Promise<Stack | undefined> {
  try {
    const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: name }));
    return Stacks?.[0];
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

export type ChangeSetView = Omit<DescribeChangeSetCommandOutput, "$metadata" | "NextToken">;

/** The change set with every page of its changes, or undefined when there is none of that name. */
export async function describeChangeSet(client: CloudFormationClient, stack: string, changeSet: string): Promise<ChangeSetView | undefined> {
  let view: ChangeSetView | undefined;
  let token: string | undefined;
  try {
    do {
      const { $metadata: _, NextToken, ...page } = await client.send(new DescribeChangeSetCommand({ StackName: stack, ChangeSetName: changeSet, ...(token ? { NextToken: token } : {}) }));
      view = view ? { ...view, Changes: [...(view.Changes ?? []), ...(page.Changes ?? [])] } : page;
      token = NextToken;
    } while (token);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
  return view;
}

export function isNoChanges(view: ChangeSetView): boolean {
  return view.Status === "FAILED" && NO_CHANGES_REASONS.includes(view.StatusReason ?? "");
}

/** `Add  Topic  AWS::SNS::Topic` for each change, in CloudFormation's order. */
export function changeLines(view: ChangeSetView): string[] {
  return (view.Changes ?? []).map(({ ResourceChange: r }) => {
    const replacement = r?.Replacement === "True" ? " (replacement)" : r?.Replacement === "Conditional" ? " (may be replaced)" : "";
    return `  ${(r?.Action ?? "?").padEnd(7)} ${r?.LogicalResourceId ?? "?"}  ${r?.ResourceType ?? ""}${replacement}`;
  });
}

export function outputsOf(stack: Stack): DeploymentOutputs {
  const outputs: DeploymentOutputs = {};
  for (const { OutputKey, OutputValue } of stack.Outputs ?? []) if (OutputKey) outputs[OutputKey] = OutputValue ?? "";
  return outputs;
}

/** What a stack status means for the deployment that put the stack there. */
export type StackPhase =
  | "succeeded"
  /** The operation failed and was rolled back: the stack works at its previous template and can be updated. */
  | "failed"
  /** The operation failed and the stack needs a person before it can be updated again. */
  | "stuck"
  | "in_progress"
  | "deleted";

export function phaseOf(status: string | undefined): StackPhase {
  switch (status) {
    case "CREATE_COMPLETE": case "UPDATE_COMPLETE": case "IMPORT_COMPLETE": return "succeeded";
    case "UPDATE_ROLLBACK_COMPLETE": case "IMPORT_ROLLBACK_COMPLETE": case "UPDATE_FAILED": return "failed";
    case "DELETE_COMPLETE": return "deleted";
    default: return status?.endsWith("_IN_PROGRESS") ? "in_progress" : "stuck";
  }
}

/** Why a stack cannot take a change set now, and what a person does about it; undefined when it can. */
export function refusalOf(stack: Stack, region: string): string | undefined {
  const name = stack.StackName!;
  const cli = (verb: string) => `aws cloudformation ${verb} --stack-name ${name} --region ${region}`;
  switch (stack.StackStatus) {
    case "ROLLBACK_COMPLETE":
      return `stack ${name} is ROLLBACK_COMPLETE: its creation failed and was rolled back, and CloudFormation cannot update such a stack. Delete it (\`${cli("delete-stack")}\`), then deploy again`;
    case "ROLLBACK_FAILED": case "CREATE_FAILED": case "DELETE_FAILED": case "IMPORT_ROLLBACK_FAILED":
      return `stack ${name} is ${stack.StackStatus} and cannot be updated: look at its events, delete it (\`${cli("delete-stack")}\`, retaining resources that cannot be deleted), then deploy again`;
    case "UPDATE_ROLLBACK_FAILED":
      return `stack ${name} is UPDATE_ROLLBACK_FAILED: finish its rollback (\`${cli("continue-update-rollback")}\`), then deploy again`;
    default:
      return undefined;
  }
}

const OPERATION_STARTS = new Set(["CREATE_IN_PROGRESS", "UPDATE_IN_PROGRESS", "DELETE_IN_PROGRESS", "IMPORT_IN_PROGRESS"]);
const MAX_EVENT_PAGES = 20;

/** The events of the stack's latest operation (from the stack's own event that began it), oldest first. */
export async function operationEvents(client: CloudFormationClient, stack: string): Promise<StackEvent[]> {
  const events: StackEvent[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_EVENT_PAGES; page++) {
    const out = await client.send(new DescribeStackEventsCommand({ StackName: stack, ...(token ? { NextToken: token } : {}) }));
    for (const event of out.StackEvents ?? []) {
      events.push(event);
      const own = event.LogicalResourceId === event.StackName && event.ResourceType === "AWS::CloudFormation::Stack";
      if (own && OPERATION_STARTS.has(event.ResourceStatus ?? "")) return events.reverse();
    }
    token = out.NextToken;
    if (!token) break;
  }
  return events.reverse();
}

export const failedEvents = (events: readonly StackEvent[]): StackEvent[] => events.filter((e) => e.ResourceStatus?.endsWith("_FAILED"));

export function eventLine(e: StackEvent): string {
  const at = e.Timestamp instanceof Date ? e.Timestamp.toISOString() : String(e.Timestamp ?? "");
  return `  ${at}  ${e.LogicalResourceId ?? "?"}  ${e.ResourceType ?? ""}  ${e.ResourceStatus ?? ""}${e.ResourceStatusReason ? `  ${e.ResourceStatusReason}` : ""}`;
}

/** The first failure is the cause; the "cancelled" ones after it follow from it. */
export function failureReason(stack: Stack, failed: readonly StackEvent[]): string {
  const first = failed[0];
  const cause = first
    ? `${first.LogicalResourceId} (${first.ResourceType}) ${first.ResourceStatus}: ${first.ResourceStatusReason ?? "no reason given"}`
    : stack.StackStatusReason ?? "no reason given";
  return `stack ${stack.StackName} is ${stack.StackStatus}: ${cause}`;
}
