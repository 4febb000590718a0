// A real `terraform init && terraform apply` through the command provisioner, of a
// Terraform part that uses only the built-in `terraform_data` resource: no provider
// is downloaded and, with CHECKPOINT_DISABLE, Terraform calls nobody.
import { accessSync, constants } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { commandProvisioner } from "../../src/adapters/provisioners/command.js";
import { request, scratch } from "./helpers.js";

function findTerraform(): string | undefined {
  const candidates = [...(process.env.PATH ?? "").split(delimiter).filter(Boolean).map((dir) => join(dir, "terraform")), "/usr/local/bin/terraform"];
  return candidates.find((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

const terraform = findTerraform();

const MAIN_TF = `
variable "vpc_cidr" {
  type = string
}

resource "terraform_data" "vpc" {
  input = var.vpc_cidr
}

output "vpc_cidr" {
  value = terraform_data.vpc.output
}

output "vpc_id" {
  value = terraform_data.vpc.id
}
`;

// `terraform output -json` is {name: {value, type, sensitive}}; outputs.json is {name: value}.
const TO_OUTPUTS = `let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => { const o = JSON.parse(s); console.log(JSON.stringify(Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v.value])))); })`;

const DEPLOY = [
  "cd environment_infrastructure",
  "terraform init -input=false -no-color",
  `terraform apply -auto-approve -input=false -no-color -var "vpc_cidr=$BARYON_INPUT_VPC_CIDR"`,
  `terraform output -json | node -e '${TO_OUTPUTS}' > ../outputs.json`,
].join(" && ");

describe.skipIf(!terraform)(`command provisioner with Terraform${terraform ? "" : " (skipped: no terraform on PATH or at /usr/local/bin/terraform)"}`, () => {
  it("runs terraform init and apply on the rendered files and reads its outputs back", async () => {
    const home = scratch("home");
    const provisioner = commandProvisioner(
      { kind: "command", deploy: DEPLOY, timeout: "2m", env: ["TF_IN_AUTOMATION", "CHECKPOINT_DISABLE"] },
      { env: { PATH: `${dirname(terraform!)}${delimiter}${process.env.PATH}`, HOME: home, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1" }, workRoot: scratch("work") },
    );
    const result = await provisioner.deploy(request({
      resource: { kind: "environment", name: "prod" },
      inputs: { vpc_cidr: "10.1.0.0/16" },
      files: [{ path: "environment_infrastructure/main.tf", content: MAIN_TF }],
    }));
    expect(result.log).toContain("Apply complete! Resources: 1 added, 0 changed, 0 destroyed.");
    expect(result).toMatchObject({ status: "succeeded", outputs: { vpc_cidr: "10.1.0.0/16", vpc_id: expect.stringMatching(/^[0-9a-f-]{36}$/) } });
  }, 120_000);
});
