import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/bundle/diagnostics.js";
import { lintCloudFormation, resourceTypes } from "../../src/bundle/lint/cloudformation.js";
import { MAX_YAML_DEPTH } from "../../src/bundle/parse/yaml.js";

const fixture = (name: string) => readFileSync(new URL(`fixtures/lint/${name}`, import.meta.url), "utf8");
const lint = (text: string) => lintCloudFormation(text, "dev/infrastructure/cloudformation.yaml");
const where = (diagnostics: Diagnostic[]) => diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.code}: ${d.message}`);

describe("lintCloudFormation: syntax", () => {
  it("reports invalid YAML at its line, and nothing else", () => {
    const text = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n   Properties: {}\n";
    expect(lint(text)).toEqual([expect.objectContaining({
      file: "dev/infrastructure/cloudformation.yaml", line: 4, severity: "error", code: "cfn-syntax", message: expect.stringMatching(/^invalid YAML: /),
    })]);
  });

  it("reports invalid JSON at its line", () => {
    const text = '{\n  "Resources": {\n    "Topic": {"Type": "AWS::SNS::Topic",}\n  }\n}\n';
    expect(where(lint(text))).toEqual(['3:41 error cfn-syntax: invalid JSON: expected a string, found "}"']);
  });

  it("reports a logical id given twice, by name", () => {
    const text = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n  \"Topic\":\n    Type: AWS::SQS::Queue\n";
    expect(where(lint(text))).toEqual([
      '4:3 error cfn-duplicate-key: "Topic" appears twice in the same mapping: a logical id (resource, parameter, output, condition) or a property can be declared only once',
    ]);
  });

  // Past a few hundred levels the YAML parser's own stack gives out; both ways end in one clear error.
  it.each([
    ["a flow mapping", 10_000, (n: number) => `${"{a: ".repeat(n)}1${"}".repeat(n)}`],
    ["a flow list", 10_000, (n: number) => `${"[".repeat(n)}1${"]".repeat(n)}`],
    ["a block mapping", 2_000, (n: number) => Array.from({ length: n }, (_, i) => `\n${"  ".repeat(i + 2)}a:`).join("") + " 1"],
  ])("refuses %s nested past the limit (just past it, and %i deep)", (_, deepest, nest) => {
    for (const depth of [MAX_YAML_DEPTH + 1, deepest]) {
      const text = `Resources:\n  Topic:\n    Type: AWS::SNS::Topic\nMetadata:\n  Deep: ${nest(depth)}\n`;
      expect(lint(text)).toEqual([expect.objectContaining({
        severity: "error", code: "cfn-too-deep", message: expect.stringMatching(new RegExp(`^mappings and lists nested deeper than ${MAX_YAML_DEPTH} levels`)),
      })]);
    }
    expect(lint(`Resources:\n  Topic:\n    Type: AWS::SNS::Topic\nMetadata:\n  Deep: ${nest(MAX_YAML_DEPTH - 2)}\n`)).toEqual([]);
  });

  it("reports a tag CloudFormation does not know", () => {
    const text = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Reference Name\n";
    expect(lint(text)).toEqual([expect.objectContaining({
      line: 5, code: "cfn-unknown-tag", message: expect.stringMatching(/^unknown tag !Reference: CloudFormation's short forms are !Ref, !Condition, /),
    })]);
  });

  it("does not expand aliases, so an alias bomb costs nothing", () => {
    const levels = Array.from({ length: 30 }, (_, i) => `  l${i + 1}: &l${i + 1} [*l${i}, *l${i}, *l${i}, *l${i}]`);
    const text = `Metadata:\n  l0: &l0 [x]\n${levels.join("\n")}\nResources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties: {Tags: *l30}\n`;
    expect(lint(text)).toEqual([]);
  });
});

describe("lintCloudFormation: structure", () => {
  it("requires a Resources section with at least one resource", () => {
    expect(where(lint("Description: nothing here\n"))).toEqual([
      "1:1 error cfn-no-resources: no Resources section: a CloudFormation template must declare at least one resource",
    ]);
    expect(where(lint("Description: x\nResources: {}\n"))).toEqual(["2:1 error cfn-no-resources: Resources must be a mapping with at least one resource"]);
    expect(where(lint("- just\n- a list\n"))).toEqual([
      "1:1 error cfn-not-a-template: not a CloudFormation template: expected a mapping of sections (Parameters, Resources, Outputs, ...)",
    ]);
  });

  it("requires a string Type on each resource, as a rendered empty value shows", () => {
    const text = "Resources:\n  Bucket:\n    Properties: {}\n  Queue:\n    Type:\n  Topic: AWS::SNS::Topic\n  Odd:\n    Type: AWS::SNS:Topic\n";
    expect(where(lint(text))).toEqual([
      '2:3 error cfn-resource-type: resource "Bucket" has no Type',
      '5:10 error cfn-resource-type: resource "Queue": Type must be a resource type name such as AWS::S3::Bucket',
      '6:3 error cfn-resource-invalid: resource "Topic" must be a mapping with a Type',
      '8:11 warning cfn-resource-type: resource "Odd": "AWS::SNS:Topic" does not look like a resource type (Service::Area::Thing, e.g. AWS::S3::Bucket, or Custom::Name)',
    ]);
  });

  it("names misspelled sections and resource attributes", () => {
    const text = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Propreties: {}\n    DeletionPolicy: Retain\nOutput:\n  Arn: {Value: !Ref Topic}\n";
    expect(where(lint(text))).toEqual([
      '4:5 error cfn-resource-attribute: resource "Topic": unknown attribute "Propreties" (did you mean "Properties"?); resource settings go under Properties',
      '6:1 error cfn-unknown-section: unknown top-level section "Output" (did you mean "Outputs"?)',
    ]);
  });

  it("accepts Version on a custom resource, as CloudFormation does, and nowhere else", () => {
    const text = [
      "Resources:",
      "  Seed:\n    Type: Custom::SeedTable\n    Version: \"1.0\"\n    Properties: {ServiceToken: arn}",
      "  Legacy:\n    Type: AWS::CloudFormation::CustomResource\n    Version: \"1.0\"\n    Properties: {ServiceToken: arn}",
      "  Topic:\n    Type: AWS::SNS::Topic\n    Version: \"1.0\"\n",
    ].join("\n");
    expect(where(lint(text))).toEqual([
      '12:5 error cfn-resource-attribute: resource "Topic": unknown attribute "Version"; resource settings go under Properties',
    ]);
  });

  it("requires a Type on each parameter and a Value on each output", () => {
    const text = "Parameters:\n  Stage:\n    Default: dev\nResources:\n  Topic:\n    Type: AWS::SNS::Topic\nOutputs:\n  Arn:\n    Value:\n  Name:\n    Description: no value\n";
    expect(where(lint(text))).toEqual([
      '2:3 error cfn-parameter-type: parameter "Stage" has no Type (String, Number, List<Number>, AWS::EC2::VPC::Id, ...)',
      '9:5 error cfn-output-invalid: output "Arn" has no Value',
      '10:3 error cfn-output-invalid: output "Name" has no Value',
    ]);
  });
});

describe("resourceTypes", () => {
  it("lists every resource's logical ID and Type", () => {
    const types = resourceTypes(fixture("environment.dev.yaml"))!;
    expect(types.get("VPC")).toBe("AWS::EC2::VPC");
    expect(types.get("ECSCluster")).toBe("AWS::ECS::Cluster");
    expect(types.size).toBe(12);
  });

  it("shows which resources a change deletes or replaces", () => {
    const base = resourceTypes(fixture("service-instance.frontend-dev.yaml"))!;
    const head = resourceTypes(fixture("service-instance.frontend-dev.yaml")
      .replace("  LogGroup:\n    Type: AWS::Logs::LogGroup", "  Logs:\n    Type: AWS::Logs::LogGroup")
      .replace("  LoadBalancer:\n    Type: AWS::ElasticLoadBalancingV2::LoadBalancer", "  LoadBalancer:\n    Type: AWS::ElasticLoadBalancing::LoadBalancer"))!;
    const deleted = [...base.keys()].filter((id) => !head.has(id));
    const replaced = [...base].filter(([id, type]) => head.has(id) && head.get(id) !== type).map(([id]) => id);
    expect({ deleted, replaced }).toEqual({ deleted: ["LogGroup"], replaced: ["LoadBalancer"] });
  });

  it("reads JSON templates, and gives undefined when there is no readable Resources section", () => {
    expect(resourceTypes('{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}, "T": {}}}')).toEqual(new Map([["Q", "AWS::SQS::Queue"], ["T", ""]]));
    expect(resourceTypes("Resources: [\n")).toBeUndefined();
    expect(resourceTypes("Outputs: {}\n")).toBeUndefined();
  });
});
