import { afterAll, describe, expect, it } from "vitest";
import { createRenderPool } from "../../src/jinja/pool.js";
import { reviewChange } from "../../src/flows/review-change.js";
import type { ChangeSource } from "../../src/ports/change-source.js";
import type { VersionCatalog } from "../../src/ports/version-catalog.js";
import { assumeBaseAtZero } from "../../src/ports/version-catalog.js";
import { envTemplate, snapshot } from "../support/snapshot.js";

const renderer = createRenderPool({ size: 1 });
afterAll(() => renderer.close());

function source(base: Record<string, string>, head: Record<string, string>): ChangeSource {
  return { baseName: "base", headName: "head", base: async () => snapshot(base), head: async () => snapshot(head) };
}

const SPEC = { "env/spec/spec.yaml": "proton: EnvironmentSpec\nspec:\n  count: 2\n" };
const CFN = "env/v1/infrastructure/cloudformation.yaml";
const base = { ...envTemplate(), ...SPEC } as Record<string, string>;

describe("reviewChange", () => {
  it("an IaC change is a minor with the next version and a rendered diff", async () => {
    const head = { ...base, [CFN]: base[CFN] + "      EnableDnsSupport: true\n" } as Record<string, string>;
    const catalog: VersionCatalog = { latestMinor: async (t, m) => (t === "env" && m === 1 ? 2 : undefined) };
    const report = await reviewChange({}, { changes: source(base as Record<string, string>, head), renderer, versions: catalog });
    expect(report.templates).toHaveLength(1);
    const t = report.templates[0]!;
    expect(t).toMatchObject({ name: "env", major: 1, status: "modified", change: "minor", version: "1.3", diagnostics: [] });
    expect(t.reasons).toEqual([{ path: "infrastructure/cloudformation.yaml", change: "file changed", breaking: false }]);
    expect(t.diff).toMatchObject({ total: 1, changed: 1 });
    expect(t.diff.groups[0]!.labels).toEqual(["env/spec/spec.yaml › environment"]);
    expect(t.diff.groups[0]!.diffs[0]!.patch).toContain("+      EnableDnsSupport: true");
  });

  it("a breaking change inside v1/ is an error that says to create v2/, and publishes nothing", async () => {
    const head = { ...base, "env/v1/schema/schema.yaml": base["env/v1/schema/schema.yaml"]!.replace("enum: [small, large]", "enum: [small]") } as Record<string, string>;
    const report = await reviewChange({}, { changes: source(base as Record<string, string>, head), renderer, versions: assumeBaseAtZero });
    const t = report.templates[0]!;
    expect(t.change).toBe("major");
    expect(t.version).toBeUndefined();
    const error = t.diagnostics.find((d) => d.code === "breaking-change-in-major");
    expect(error?.file).toBe("env/v1/schema/schema.yaml");
    expect(error?.line).toBe(12); // the `size:` input whose enum narrowed
    expect(error?.message).toMatch(/environment.inputs.size: enum narrowed: removed "large".*new folder v2\//);
  });

  it("a new v2/ folder is a new major 2.0 and leaves v1 alone", async () => {
    const head = { ...base, ...envTemplate({}, "env/v2") } as Record<string, string>;
    const report = await reviewChange({}, { changes: source(base as Record<string, string>, head), renderer, versions: assumeBaseAtZero });
    expect(report.templates.map((t) => [t.major, t.status, t.change, t.version])).toEqual([[2, "added", "major", "2.0"]]);
  });

  it("files outside bundles make no version", async () => {
    const head = { ...base, "env/README.md": "# docs\n", "README.md": "# repo\n" } as Record<string, string>;
    const report = await reviewChange({}, { changes: source(base as Record<string, string>, head), renderer, versions: assumeBaseAtZero });
    expect(report.templates).toEqual([]);
    expect(report.unbundledFiles).toEqual(["README.md", "env/README.md"]);
  });

  it("groups resources whose rendered diffs are identical", async () => {
    const specs = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`env/spec/s${i}.yaml`, `proton: EnvironmentSpec\nspec:\n  count: ${i < 3 ? 1 : 2}\n  vpc_cidr: 10.0.0.0/16\n`]));
    const withCount = envTemplate({ [CFN]: "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: {{ environment.inputs.vpc_cidr }}\n      Count: {{ environment.inputs.count }}\n" });
    const b = { ...withCount, ...specs } as Record<string, string>;
    const h = { ...b, [CFN]: b[CFN]!.replace("Count:", "Size:") };
    const report = await reviewChange({}, { changes: source(b, h), renderer, versions: assumeBaseAtZero });
    const diff = report.templates[0]!.diff;
    expect(diff).toMatchObject({ total: 5, changed: 5 });
    expect(diff.groups.map((g) => g.labels.length)).toEqual([3, 2]);
  });
});

describe("reviewChange lints what the change renders", () => {
  it("reports a broken reference at the template line that printed it", async () => {
    const head = { ...base, [CFN]: base[CFN] + "  Attachment:\n    Type: AWS::EC2::VPCGatewayAttachment\n    Properties:\n      VpcId: !Ref Vcp\n" };
    const report = await reviewChange({}, { changes: source(base, head), renderer, versions: assumeBaseAtZero });
    const problem = report.templates[0]!.diagnostics.find((d) => d.message.includes("Vcp"));
    expect(problem).toMatchObject({ file: CFN, line: 9, severity: "error" });
    expect(problem!.message).toMatch(/!Ref Vcp: no parameter or resource named "Vcp" \(did you mean "Vpc"\?\)/);
  });

  it("warns when a resource disappears or changes Type", async () => {
    const head = { ...base, [CFN]: base[CFN]!.replace("Vpc:\n    Type: AWS::EC2::VPC", "Vpc:\n    Type: AWS::EC2::Subnet") + "  Extra:\n    Type: AWS::S3::Bucket\n" };
    const b2 = { ...base, [CFN]: base[CFN] + "  Logs:\n    Type: AWS::Logs::LogGroup\n" };
    const report = await reviewChange({}, { changes: source(b2, head), renderer, versions: assumeBaseAtZero });
    const warnings = report.templates[0]!.diagnostics.filter((d) => d.severity === "warning").map((d) => [d.code, d.message]);
    expect(warnings).toEqual([
      ["resource-replaced", "env/spec/spec.yaml › environment: resource Vpc changes Type from AWS::EC2::VPC to AWS::EC2::Subnet; CloudFormation will replace it (a new physical resource)"],
      ["resource-deleted", "env/spec/spec.yaml › environment: resource Logs (AWS::Logs::LogGroup) is no longer rendered; CloudFormation will delete it"],
    ]);
  });
});
