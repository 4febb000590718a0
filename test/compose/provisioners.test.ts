import { describe, expect, it } from "vitest";
import { provisionerRegistry } from "../../src/compose/provisioners.js";
import { ProvisionerConfigError } from "../../src/ports/provisioner.js";

describe("provisionerRegistry", () => {
  const provisioner = provisionerRegistry({ env: {} });

  it("builds each kind from the settings a deployment carries, once per settings", () => {
    const command = { kind: "command" as const, deploy: "true" };
    expect(provisioner("local", command)).toBe(provisioner("local", { ...command }));
    expect(provisioner("local", { ...command, deploy: "false" })).not.toBe(provisioner("local", command));
    const aws = { kind: "cloudformation" as const, region: "eu-west-1" };
    expect(provisioner("aws", aws)).toBe(provisioner("aws", { ...aws }));
  });

  it("checks CloudFormation settings at once, and loads the provisioner (the AWS SDK) when it first has work", async () => {
    expect(() => provisioner("aws", { kind: "cloudformation", region: "mars-1" })).toThrow(/provisioner "aws": region "mars-1" is not an AWS Region/);
    const request = {
      id: "d-1", action: "deploy" as const, owner: "acme", template: { name: "net", version: "1.0" }, inputs: {},
      resource: { kind: "environment" as const, key: "net/dev", name: "dev" }, files: [{ path: "infrastructure/main.tf", content: "" }],
    };
    // Refused by the CloudFormation provisioner itself, before any call to AWS.
    expect(await provisioner("aws", { kind: "cloudformation", region: "eu-west-1" }).deploy(request)).toMatchObject({
      status: "failed", reason: expect.stringContaining("this resource's template is Terraform, which the cloudformation provisioner cannot deploy"),
    });
  });

  it("refuses settings its adapter refuses, and a kind this Baryon does not have, with the provisioner's name", () => {
    expect(() => provisioner("local", { kind: "command" })).toThrow(ProvisionerConfigError);
    expect(provisioner("infra", { kind: "pull-request", repository: "infrastructure" })).toMatchObject({ config: { repository: "infrastructure" } });
    expect(() => provisioner("infra", { kind: "ansible" as "command" }))
      .toThrow(/provisioners\.infra: kind "ansible" is not available in this Baryon \(available: command, cloudformation, pull-request\)/);
  });
});
