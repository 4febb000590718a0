// Changes to one template, as repository files before and after: every case of
// test/bundle/classify.test.ts, plus what review and publish must both refuse.
import { CFN_MANIFEST, ENV_SCHEMA } from "../../support/snapshot.js";

export interface Shape {
  properties?: string;
  required?: string[];
  pipeline?: boolean;
  envs?: string[];
  iac?: string;
  /** More keywords on the input type itself, as YAML lines. */
  typeKeywords?: string[];
  /** Appended to schema.yaml as is (a comment changes no input). */
  schemaTail?: string;
}

export type Files = Record<string, string>;

const QUEUE = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n";

/** One instance with no inputs: it renders wherever every input has a default. */
const SERVICE_SPEC = "proton: ServiceSpec\ninstances:\n  - name: one\n    environment: env\n    spec: {}\n";

/** A service template "svc" whose SvcInput has the given YAML properties, with one example spec. */
export function serviceFiles({ properties = "port: {type: number, default: 80}", required, pipeline = false, envs = ["env:1"], iac = QUEUE, typeKeywords = [], schemaTail = "" }: Shape = {}, major = 1): Files {
  const dir = `svc/v${major}`;
  const props = properties.split("\n").map((l) => `        ${l}`).join("\n");
  const schema = [
    "schema:", "  format:", '    openapi: "3.0.0"', '  service_input_type: "SvcInput"',
    ...(pipeline ? ['  pipeline_input_type: "PipeInput"'] : []),
    "  types:", "    SvcInput:", "      type: object", ...typeKeywords.map((k) => `      ${k}`), "      properties:", props,
    ...(required ? [`      required: [${required.join(", ")}]`] : []),
    ...(pipeline ? ["    PipeInput:", "      type: object", "      properties: {}"] : []),
  ].join("\n") + "\n" + schemaTail;
  return {
    "svc/spec/spec.yaml": SERVICE_SPEC,
    [`${dir}/schema/schema.yaml`]: schema,
    [`${dir}/instance_infrastructure/manifest.yaml`]: CFN_MANIFEST,
    [`${dir}/instance_infrastructure/cloudformation.yaml`]: iac,
    [`${dir}/.template-registration.yaml`]: `compatible_environments:\n${envs.map((e) => `  - ${e}`).join("\n")}\n`,
    ...(pipeline ? { [`${dir}/pipeline_infrastructure/manifest.yaml`]: CFN_MANIFEST, [`${dir}/pipeline_infrastructure/cloudformation.yaml`]: QUEUE } : {}),
  };
}

const TF_MANIFEST = 'infrastructure:\n  templates:\n    - file: "*"\n      rendering_engine: hcl\n      template_language: terraform\n';
const MAIN_TF = 'resource "aws_vpc" "main" {\n  cidr_block = var.environment.inputs.vpc_cidr\n}\n';

/** An environment template "net" in Terraform, with one example spec. */
export function terraformFiles(mainTf = MAIN_TF): Files {
  return {
    "net/spec/spec.yaml": "proton: EnvironmentSpec\nspec:\n  count: 2\n",
    "net/v1/schema/schema.yaml": ENV_SCHEMA,
    "net/v1/infrastructure/manifest.yaml": TF_MANIFEST,
    "net/v1/infrastructure/main.tf": mainTf,
  };
}

export interface ChangeCase {
  name: string;
  base: Files;
  head: Files;
  /** The template and major the change is about. */
  template: string;
  major: number;
  /** What review says the change is. */
  change: "major" | "minor" | "none";
  /** Whether the head bundle has errors (nothing is published). */
  fails: boolean;
}

const shapeCase = (name: string, base: Shape, head: Shape, change: "major" | "minor", fails = change === "major"): ChangeCase =>
  ({ name, base: serviceFiles(base), head: serviceFiles(head), template: "svc", major: 1, change, fails });

