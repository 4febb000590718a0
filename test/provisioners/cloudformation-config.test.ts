// The cloudformation provisioner's settings, the stack names they give, and the
// rendered files it accepts: what an operator or a template author gets wrong.
import { describe, expect, it } from "vitest";
import { changeSetNameOf, parseCloudFormationConfig, stackNameOf } from "../../src/adapters/provisioners/cloudformation-config.js";
import { cloudFormationProvisioner } from "../../src/adapters/provisioners/cloudformation.js";
import { ProvisionerConfigError, type ResourceRef } from "../../src/ports/provisioner.js";
import { request, scripted } from "./cloudformation-fake.js";

const environment: ResourceRef = { kind: "environment", name: "prod" };
const instance: ResourceRef = { kind: "service_instance", name: "prod", service: "web", environment: "prod" };
const pipeline: ResourceRef = { kind: "service_pipeline", name: "web", service: "web" };

describe("cloudformation provisioner settings", () => {
  it("takes a region, capabilities and a timeout, and refuses every mistake in one error", () => {
    expect(parseCloudFormationConfig({ kind: "cloudformation", region: "eu-west-1", capabilities: ["CAPABILITY_IAM"], timeout: "30m" }))
      .toEqual({ region: "eu-west-1", capabilities: ["CAPABILITY_IAM"], timeoutMs: 30 * 60_000 });
    expect(() => parseCloudFormationConfig({ kind: "cloudformation", region: "Europe", stackName: "{team}-{name}", capabilities: ["CAPABILITY_ALL"], timeout: "soon", colour: 1 }, "aws-prod"))
      .toThrow(new ProvisionerConfigError(
        "provisioner \"aws-prod\": unknown setting \"colour\" (a cloudformation provisioner takes region, roleArn, stackName, capabilities, timeout); "
        + "region \"Europe\" is not an AWS Region (like us-east-1); stackName uses {team}; a stack name pattern may use {name}, {service}, {environment}, {kind}; "
        + "`capabilities:` must be a list of CAPABILITY_IAM, CAPABILITY_NAMED_IAM, CAPABILITY_AUTO_EXPAND; timeout \"soon\" is not a duration: write it like 90s, 30m, 1h or a number of seconds",
      ));
    expect(() => parseCloudFormationConfig({ kind: "cloudformation" })).toThrow("`region:` is required (like us-east-1)");
  });

  it("accepts roleArn: the stack operations assume that role (tested against moto)", () => {
    expect(cloudFormationProvisioner({ kind: "cloudformation", region: "us-east-1", roleArn: "arn:aws:iam::123456789012:role/deployer" }, { name: "aws-prod" }).config)
      .toMatchObject({ roleArn: "arn:aws:iam::123456789012:role/deployer" });
  });
});

describe("stack names", () => {
  it("defaults to {name} for environments, {service}-{name} for instances, {service}-pipeline for pipelines", () => {
    expect(stackNameOf(environment, undefined)).toEqual({ name: "prod" });
    expect(stackNameOf(instance, undefined)).toEqual({ name: "web-prod" });
    expect(stackNameOf(pipeline, undefined)).toEqual({ name: "web-pipeline" });
  });

  it("follows a configured pattern, with {kind} in words CloudFormation allows", () => {
    expect(stackNameOf(instance, undefined, "baryon-{kind}-{service}-{environment}-{name}")).toEqual({ name: "baryon-instance-web-prod-prod" });
    expect(stackNameOf(environment, undefined, "{kind}-{name}")).toEqual({ name: "environment-prod" });
  });

  it("takes `stack:` from the spec file as it is, to adopt a stack Proton made", () => {
    expect(stackNameOf(instance, { stack: "AWSProton-web-prod-a1b2c3" }, "{service}-{name}")).toEqual({ name: "AWSProton-web-prod-a1b2c3" });
    expect(stackNameOf(instance, { stack: "not a stack" })).toEqual({ error: expect.stringContaining("`stack: \"not a stack\"` is not a CloudFormation stack name") });
  });

  it("says when a pattern needs what the resource does not have, or gives a name CloudFormation refuses", () => {
    expect(stackNameOf(environment, undefined, "{service}-{name}")).toEqual({
      error: "stack name pattern \"{service}-{name}\" uses {service}, which environment prod does not have: set `stack:` in its spec file, or a pattern without {service}",
    });
    expect(stackNameOf({ ...instance, name: "prod_eu" }, undefined)).toEqual({ error: expect.stringContaining("stack name \"web-prod_eu\" (from the pattern \"{service}-{name}\") is not a CloudFormation stack name") });
  });

  it("names the change set after the deployment, valid whatever the id", () => {
    expect(changeSetNameOf("dep-42")).toBe("baryon-dep-42");
    expect(changeSetNameOf("01J/xyz_1")).toMatch(/^baryon-01J-xyz-1-[0-9a-f]{12}$/);
    expect(changeSetNameOf("01J/xyz_1")).not.toBe(changeSetNameOf("01J-xyz-1"));
  });
});

describe("rendered files", () => {
  async function refusal(files: { path: string; content: string }[]) {
    const { provisioner, mock } = scripted({});
    const result = await provisioner.deploy(request({ files }));
    expect(mock.calls()).toHaveLength(0);
    return result.status === "failed" ? result.reason : `not failed: ${result.status}`;
  }

  it("deploys the one template of the part and refuses anything else before calling AWS", async () => {
    expect(await refusal([{ path: "instance_infrastructure/a.yaml", content: "{}" }, { path: "instance_infrastructure/b.json", content: "{}" }]))
      .toBe("2 rendered templates (instance_infrastructure/a.yaml, instance_infrastructure/b.json): a CloudFormation part has exactly one template file, so the cloudformation provisioner cannot tell which to deploy");
    expect(await refusal([{ path: "instance_infrastructure/main.tf", content: "" }]))
      .toBe("the rendered files include instance_infrastructure/main.tf: this resource's template is Terraform, which the cloudformation provisioner cannot deploy; use a command or pull-request provisioner for it");
    expect(await refusal([])).toBe("no rendered CloudFormation template (.yaml, .yml or .json) to deploy; the rendered files are: none");
    expect(await refusal([{ path: "instance_infrastructure/cloudformation.yaml", content: "x".repeat(51_201) }]))
      .toContain("instance_infrastructure/cloudformation.yaml is 51201 bytes rendered; CloudFormation takes at most 51200 bytes");
  });

  it("fails a deployment whose stack name cannot be made, before calling AWS", async () => {
    const { provisioner, mock } = scripted({}, { stackName: "{service}-{name}" });
    const result = await provisioner.deploy(request({ resource: environment }));
    expect(result).toMatchObject({ status: "failed", reason: expect.stringContaining("uses {service}, which environment prod does not have") });
    expect(mock.calls()).toHaveLength(0);
  });
});
