// Publishing refuses what review refuses: rendered CloudFormation that is not
// valid YAML, that declares a logical id twice, or that nests past any sane
// depth is an error at its template line, and nothing reaches the registry.
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLocalArtifactStore } from "../../src/adapters/artifacts/local.js";
import { publishChange } from "../../src/flows/publish-change.js";
import { publishSummary } from "../../src/present/publish-reply.js";
import { createRenderPool } from "../../src/jinja/pool.js";
import type { VersionStore } from "../../src/ports/registry.js";
import { testRegistry, type TestRegistry } from "../support/registry.js";
import { envTemplate, snapshot } from "../support/snapshot.js";

const CFN = "env/v1/infrastructure/cloudformation.yaml";
const SPEC = { "env/spec/spec.yaml": "proton: EnvironmentSpec\nspec:\n  count: 2\n" };
const VPC = "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: {{ environment.inputs.vpc_cidr }}\n";

const renderer = createRenderPool({ size: 1 });
afterAll(() => renderer.close());

let db: TestRegistry;
let store: VersionStore;
let artifactDir: string;
beforeEach(async () => {
  db = await testRegistry();
  store = db.registry.versions({ login: "acme" });
  artifactDir = mkdtempSync(join(tmpdir(), "baryon-artifacts-"));
});
afterEach(() => db.drop());

const publish = (cfn: string) => publishChange(
  { repository: "acme/templates", commit: "c1", status: "published" },
  { head: async () => snapshot({ ...envTemplate({ [CFN]: cfn }), ...SPEC }), versions: store, artifacts: createLocalArtifactStore({ dir: artifactDir }), renderer },
);

/** Publishes `cfn` as env 1.0 and expects it refused, nothing stored; returns its errors. */
async function refused(cfn: string) {
  const [outcome, ...more] = await publish(cfn);
  expect(more).toEqual([]);
  expect(outcome).toMatchObject({ template: "env", major: 1, result: "refused" });
  expect(await store.latestMinor("env", 1)).toBeUndefined();
  expect(readdirSync(artifactDir)).toEqual([]);
  return outcome!.result === "refused" ? outcome!.errors : [];
}

describe("publishChange refuses rendered CloudFormation that CloudFormation would refuse", () => {
  it("a mapping where a scalar belongs (invalid YAML after render), at the template line", async () => {
    const errors = await refused(`${VPC}  Subnet:\n    Type: AWS::EC2::Subnet\n    Properties:\n      VpcId: !Ref Vpc\n      AvailabilityZone: {{ "AvailabilityZone: " if true }}!Select [0, !GetAZs ""]\n`);
    expect(errors).toEqual([expect.objectContaining({ file: CFN, line: 10, severity: "error", code: "cfn-syntax", message: expect.stringMatching(/invalid YAML/) })]);
    const [outcome] = await publish(`${VPC}  Subnet:\n    Type: AWS::EC2::Subnet\n    Properties:\n      AvailabilityZone: AvailabilityZone: !Select [0, !GetAZs ""]\n`);
    expect(publishSummary([outcome!])).toMatch(new RegExp(`^Not published: env v1: 1 error, first: ${CFN}:9: invalid YAML`));
  });

  it("two resources with the same logical id", async () => {
    const errors = await refused(`${VPC}  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.1.0.0/16\n`);
    expect(errors).toEqual([expect.objectContaining({ file: CFN, line: 6, severity: "error", code: "cfn-duplicate-key", message: expect.stringMatching(/^"Vpc" appears twice/) })]);
  });

  it("a mapping nested 10,000 deep", async () => {
    const deep = `${"{a: ".repeat(10_000)}1${"}".repeat(10_000)}`;
    const errors = await refused(`${VPC}Metadata:\n  Deep: ${deep}\n`);
    expect(errors).toEqual([expect.objectContaining({ file: CFN, line: 7, severity: "error", message: expect.stringMatching(/deep|nested/i) })]);
  });

  it("the same template, fixed, publishes 1.0", async () => {
    expect(await publish(VPC)).toEqual([expect.objectContaining({ result: "published", version: "1.0" })]);
  });
});
