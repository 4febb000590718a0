// The settings of one `kind: cloudformation` entry of `provisioners:` in
// .github/baryon.yml, checked once when the provisioner is built (every mistake in
// one error), and the names they give: the stack of a resource, the change set of
// a deployment.
import { createHash } from "node:crypto";
import { expandPattern, KIND_WORDS, PATTERN_PLACEHOLDERS, settingsEntry } from "./settings-entry.js";
import type { ResourceRef } from "../../ports/provisioner.js";
import { timeoutSetting } from "../../config/duration.js";

export const CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"] as const;
export type Capability = (typeof CAPABILITIES)[number];

export interface CloudFormationConfig {
  region: string;
  roleArn?: string;
  /** The configured pattern; undefined means the defaults of DEFAULT_STACK_NAMES. */
  stackName?: string;
  capabilities: Capability[];
  timeoutMs: number;
}

export const DEFAULT_TIMEOUT_MS = 60 * 60 * 1000;
/** Used when `stackName:` is not set; docs/provisioners.md lists them. */
export const DEFAULT_STACK_NAMES: Record<ResourceRef["kind"], string> = {
  environment: "{name}",
  service_instance: "{service}-{name}",
  service_pipeline: "{service}-pipeline",
};
const KEYS = ["kind", "region", "roleArn", "stackName", "capabilities", "timeout"];
const REGION = /^[a-z]{2}(-[a-z]+)+-[0-9]+$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::[0-9]{12}:role\/.+$/;
/** CloudFormation's rule for stack and change set names. */
const CFN_NAME = /^[A-Za-z][-A-Za-z0-9]{0,127}$/;

/** Checks one entry as parsed from YAML; throws ProvisionerConfigError naming every mistake. */
export function parseCloudFormationConfig(raw: unknown, name = "cloudformation"): CloudFormationConfig {
  const { entry, errors, done } = settingsEntry(raw, name, "cloudformation", KEYS, "`region:`");
  if (typeof entry.region !== "string" || !REGION.test(entry.region)) {
    errors.push(entry.region === undefined ? "`region:` is required (like us-east-1)" : `region ${JSON.stringify(entry.region)} is not an AWS Region (like us-east-1)`);
  }
  if (entry.roleArn !== undefined && (typeof entry.roleArn !== "string" || !ROLE_ARN.test(entry.roleArn))) {
    errors.push(`roleArn ${JSON.stringify(entry.roleArn)} is not an IAM role ARN (arn:aws:iam::123456789012:role/name)`);
  }
  if (entry.stackName !== undefined) {
    if (typeof entry.stackName !== "string" || !entry.stackName.trim()) errors.push("`stackName:` must be a pattern such as {service}-{name}");
    else {
      for (const [, placeholder] of entry.stackName.matchAll(/\{([^}]*)\}/g)) {
        if (!PATTERN_PLACEHOLDERS.includes(placeholder!)) errors.push(`stackName uses {${placeholder}}; a stack name pattern may use ${PATTERN_PLACEHOLDERS.map((p) => `{${p}}`).join(", ")}`);
      }
    }
  }
  let capabilities: Capability[] = [];
  if (entry.capabilities !== undefined) {
    const list = entry.capabilities;
    if (!Array.isArray(list) || list.some((c) => !CAPABILITIES.includes(c as Capability))) {
      errors.push(`\`capabilities:\` must be a list of ${CAPABILITIES.join(", ")}`);
    } else capabilities = [...new Set(list as Capability[])];
  }
  const timeoutMs = timeoutSetting(entry.timeout, DEFAULT_TIMEOUT_MS, errors, "30m");
  done();
  const config: CloudFormationConfig = { region: entry.region as string, capabilities, timeoutMs };
  if (entry.roleArn !== undefined) config.roleArn = entry.roleArn as string;
  if (entry.stackName !== undefined) config.stackName = entry.stackName as string;
  return config;
}

/** The stack of a resource: the spec file's `stack:` as it is (an adopted stack), else the pattern. */
export function stackNameOf(resource: ResourceRef, settings: Record<string, unknown> | undefined, pattern?: string): { name: string } | { error: string } {
  const given = settings?.stack;
  if (given !== undefined) {
    if (typeof given !== "string" || !CFN_NAME.test(given)) return { error: `\`stack: ${JSON.stringify(given)}\` is not a CloudFormation stack name (a letter, then letters, digits and hyphens, at most 128)` };
    return { name: given };
  }
  const template = pattern ?? DEFAULT_STACK_NAMES[resource.kind];
  const expanded = expandPattern(template, resource);
  if ("missing" in expanded) {
    const { missing } = expanded;
    return { error: `stack name pattern "${template}" uses {${missing}}, which ${KIND_WORDS[resource.kind]} ${resource.name} does not have: set \`stack:\` in its spec file, or a pattern without {${missing}}` };
  }
  const name = expanded.value;
  if (!CFN_NAME.test(name)) return { error: `stack name "${name}" (from the pattern "${template}") is not a CloudFormation stack name: a letter, then letters, digits and hyphens, at most 128; set \`stack:\` in the spec file` };
  return { name };
}

/** One change set per deployment, so a retried job finds the one it made. */
export function changeSetNameOf(deploymentId: string): string {
  const plain = `baryon-${deploymentId}`;
  if (CFN_NAME.test(plain)) return plain;
  const hash = createHash("sha256").update(deploymentId).digest("hex").slice(0, 12);
  return `baryon-${deploymentId.replace(/[^A-Za-z0-9-]/g, "-").slice(0, 100)}-${hash}`;
}
