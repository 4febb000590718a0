// What AWS Proton wrote on the CloudFormation stacks it created, read back: which
// environment, service instance or service pipeline each stack is, and from which
// template. Pure. Where each fact comes from (AWS's public documentation):
//
// - Tags. Proton gives what it creates AWS managed tags whose values are ARNs —
//   aws:proton:account, aws:proton:template, aws:proton:service,
//   aws:proton:service-instance, aws:proton:environment — and propagates them to
//   provisioned resources that take tags as customer tags under proton:… (same
//   suffixes). AWS Proton User Guide, "AWS Proton resources and tagging",
//   https://docs.aws.amazon.com/proton/latest/userguide/resources.html
//   (awsdocs/aws-proton-user-guide, doc_source/resources.md). Its CreateStack call
//   carries the aws:proton: tags: https://github.com/aws/aws-proton-public-roadmap/issues/75
// - ARNs. Service Authorization Reference, "Actions, resources, and condition keys
//   for AWS Proton", resource types:
//   https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsproton.html
//   environment/<name>, service/<name>, service/<service>/service-instance/<name>,
//   environment-template/<name>, service-template/<name>, and their versions
//   <template>:<major> and <template>:<major>.<minor>. A pipeline is
//   service/<service>/pipeline (User Guide, "Update a service pipeline":
//   https://docs.aws.amazon.com/proton/latest/userguide/ag-svc-pipeline-update.html).
//   The guide's tag example names a template without a version, so both are read.
// - Stack names. AWSProton-<part of the resource's name>-cloudformation-<random>
//   (an instance's `provisionedStacks` in the User Guide, "View service instance
//   data": AWSProton-simple-svc--cloudformation--HMACANJOICKTLNG), and Proton's
//   service role may touch only stack/AWSProton-* (Admin Guide, "Controlling access
//   with IAM": https://docs.aws.amazon.com/proton/latest/adminguide/ag-controlling-access.html).
//   Names are cut and salted, so only the tags say what a stack is.
import type { DeployedStack } from "../ports/stack-source.js";

export const PROTON_STACK_PREFIX = "AWSProton-";

/** A template as a tag names it; major and minor only when the ARN is of a version. */
export interface TemplateArn {
  kind: "environment" | "service";
  name: string;
  major?: number;
  minor?: number;
}

export type ProtonStack =
  | { kind: "environment"; stack: DeployedStack; environment: string; template?: TemplateArn }
  | { kind: "service_instance"; stack: DeployedStack; service: string; instance: string; environment?: string; template?: TemplateArn }
  | { kind: "service_pipeline"; stack: DeployedStack; service: string; template?: TemplateArn };

export type StackReading = { proton: ProtonStack } | { ignored: string };

const ARN = /^arn:aws[a-z-]*:proton:[a-z0-9-]*:\d{12}:(.+)$/;
const TEMPLATE = /^(environment|service)-template\/([0-9A-Za-z][0-9A-Za-z_-]*)(?::(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?)?$/;

/** The value of a Proton tag: the AWS managed key, else the customer copy Proton propagates. */
function protonTag(stack: DeployedStack, key: string): string | undefined {
  return stack.tags[`aws:proton:${key}`] ?? stack.tags[`proton:${key}`];
}

/** The resource part of a Proton ARN (`environment/prod`), or undefined for anything else. */
function resourceOf(arn: string | undefined): string | undefined {
  return arn === undefined ? undefined : ARN.exec(arn)?.[1];
}

export function templateArn(arn: string | undefined): TemplateArn | undefined {
  const match = TEMPLATE.exec(resourceOf(arn) ?? "");
  if (!match) return undefined;
  return {
    kind: match[1] as TemplateArn["kind"], name: match[2]!,
    ...(match[3] !== undefined ? { major: Number(match[3]) } : {}),
    ...(match[4] !== undefined ? { minor: Number(match[4]) } : {}),
  };
}

/** Which Proton resource a stack is, from its tags; why not, when it is none. */
export function readProtonStack(stack: DeployedStack): StackReading {
  // Components (component/<id>) are not imported. The guide lists no component tag; a stack
  // that has one anyway may carry its instance's tags too, so it must not pass for the instance.
  if (protonTag(stack, "component") !== undefined) return { ignored: "the stack of a Proton component, which is not imported" };
  const environmentArn = protonTag(stack, "environment");
  const serviceArn = protonTag(stack, "service");
  const instanceArn = protonTag(stack, "service-instance");
  const templateTag = protonTag(stack, "template");
  if (environmentArn === undefined && serviceArn === undefined && instanceArn === undefined) {
    return { ignored: stack.name.startsWith(PROTON_STACK_PREFIX) ? "named like a stack of AWS Proton, but has none of its aws:proton: tags" : "no aws:proton: tags" };
  }
  const template = templateArn(templateTag);
  if (templateTag !== undefined && !template) return { ignored: `its aws:proton:template tag is not a template ARN: ${templateTag}` };
  const withTemplate = template ? { template } : {};
  const environment = /^environment\/([^/]+)$/.exec(resourceOf(environmentArn) ?? "")?.[1];
  if (instanceArn !== undefined) {
    const match = /^service\/([^/]+)\/service-instance\/([^/]+)$/.exec(resourceOf(instanceArn) ?? "");
    if (!match) return { ignored: `its aws:proton:service-instance tag is not a service instance ARN: ${instanceArn}` };
    if (template && template.kind !== "service") return { ignored: `a service instance made from ${template.kind} template ${template.name}` };
    return { proton: { kind: "service_instance", stack, service: match[1]!, instance: match[2]!, ...(environment ? { environment } : {}), ...withTemplate } };
  }
  if (serviceArn !== undefined) {
    const match = /^service\/([^/]+)$/.exec(resourceOf(serviceArn) ?? "");
    if (!match) return { ignored: `its aws:proton:service tag is not a service ARN: ${serviceArn}` };
    if (template && template.kind !== "service") return { ignored: `a service pipeline made from ${template.kind} template ${template.name}` };
    return { proton: { kind: "service_pipeline", stack, service: match[1]!, ...withTemplate } };
  }
  if (!environment) return { ignored: `its aws:proton:environment tag is not an environment ARN: ${environmentArn}` };
  if (template && template.kind !== "environment") return { ignored: `an environment made from ${template.kind} template ${template.name}` };
  return { proton: { kind: "environment", stack, environment, ...withTemplate } };
}

/** A stack Baryon can adopt as it is; otherwise what stands in the way. */
export function stackProblem(stack: DeployedStack): { skip: boolean; why: string } | undefined {
  // Only a change set made it: nothing was ever created under this name.
  if (stack.status === "REVIEW_IN_PROGRESS") return { skip: true, why: "holds no resources (REVIEW_IN_PROGRESS)" };
  // Its creation failed and rolled back: nothing to adopt, and the provisioner refuses it.
  if (stack.status === "ROLLBACK_COMPLETE") return { skip: true, why: "its creation failed (ROLLBACK_COMPLETE): nothing to adopt; delete it" };
  if (stack.status.endsWith("_FAILED")) return { skip: false, why: `is ${stack.status}: \`baryon apply\` refuses it until it is repaired (see docs/provisioners.md)` };
  if (stack.status.endsWith("_IN_PROGRESS")) return { skip: false, why: `is ${stack.status}: apply once the operation has finished` };
  return undefined;
}
