// Lint of a rendered CloudFormation template: the mistakes CloudFormation would
// only reject at deploy time (a misspelled !Ref, a Sub variable nobody declares,
// a resource without a Type), found in review, at the rendered line.
import {
  entryOf, intrinsicOf, parseTemplate, stringOf,
  type CfnEntry, type CfnNode, type Intrinsic, type ParsedTemplate, type Where,
} from "./cfn-template.js";
import { diagnostic, type Diagnostic } from "./diagnostics.js";
import { didYouMean } from "./suggest-name.js";

export const PSEUDO_PARAMETERS: ReadonlySet<string> = new Set([
  "AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition",
  "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix",
]);

const SECTIONS = [
  "AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Rules", "Mappings",
  "Conditions", "Transform", "Resources", "Outputs", "Hooks",
];
const RESOURCE_ATTRIBUTES = [
  "Type", "Properties", "DependsOn", "Condition", "Metadata", "DeletionPolicy",
  "UpdateReplacePolicy", "UpdatePolicy", "CreationPolicy",
];
// AWS::S3::Bucket, Alexa::ASK::Skill, MyOrg::Svc::Thing::MODULE, Custom::Anything.
const RESOURCE_TYPE = /^(?:Custom::[\w@-]+|[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+(?:::MODULE)?)$/;
// Reference checks a Transform (SAM, AWS::Include, macros) can make wrong: they declare resources of their own.
const REFERENCE_CODES = new Set(["cfn-ref-unknown", "cfn-getatt-unknown", "cfn-sub-unknown", "cfn-depends-on-unknown"]);

interface Lint {
  file: string;
  text: string;
  parsed: ParsedTemplate;
  parameters: Set<string>;
  resources: Set<string>;
  conditions: Set<string>;
  mappings: Set<string>;
  /** The template's transforms, when it has any. */
  transform?: string;
  out: Diagnostic[];
}

interface Context {
  /** Inside the Conditions section, where `{Condition: X}` is a function and resources cannot be referred to. */
  conditions: boolean;
  /** Names a Fn::ForEach loop declares for its body. */
  locals: ReadonlySet<string>;
}

const TOP: Context = { conditions: false, locals: new Set() };

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
    if (!SECTIONS.includes(entry.key)) {
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
  return lint.out;
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
    for (const { key, keyAt, value } of body.entries) {
      if (key === "Condition") checkConditionName(lint, value, `Condition ${stringOf(value) ?? ""}`.trim());
      else if (key === "DependsOn") checkDependsOn(lint, value);
      else if (key !== "Type") walk(lint, value, TOP);
      if (!RESOURCE_ATTRIBUTES.includes(key) && !lint.transform) {
        report(lint, "cfn-resource-attribute", `resource "${resource.key}": unknown attribute "${key}"${didYouMean(key, RESOURCE_ATTRIBUTES)}; resource settings go under Properties`, keyAt);
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

function walk(lint: Lint, node: CfnNode, context: Context): void {
  const call = intrinsicOf(node, context.conditions);
  if (call) {
    checkIntrinsic(lint, call, context);
    return;
  }
  if (node.kind === "seq") for (const item of node.items) walk(lint, item, context);
  if (node.kind === "map") {
    for (const entry of node.entries) {
      if (isForEach(entry.key)) walkForEach(lint, entry.value, context);
      else walk(lint, entry.value, context);
    }
  }
}

// Fn::ForEach::Name: [Identifier, Collection, Body]: the identifier is a name inside the body.
function walkForEach(lint: Lint, node: CfnNode, context: Context): void {
  const [identifier, collection, body] = node.kind === "seq" ? node.items : [];
  const name = stringOf(identifier);
  if (!name || !collection || !body) return walk(lint, node, context);
  walk(lint, collection, context);
  walk(lint, body, { ...context, locals: new Set([...context.locals, name]) });
}

function checkIntrinsic(lint: Lint, call: Intrinsic, context: Context): void {
  const label = call.short ? `!${call.fn.replace(/^Fn::/, "")}` : call.fn;
  const { arg } = call;
  switch (call.fn) {
    case "Ref":
      return checkRef(lint, arg, label, context);
    case "Condition":
      return checkConditionName(lint, arg, `${label} ${stringOf(arg) ?? ""}`.trim());
    case "Fn::GetAtt":
      return checkGetAtt(lint, arg, label, context);
    case "Fn::Sub":
      return checkSub(lint, arg, label, context);
    case "Fn::If": {
      const [condition, ...branches] = arg.kind === "seq" ? arg.items : [];
      if (condition) checkConditionName(lint, condition, `${label} ${stringOf(condition) ?? "[...]"}`);
      for (const branch of branches) walk(lint, branch, context);
      return;
    }
    case "Fn::FindInMap": {
      const [mapping, ...keys] = arg.kind === "seq" ? arg.items : [];
      const name = stringOf(mapping);
      if (mapping && name !== undefined && !lint.mappings.has(name)) {
        report(lint, "cfn-mapping-unknown", `${label} ${name}: no mapping named "${name}" in Mappings${didYouMean(name, lint.mappings)}`, mapping);
      }
      for (const key of keys) walk(lint, key, context);
      return;
    }
    default:
      return walk(lint, arg, context);
  }
}

function checkRef(lint: Lint, arg: CfnNode, label: string, context: Context): void {
  const name = stringOf(arg);
  if (name === undefined || name === "") {
    if (arg.kind === "scalar") report(lint, "cfn-ref-unknown", `${label} with no name: it takes the name of a parameter or resource`, arg);
    else walk(lint, arg, context);
    return;
  }
  if (context.locals.has(name) || PSEUDO_PARAMETERS.has(name) || lint.parameters.has(name)) return;
  if (lint.resources.has(name)) {
    if (context.conditions) report(lint, "cfn-ref-unknown", `${label} ${name}: conditions can only refer to parameters, and "${name}" is a resource`, arg);
    return;
  }
  const known = context.conditions ? lint.parameters : [...lint.parameters, ...lint.resources, ...PSEUDO_PARAMETERS];
  report(lint, "cfn-ref-unknown", `${label} ${name}: no parameter or resource named "${name}"${hint(lint, name, known)}`, arg);
}

function checkGetAtt(lint: Lint, arg: CfnNode, label: string, context: Context): void {
  let target: CfnNode | undefined = arg;
  let name = stringOf(arg);
  let shown = name;
  if (arg.kind === "seq") {
    target = arg.items[0];
    name = stringOf(target);
    const attribute = stringOf(arg.items[1]);
    shown = `${name ?? "..."}.${attribute ?? "..."}`;
    for (const item of arg.items.slice(1)) walk(lint, item, context);
  } else if (name !== undefined) {
    if (!name.includes(".")) {
      report(lint, "cfn-getatt-unknown", `${label} ${name}: expected LogicalId.AttributeName`, arg);
      return;
    }
    name = name.slice(0, name.indexOf("."));
  }
  if (!target || name === undefined) return walk(lint, arg, context);
  if (lint.resources.has(name) || context.locals.has(name)) return;
  report(lint, "cfn-getatt-unknown", `${label} ${shown}: no resource named "${name}"${hint(lint, name, lint.resources)}`, target);
}

function checkSub(lint: Lint, arg: CfnNode, label: string, context: Context): void {
  const [template, variables] = arg.kind === "seq" ? arg.items : [arg];
  const text = stringOf(template);
  const declared = new Set(mapEntries(variables).map((e) => e.key));
  if (variables) walk(lint, variables, context);
  if (!template || text === undefined) {
    if (template) walk(lint, template, context);
    return;
  }
  for (const match of text.matchAll(/\$\{([^}]*)\}/g)) {
    const name = match[1]!.trim();
    if (name === "" || name.startsWith("!")) continue; // ${!Literal} is written out as ${Literal}
    if (declared.has(name) || context.locals.has(name) || PSEUDO_PARAMETERS.has(name)) continue;
    const at = positionInside(lint, template, match[0]);
    if (name.includes(".")) {
      const resource = name.slice(0, name.indexOf("."));
      if (lint.resources.has(resource) || context.locals.has(resource)) continue;
      report(lint, "cfn-sub-unknown", `${label} \${${name}}: no resource named "${resource}"${hint(lint, resource, lint.resources)}`, at);
    } else if (!lint.parameters.has(name) && !lint.resources.has(name)) {
      const known = [...lint.parameters, ...lint.resources, ...PSEUDO_PARAMETERS, ...declared];
      const what = declared.size > 0 ? "parameter, resource or Sub variable" : "parameter or resource";
      report(lint, "cfn-sub-unknown", `${label} \${${name}}: no ${what} named "${name}"${hint(lint, name, known)}; write \${!${name}} for a literal \${${name}}`, at);
    }
  }
}

function checkDependsOn(lint: Lint, node: CfnNode): void {
  const names = node.kind === "seq" ? node.items : [node];
  for (const item of names) {
    const name = stringOf(item);
    if (name === undefined || lint.resources.has(name)) continue;
    report(lint, "cfn-depends-on-unknown", `DependsOn ${name}: no resource named "${name}"${hint(lint, name, lint.resources)}`, item);
  }
}

function checkConditionName(lint: Lint, node: CfnNode, label: string): void {
  const name = stringOf(node);
  if (name === undefined || lint.conditions.has(name)) return;
  report(lint, "cfn-condition-unknown", `${label}: no condition named "${name}" in Conditions${hint(lint, name, lint.conditions)}`, node);
}

/** Says what a name is when it exists as something else, or suggests a near miss. */
function hint(lint: Lint, name: string, known: Iterable<string>): string {
  const kind = lint.parameters.has(name) ? "a parameter" : lint.resources.has(name) ? "a resource"
    : lint.conditions.has(name) ? "a condition" : lint.mappings.has(name) ? "a mapping" : undefined;
  return kind ? ` ("${name}" is ${kind})` : didYouMean(name, known);
}

function report(lint: Lint, code: string, message: string, at: { line: number; column: number }, severity: "error" | "warning" = "error"): void {
  const unsure = lint.transform !== undefined && REFERENCE_CODES.has(code);
  const text = unsure ? `${message} (unless the template's Transform, ${lint.transform}, declares it)` : message;
  lint.out.push(diagnostic(unsure ? "warning" : severity, lint.file, code, text, { line: at.line, column: at.column }));
}

/** Where `needle` stands inside a scalar's source (a multi-line !Sub), or the scalar itself. */
function positionInside(lint: Lint, node: Where, needle: string): { line: number; column: number } {
  const offset = lint.text.slice(node.start, node.end).indexOf(needle);
  return offset < 0 ? node : lint.parsed.position(node.start + offset);
}

function mapEntries(node: CfnNode | undefined): CfnEntry[] {
  return node?.kind === "map" ? node.entries : [];
}

function isForEach(key: string): boolean {
  return key.startsWith("Fn::ForEach::");
}

function transformsOf(node: CfnNode | undefined, text: string): string | undefined {
  const names = node?.kind === "seq" ? node.items.map(stringOf) : [stringOf(node) ?? stringOf(entryOf(node, "Name")?.value)];
  const declared = names.filter((n): n is string => n !== undefined);
  if (declared.length > 0) return declared.join(", ");
  // Fn::Transform (AWS::Include, macros) anywhere may add resources too.
  return /Fn::Transform|!Transform\b/.test(text) ? "Fn::Transform" : undefined;
}
