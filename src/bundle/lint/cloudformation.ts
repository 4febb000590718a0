// Lint of a rendered CloudFormation template: the mistakes CloudFormation would
// only reject at deploy time (a misspelled !Ref, a Sub variable nobody declares,
// a resource without a Type), found in review, at the rendered line.
import { entryOf, parseTemplate, stringOf, type CfnEntry, type CfnNode } from "./cfn-template.js";
import {
  checkConditionName, checkDependsOn, isForEach, mapEntries, report, TOP, walk, walkForEach, type Lint,
} from "./cfn-references.js";
import { diagnostic, sortDiagnostics, type Diagnostic } from "../diagnostics.js";
import { didYouMean } from "../check/suggest-name.js";

export { PSEUDO_PARAMETERS } from "./cfn-references.js";

const SECTIONS = [
  "AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Rules", "Mappings",
  "Conditions", "Transform", "Resources", "Outputs", "Hooks",
];
const RESOURCE_ATTRIBUTES = [
  "Type", "Properties", "DependsOn", "Condition", "Metadata", "DeletionPolicy",
  "UpdateReplacePolicy", "UpdatePolicy", "CreationPolicy",
];
// CloudFormation accepts `Version` on a custom resource (the custom resource protocol's version).
const CUSTOM_RESOURCE_ATTRIBUTES = [...RESOURCE_ATTRIBUTES, "Version"];
const isCustomResource = (type: string | undefined) => type !== undefined && (type.startsWith("Custom::") || type === "AWS::CloudFormation::CustomResource");
// AWS::S3::Bucket, Alexa::ASK::Skill, MyOrg::Svc::Thing::MODULE, Custom::Anything.
const RESOURCE_TYPE = /^(?:Custom::[\w@-]+|[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+(?:::MODULE)?)$/;

/** Diagnostics at rendered lines of `file`; an empty list when CloudFormation would accept the references and structure. */
export function lintCloudFormation(text: string, file: string): Diagnostic[] {
  const parsed = parseTemplate(file, text);
  const root = parsed.root;
  if (!root) return parsed.diagnostics;
  if (root.kind !== "map") {
    return [...parsed.diagnostics, diagnostic("error", file, "cfn-not-a-template",
      "not a CloudFormation template: expected a mapping of sections (Parameters, Resources, Outputs, ...)", root)];
  }
  const section = (name: string) => entryOf(root, name);
  const keys = (name: string) => new Set(mapEntries(section(name)?.value).map((e) => e.key));
  const lint: Lint = {
    file, text, parsed, out: [...parsed.diagnostics],
    parameters: keys("Parameters"),
    resources: new Set(mapEntries(section("Resources")?.value).filter((e) => !isForEach(e.key)).map((e) => e.key)),
    conditions: keys("Conditions"),
    mappings: keys("Mappings"),
  };
  const transform = transformsOf(section("Transform")?.value, text);
  if (transform) lint.transform = transform;

  for (const entry of root.entries) {
    // A Transform may bring sections of its own (SAM's Globals).
    if (!SECTIONS.includes(entry.key) && !lint.transform) {
      report(lint, "cfn-unknown-section", `unknown top-level section "${entry.key}"${didYouMean(entry.key, SECTIONS)}`, entry.keyAt);
    }
  }
  checkResources(lint, section("Resources"));
  for (const parameter of mapEntries(section("Parameters")?.value)) {
    if (stringOf(entryOf(parameter.value, "Type")?.value) === undefined) {
      report(lint, "cfn-parameter-type", `parameter "${parameter.key}" has no Type (String, Number, List<Number>, AWS::EC2::VPC::Id, ...)`, parameter.keyAt);
    }
  }
  for (const condition of mapEntries(section("Conditions")?.value)) walk(lint, condition.value, { ...TOP, conditions: true });
  for (const rule of mapEntries(section("Rules")?.value)) walk(lint, rule.value, TOP);
  for (const output of mapEntries(section("Outputs")?.value)) {
    if (isForEach(output.key)) walkForEach(lint, output.value, TOP);
    else checkOutput(lint, output);
  }
  return sortDiagnostics(lint.out);
}

/**
 * Logical ID → Type of every resource, or undefined when the text has no
 * readable Resources section. A resource without a string Type maps to "".
 * For spotting destructive changes: an ID that disappears is deleted, a changed
 * Type is a replacement.
 */
export function resourceTypes(text: string): Map<string, string> | undefined {
  const { root } = parseTemplate("", text);
  const resources = entryOf(root, "Resources")?.value;
  if (resources?.kind !== "map") return undefined;
  return new Map(resources.entries
    .filter((e) => !isForEach(e.key))
    .map((e) => [e.key, stringOf(entryOf(e.value, "Type")?.value) ?? ""]));
}

function checkResources(lint: Lint, section: CfnEntry | undefined): void {
  if (!section) {
    report(lint, "cfn-no-resources", "no Resources section: a CloudFormation template must declare at least one resource", { line: 1, column: 1 });
    return;
  }
  if (section.value.kind !== "map" || section.value.entries.length === 0) {
    report(lint, "cfn-no-resources", "Resources must be a mapping with at least one resource", section.keyAt);
    return;
  }
  for (const resource of section.value.entries) {
    if (isForEach(resource.key)) {
      walkForEach(lint, resource.value, TOP);
      continue;
    }
    const body = resource.value;
    if (body.kind !== "map") {
      report(lint, "cfn-resource-invalid", `resource "${resource.key}" must be a mapping with a Type`, resource.keyAt);
      continue;
    }
    checkResourceType(lint, resource);
    const attributes = isCustomResource(stringOf(entryOf(body, "Type")?.value)) ? CUSTOM_RESOURCE_ATTRIBUTES : RESOURCE_ATTRIBUTES;
    for (const { key, keyAt, value } of body.entries) {
      if (key === "Condition") checkConditionName(lint, value, `Condition ${stringOf(value) ?? ""}`.trim());
      else if (key === "DependsOn") checkDependsOn(lint, value);
      else if (key !== "Type") walk(lint, value, TOP);
      if (!attributes.includes(key) && !lint.transform) {
        report(lint, "cfn-resource-attribute", `resource "${resource.key}": unknown attribute "${key}"${didYouMean(key, attributes)}; resource settings go under Properties`, keyAt);
      }
    }
  }
}

function checkResourceType(lint: Lint, resource: CfnEntry): void {
  const typeEntry = entryOf(resource.value, "Type");
  const type = stringOf(typeEntry?.value);
  if (!typeEntry) report(lint, "cfn-resource-type", `resource "${resource.key}" has no Type`, resource.keyAt);
  else if (type === undefined || type === "") {
    report(lint, "cfn-resource-type", `resource "${resource.key}": Type must be a resource type name such as AWS::S3::Bucket`, typeEntry.value);
  } else if (!RESOURCE_TYPE.test(type)) {
    report(lint, "cfn-resource-type", `resource "${resource.key}": "${type}" does not look like a resource type (Service::Area::Thing, e.g. AWS::S3::Bucket, or Custom::Name)`, typeEntry.value, "warning");
  }
}

function checkOutput(lint: Lint, output: CfnEntry): void {
  if (output.value.kind !== "map") {
    report(lint, "cfn-output-invalid", `output "${output.key}" must be a mapping with a Value`, output.keyAt);
    return;
  }
  const value = entryOf(output.value, "Value");
  if (!value || (value.value.kind === "scalar" && (value.value.value === null || value.value.value === ""))) {
    report(lint, "cfn-output-invalid", `output "${output.key}" has no Value`, value?.keyAt ?? output.keyAt);
  }
  for (const { key, value: node } of output.value.entries) {
    if (key === "Condition") checkConditionName(lint, node, `Condition ${stringOf(node) ?? ""}`.trim());
    else walk(lint, node, TOP);
  }
}

function transformsOf(node: CfnNode | undefined, text: string): string | undefined {
  const names = node?.kind === "seq" ? node.items.map(stringOf) : [stringOf(node) ?? stringOf(entryOf(node, "Name")?.value)];
  const declared = names.filter((n): n is string => n !== undefined);
  if (declared.length > 0) return declared.join(", ");
  // Fn::Transform (AWS::Include, macros) anywhere may add resources too.
  return /Fn::Transform|!Transform\b/.test(text) ? "Fn::Transform" : undefined;
}