/** The rules of test/bundle/classify.test.ts, as changes to the svc template. */
const RULES: ChangeCase[] = [
  shapeCase("removed input", { properties: "port: {type: number}\nsize: {type: string}" }, { properties: "port: {type: number}" }, "major"),
  shapeCase("added optional input", {}, { properties: "port: {type: number, default: 80}\nsize: {type: string}" }, "minor"),
  shapeCase("added required input without default", {}, { properties: "port: {type: number, default: 80}\nsize: {type: string}", required: ["size"] }, "major"),
  shapeCase("added required input with a default", {}, { properties: "port: {type: number, default: 80}\nsize: {type: string, default: s}", required: ["size"] }, "minor"),
  shapeCase("type changed", {}, { properties: "port: {type: string, default: '80'}" }, "major"),
  shapeCase("enum narrowed", { properties: "size: {type: string, enum: [s, m, l]}" }, { properties: "size: {type: string, enum: [s, m]}" }, "major"),
  shapeCase("enum widened", { properties: "size: {type: string, enum: [s, m]}" }, { properties: "size: {type: string, enum: [s, m, l]}" }, "minor"),
  shapeCase("enum added", { properties: "size: {type: string}" }, { properties: "size: {type: string, enum: [s]}" }, "major"),
  shapeCase("minimum raised", { properties: "port: {type: number, minimum: 0}" }, { properties: "port: {type: number, minimum: 1}" }, "major"),
  shapeCase("minimum lowered", { properties: "port: {type: number, minimum: 1}" }, { properties: "port: {type: number, minimum: 0}" }, "minor"),
  shapeCase("maximum lowered", { properties: "port: {type: number, maximum: 100}" }, { properties: "port: {type: number, maximum: 10}" }, "major"),
  shapeCase("maximum raised", { properties: "port: {type: number, maximum: 10}" }, { properties: "port: {type: number, maximum: 100}" }, "minor"),
  shapeCase("maximum added", { properties: "port: {type: number}" }, { properties: "port: {type: number, maximum: 100}" }, "major"),
  shapeCase("maximum removed", { properties: "port: {type: number, maximum: 100}" }, { properties: "port: {type: number}" }, "minor"),
  shapeCase("minLength raised", { properties: "name: {type: string, minLength: 1}" }, { properties: "name: {type: string, minLength: 3}" }, "major"),
  shapeCase("maxLength lowered", { properties: "name: {type: string, maxLength: 30}" }, { properties: "name: {type: string, maxLength: 20}" }, "major"),
  shapeCase("maxLength raised", { properties: "name: {type: string, maxLength: 20}" }, { properties: "name: {type: string, maxLength: 30}" }, "minor"),
  shapeCase("pattern added", { properties: "name: {type: string}" }, { properties: "name: {type: string, pattern: '^[a-z]+$'}" }, "major"),
  shapeCase("pattern removed", { properties: "name: {type: string, pattern: '^[a-z]+$'}" }, { properties: "name: {type: string}" }, "minor"),
  shapeCase("default removed from a required input", { properties: "port: {type: number, default: 80}", required: ["port"] }, { properties: "port: {type: number}", required: ["port"] }, "major"),
  shapeCase("default changed", {}, { properties: "port: {type: number, default: 8080}" }, "minor"),
  shapeCase("optional input became required without default", { properties: "name: {type: string}" }, { properties: "name: {type: string}", required: ["name"] }, "major"),
  shapeCase("description only", { properties: "port: {type: number, description: a}" }, { properties: "port: {type: number, description: b, title: Port}" }, "minor"),
  shapeCase("array item type changed", { properties: "ids: {type: array, items: {type: string}}" }, { properties: "ids: {type: array, items: {type: number}}" }, "major"),
  shapeCase("pipeline removed", { pipeline: true }, {}, "major"),
  shapeCase("compatible environment removed", { envs: ["env:1", "other:2"] }, { envs: ["env:1"] }, "major"),
  shapeCase("compatible environment added", {}, { envs: ["env:1", "other:2"] }, "minor"),
  shapeCase("multipleOf added", { properties: "port: {type: number}" }, { properties: "port: {type: number, multipleOf: 10}" }, "major"),
  shapeCase("uniqueItems removed", { properties: "ids: {type: array, items: {type: string}, uniqueItems: true}" }, { properties: "ids: {type: array, items: {type: string}}" }, "minor"),
  shapeCase("nullable dropped", { properties: "name: {type: string, nullable: true}" }, { properties: "name: {type: string}" }, "major"),
  shapeCase("nullable added", { properties: "name: {type: string}" }, { properties: "name: {type: string, nullable: true}" }, "minor"),
  shapeCase("IaC-only change", {}, { iac: "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n" }, "minor"),
  shapeCase("additionalProperties: false on the input type", {}, { typeKeywords: ["additionalProperties: false"] }, "major"),
  shapeCase("a schema edit that changes no input", {}, { schemaTail: "# reviewed\n" }, "minor"),
];

const CFN = "svc/v1/instance_infrastructure/cloudformation.yaml";

export const CHANGES: ChangeCase[] = [
  ...RULES,
  { name: "a new major folder", base: serviceFiles(), head: { ...serviceFiles(), ...withoutSpec(serviceFiles({}, 2)) }, template: "svc", major: 2, change: "major", fails: false },
  {
    name: "a render failure of the example spec", base: serviceFiles(), template: "svc", major: 1, change: "minor", fails: true,
    head: { ...serviceFiles(), [CFN]: "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: b-{{ service_instance.inputs.port | no_such_filter }}\n" },
  },
  {
    name: "a CloudFormation reference to nothing", base: serviceFiles(), template: "svc", major: 1, change: "minor", fails: true,
    head: { ...serviceFiles(), [CFN]: "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n  Policy:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      Bucket: !Ref Buckt\n      PolicyDocument: {}\n" },
  },
  {
    name: "a Terraform syntax error", base: terraformFiles(), template: "net", major: 1, change: "minor", fails: true,
    head: terraformFiles('resource "aws_vpc" "main" {\n  cidr_block = var.environment.inputs.vpc_cidr\n'),
  },
];

function withoutSpec(files: Files): Files {
  return Object.fromEntries(Object.entries(files).filter(([p]) => !p.startsWith("svc/spec/")));
}
