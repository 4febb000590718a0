// Reference checks of a CloudFormation template: every Ref, GetAtt, Sub
// variable, DependsOn and condition name must name something the template (or
// CloudFormation) declares. Used by lint-cloudformation.ts.
import { intrinsicOf, stringOf, type CfnEntry, type CfnNode, type Intrinsic, type ParsedTemplate, type Where } from "./cfn-template.js";
import { diagnostic, type Diagnostic } from "../diagnostics.js";
import { didYouMean } from "../check/suggest-name.js";

export const PSEUDO_PARAMETERS: ReadonlySet<string> = new Set([
  "AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition",
  "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix",
]);

// Reference checks a Transform (SAM, AWS::Include, macros) can make wrong: they declare resources of their own.
const REFERENCE_CODES = new Set(["cfn-ref-unknown", "cfn-getatt-unknown", "cfn-sub-unknown", "cfn-depends-on-unknown"]);

export interface Lint {
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

export interface Context {
  /** Inside the Conditions section, where `{Condition: X}` is a function and resources cannot be referred to. */
  conditions: boolean;
  /** Names a Fn::ForEach loop declares for its body. */
  locals: ReadonlySet<string>;
}

export const TOP: Context = { conditions: false, locals: new Set() };

export function walk(lint: Lint, node: CfnNode, context: Context): void {
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
export function walkForEach(lint: Lint, node: CfnNode, context: Context): void {
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
  if (!template || text === undefined) {
    for (const node of [template, variables]) if (node) walk(lint, node, context);
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
  }  if (variables) walk(lint, variables, context);
}

export function checkDependsOn(lint: Lint, node: CfnNode): void {
  const names = node.kind === "seq" ? node.items : [node];
  for (const item of names) {
    const name = stringOf(item);
    if (name === undefined || lint.resources.has(name)) continue;
    report(lint, "cfn-depends-on-unknown", `DependsOn ${name}: no resource named "${name}"${hint(lint, name, lint.resources)}`, item);
  }
}

export function checkConditionName(lint: Lint, node: CfnNode, label: string): void {
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

export function report(lint: Lint, code: string, message: string, at: { line: number; column: number }, severity: "error" | "warning" = "error"): void {
  const unsure = lint.transform !== undefined && REFERENCE_CODES.has(code);
  const text = unsure ? `${message} (unless the template's Transform, ${lint.transform}, declares it)` : message;
  lint.out.push(diagnostic(unsure ? "warning" : severity, lint.file, code, text, { line: at.line, column: at.column }));
}

/** Where `needle` stands inside a scalar's source (a multi-line !Sub), or the scalar itself. */
function positionInside(lint: Lint, node: Where, needle: string): { line: number; column: number } {
  const offset = lint.text.slice(node.start, node.end).indexOf(needle);
  return offset < 0 ? node : lint.parsed.position(node.start + offset);
}

export function mapEntries(node: CfnNode | undefined): CfnEntry[] {
  return node?.kind === "map" ? node.entries : [];
}

export function isForEach(key: string): boolean {
  return key.startsWith("Fn::ForEach::");
}
