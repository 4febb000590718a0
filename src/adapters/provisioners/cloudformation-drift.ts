// Drift of a stack, two ways. Its template: CloudFormation's copy of what it runs
// (GetTemplate, the original as submitted) against Baryon's render of the last
// successful deployment — an update made behind Baryon's back changes it.
// Its resources: CloudFormation's own drift detection (DetectStackDrift, then the
// resources that are MODIFIED or DELETED, with each property that differs) — a
// console edit of a resource changes those, not the template.
import {
  DescribeStackDriftDetectionStatusCommand, DescribeStackResourceDriftsCommand, DetectStackDriftCommand, GetTemplateCommand,
  type CloudFormationClient, type StackResourceDrift,
} from "@aws-sdk/client-cloudformation";
import type { DriftFinding, DriftReport } from "../../ports/provisioner.js";
import { describeStack, messageOf } from "./cloudformation-stack.js";

export interface DriftOptions {
  /** How long CloudFormation's detection may take, and how often it is asked (it usually takes seconds). */
  timeoutMs: number;
  pollMs: number;
}

/** `body`: the template Baryon rendered for the stack's last successful deployment. */
export async function stackDrift(client: CloudFormationClient, stack: string, body: string, options: DriftOptions): Promise<DriftReport> {
  const found = await describeStack(client, stack);
  if (!found) return { state: "drifted", findings: [{ subject: stack, detail: `stack ${stack} does not exist: it was deleted outside Baryon` }] };
  const findings: DriftFinding[] = [];
  const { TemplateBody } = await client.send(new GetTemplateCommand({ StackName: stack, TemplateStage: "Original" }));
  if (normalized(TemplateBody ?? "") !== normalized(body)) {
    findings.push({ subject: "template", detail: `stack ${stack} runs a template other than the one Baryon deployed (it was updated outside Baryon)` });
  }
  let resources: DriftFinding[];
  try {
    resources = await resourceDrifts(client, stack, options);
  } catch (error) {
    // The template's verdict stands on its own; without it, nobody can tell.
    const why = `CloudFormation's drift detection failed: ${messageOf(error)}`;
    return findings.length ? { state: "drifted", findings: [...findings, { detail: why }] } : { state: "unknown", findings: [{ detail: why }] };
  }
  findings.push(...resources);
  return findings.length ? { state: "drifted", findings } : { state: "in_sync", findings: [] };
}

async function resourceDrifts(client: CloudFormationClient, stack: string, options: DriftOptions): Promise<DriftFinding[]> {
  const { StackDriftDetectionId: id } = await client.send(new DetectStackDriftCommand({ StackName: stack }));
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const status = await client.send(new DescribeStackDriftDetectionStatusCommand({ StackDriftDetectionId: id }));
    if (status.DetectionStatus === "DETECTION_COMPLETE") break;
    // PARTIAL_SUCCESS: some resources could not be checked; those that could are still worth reporting.
    if (status.DetectionStatus === "DETECTION_FAILED" && status.StackDriftStatus === undefined) throw new Error(status.DetectionStatusReason ?? "detection failed");
    if (status.DetectionStatus === "DETECTION_FAILED") break;
    if (Date.now() > deadline) throw new Error(`still running after ${options.timeoutMs / 1000}s`);
    await new Promise((resolve) => setTimeout(resolve, options.pollMs));
  }
  const drifts: StackResourceDrift[] = [];
  let next: string | undefined;
  do {
    const page = await client.send(new DescribeStackResourceDriftsCommand({ StackName: stack, StackResourceDriftStatusFilters: ["MODIFIED", "DELETED"], ...(next ? { NextToken: next } : {}) }));
    drifts.push(...(page.StackResourceDrifts ?? []));
    next = page.NextToken;
  } while (next);
  return drifts.flatMap((d): DriftFinding[] => {
    const subject = `${d.LogicalResourceId ?? "?"} (${d.ResourceType ?? "?"})`;
    if (d.StackResourceDriftStatus === "DELETED") return [{ subject, detail: "deleted outside Baryon" }];
    const differences = d.PropertyDifferences ?? [];
    if (differences.length === 0) return [{ subject, detail: "modified outside Baryon" }];
    return differences.map((p) => ({
      subject, property: p.PropertyPath ?? "?",
      detail: p.DifferenceType === "REMOVE" ? `removed (was ${p.ExpectedValue})` : p.DifferenceType === "ADD" ? `added: ${p.ActualValue}` : `${p.ExpectedValue || "(none)"} → ${p.ActualValue || "(none)"}`,
    }));
  });
}

/** CloudFormation keeps the body as submitted; only line endings and trailing blanks may differ. */
function normalized(body: string): string {
  return body.replace(/\r\n/g, "\n").replace(/[ \t]+$/gm, "").trimEnd();
}
