// An AWS account as AWS Proton left it, on moto_server: stacks created from rendered
// templates, named and tagged the way Proton names and tags them (the facts and their
// sources are in src/inventory/proton-stacks.ts). Started on a free port, stopped after.
//
// moto lacks a few things CloudFormation does, which the example templates need; the
// server runs with small patches that add them, each a behaviour of CloudFormation:
// - outputs resolved after ExecuteChangeSet (as test/provisioners/cloudformation-moto.ts);
// - a short-form function over a mapping (`!GetAZs {Ref: 'AWS::Region'}`), which moto
//   reads as raw YAML nodes, and a reference inside Fn::GetAZs, which moto never resolves;
// - generated ECR repository names in lower case, without repeated separators, as ECR
//   requires and CloudFormation does.
import {
  CloudFormationClient, CreateStackCommand, DescribeStackResourcesCommand, DescribeStacksCommand, waitUntilStackCreateComplete,
} from "@aws-sdk/client-cloudformation";
import { startMoto } from "../provisioners/cloudformation-moto.js";

const SERVER = `
import re
import sys
import yaml
from moto.cloudformation import models, parsing, responses
from moto.cloudformation.models import CloudFormationBackend
from moto.server import main

execute = CloudFormationBackend.execute_change_set
def execute_and_resolve_outputs(self, change_set_name, stack_name=None):
    execute(self, change_set_name, stack_name)
    stack = self.stacks[self.describe_change_set(change_set_name).stack_id]
    stack._parse_template()
    stack.output_map = stack._create_output_map()
CloudFormationBackend.execute_change_set = execute_and_resolve_outputs

tag = models.yaml_tag_constructor
def tag_over_mapping(loader, name, node):
    if isinstance(node, yaml.MappingNode):
        return {"Ref" if name == "!Ref" else "Fn::" + name[1:]: loader.construct_mapping(node, deep=True)}
    return tag(loader, name, node)
models.yaml_tag_constructor = responses.yaml_tag_constructor = tag_over_mapping

clean = parsing.clean_json
def clean_get_azs(resource_json, resources_map):
    if isinstance(resource_json, dict) and isinstance(resource_json.get("Fn::GetAZs"), dict):
        resource_json = {"Fn::GetAZs": clean(resource_json["Fn::GetAZs"], resources_map)}
    return clean(resource_json, resources_map)
parsing.clean_json = clean_get_azs

generate = parsing.generate_resource_name
def lower_case_ecr(resource_type, stack_name, logical_id):
    name = generate(resource_type, stack_name, logical_id)
    return re.sub(r"[-_.]{2,}", "-", name.lower()) if resource_type == "AWS::ECR::Repository" else name
parsing.generate_resource_name = lower_case_ecr

main(sys.argv[1:])
`;

export const ACCOUNT = "123456789012";
export const REGION = "us-east-1";
export const CREDENTIALS = { AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing" };
const protonArn = (resource: string) => `arn:aws:proton:${REGION}:${ACCOUNT}:${resource}`;

export interface ProtonAccount {
  endpoint: string;
  client: CloudFormationClient;
  /** Creates a stack as Proton did (CreateStack with its aws:proton: tags), and answers its outputs. */
  createStack(name: string, template: string, tags: Record<string, string>): Promise<Record<string, string>>;
  /** Every stack's name → its resources as "logical type physical-id", the way a person would compare them. */
  resources(): Promise<Record<string, string[]>>;
  stop(): Promise<void>;
}

/** The aws:proton: tags Proton puts on the stack of each kind of resource. */
export const protonTags = {
  environment: (environment: string, template: string) => ({
    "aws:proton:environment": protonArn(`environment/${environment}`), "aws:proton:template": protonArn(`environment-template/${template}`),
  }),
  instance: (service: string, instance: string, environment: string, template: string) => ({
    "aws:proton:service": protonArn(`service/${service}`), "aws:proton:service-instance": protonArn(`service/${service}/service-instance/${instance}`),
    "aws:proton:environment": protonArn(`environment/${environment}`), "aws:proton:template": protonArn(`service-template/${template}`),
  }),
  pipeline: (service: string, template: string) => ({
    "aws:proton:service": protonArn(`service/${service}`), "aws:proton:template": protonArn(`service-template/${template}`),
  }),
};

export async function startProtonAccount(): Promise<ProtonAccount> {
  const { endpoint, stop } = await startMoto(SERVER);
  const client = new CloudFormationClient({ region: REGION, endpoint, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } });
  return {
    endpoint,
    client,
    async createStack(name, template, tags) {
      await client.send(new CreateStackCommand({
        StackName: name, TemplateBody: template, Capabilities: ["CAPABILITY_IAM"], Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
      }));
      await waitUntilStackCreateComplete({ client, maxWaitTime: 30, minDelay: 0.05, maxDelay: 0.2 }, { StackName: name });
      const stack = (await client.send(new DescribeStacksCommand({ StackName: name }))).Stacks![0]!;
      if (stack.StackStatus !== "CREATE_COMPLETE") throw new Error(`stack ${name} is ${stack.StackStatus}: ${stack.StackStatusReason}`);
      return Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));
    },
    async resources() {
      const stacks = (await client.send(new DescribeStacksCommand({}))).Stacks ?? [];
      const all: Record<string, string[]> = {};
      for (const { StackName } of stacks) {
        const { StackResources = [] } = await client.send(new DescribeStackResourcesCommand({ StackName: StackName! }));
        all[StackName!] = StackResources.map((r) => `${r.LogicalResourceId} ${r.ResourceType} ${r.PhysicalResourceId}`).sort();
      }
      return all;
    },
    stop,
  };
}
