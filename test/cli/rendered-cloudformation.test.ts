// `baryon validate` and `baryon publish` lint the rendered CloudFormation as
// `baryon check` does: a template that renders to invalid YAML fails both, at
// the template line, and nothing reaches the registry.
import { describe, expect, it } from "vitest";
import { baryon } from "../support/cli.js";
import { gitRepo } from "../support/git-repo.js";
import { envTemplate } from "../support/snapshot.js";

const CFN = "env/v1/infrastructure/cloudformation.yaml";
// The mistake of the issue: a value that already holds its key, printed after the key.
const AZ = 'Resources:\n  Subnet:\n    Type: AWS::EC2::Subnet\n    Properties:\n      CidrBlock: {{ environment.inputs.vpc_cidr }}\n      AvailabilityZone: {{ "AvailabilityZone: " }}!Select [0, !GetAZs ""]\n';

describe("rendered CloudFormation on the command line", () => {
  it("validate and publish refuse a template that renders to invalid YAML; publish records nothing", async () => {
    const repo = gitRepo();
    repo.write({ ...envTemplate({ [CFN]: AZ }) as Record<string, string>, "env/spec/spec.yaml": "proton: EnvironmentSpec\nspec:\n  count: 2\n" });
    repo.git("remote", "add", "origin", "https://github.com/acme/templates.git");
    repo.commit("AZ");

    const validated = await baryon(["validate", repo.dir]);
    expect(validated.stdout).toContain(`${CFN}:6: error: invalid YAML: Nested mappings are not allowed in compact mappings`);
    expect(validated.stdout).toContain("1 template version, 1 error");
    expect(validated.code).toBe(1);

    // The registry is the checkout's own (.baryon/), new with this temporary repository.
    const published = await baryon(["publish", repo.dir]);
    expect(published.stdout).toMatch(new RegExp(`^Not published: env v1: 1 error, first: ${CFN}:6: invalid YAML`));
    expect(published.code).toBe(1);
    const versions = await baryon(["versions", "env", "--dir", repo.dir]);
    expect(versions.stderr).toMatch(/no versions of "env"/);
  }, 240_000);
});
