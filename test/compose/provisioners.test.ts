import { describe, expect, it } from "vitest";
import { provisionerRegistry } from "../../src/compose/provisioners.js";
import { ProvisionerConfigError } from "../../src/ports/provisioner.js";

describe("provisionerRegistry", () => {
  const provisioner = provisionerRegistry({ env: {} });

  it("builds each kind from the settings a deployment carries, once per settings", () => {
    const command = { kind: "command" as const, deploy: "true" };
    expect(provisioner("local", command)).toBe(provisioner("local", { ...command }));
    expect(provisioner("local", { ...command, deploy: "false" })).not.toBe(provisioner("local", command));
    expect(provisioner("aws", { kind: "cloudformation", region: "eu-west-1" })).toMatchObject({ config: { region: "eu-west-1" } });
  });

  it("refuses settings its adapter refuses, and a kind this Baryon does not have, with the provisioner's name", () => {
    expect(() => provisioner("local", { kind: "command" })).toThrow(ProvisionerConfigError);
    expect(provisioner("infra", { kind: "pull-request", repository: "infrastructure" })).toMatchObject({ config: { repository: "infrastructure" } });
    expect(() => provisioner("infra", { kind: "ansible" as "command" }))
      .toThrow(/provisioners\.infra: kind "ansible" is not available in this Baryon \(available: command, cloudformation, pull-request\)/);
  });
});
