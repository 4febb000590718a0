import { afterAll, describe, expect, it } from "vitest";
import { assessBundle, loadingProblems, specsFor, type AssessInput } from "../../src/bundle/assess/assess-bundle.js";
import { LINTED_RENDERINGS } from "../../src/bundle/assess/render-specs.js";
import { errorAt } from "../../src/bundle/diagnostics.js";
import { parseRepository } from "../../src/bundle/parse/repository.js";
import { createRenderPool } from "../../src/jinja/pool.js";
import { readSnapshot } from "../../src/adapters/local/read-snapshot.js";
import type { ResourceRender } from "../../src/bundle/diff/diff.js";
import { envTemplate, snapshot } from "../support/snapshot.js";

const renderer = createRenderPool({ size: 1 });
afterAll(() => renderer.close());

const CFN = "env/v1/infrastructure/cloudformation.yaml";
const SPEC = { "env/spec/spec.yaml": "proton: EnvironmentSpec\nspec:\n  count: 2\n" };

/** The env template of these files, parsed: its newest bundle with the example specs it gets. */
function load(files: Record<string, string | Uint8Array>) {
  const repo = parseRepository(snapshot(files));
  const template = repo.templates[0]!;
  const bundle = template.bundles.at(-1)!;
  return { repo, template, bundle, input: { head: bundle, specs: specsFor(template, bundle), loading: loadingProblems(repo.diagnostics, template, bundle), latestMinor: undefined } satisfies AssessInput };
}

describe("assessBundle plans the version", () => {
  it("a major with no recorded version starts at N.0", async () => {
    const { input } = load({ ...envTemplate(), ...SPEC });
    const a = await assessBundle(input, renderer);
    expect(a.classification.change).toBe("major");
    expect(a.plan).toEqual({ publish: true, major: 1, minor: 0, version: "1.0" });
    expect(a.diagnostics).toEqual([]);
    expect(a.renders.map((r) => r.resources.map((x) => x.label))).toEqual([["env/spec/spec.yaml › environment"]]);
  });

  it("a compatible change takes the minor after the latest recorded one", async () => {
    const base = load({ ...envTemplate(), ...SPEC }).bundle;
    const { input } = load({ ...envTemplate({ [CFN]: envTemplate()[CFN] + "      EnableDnsSupport: true\n" }), ...SPEC });
    const a = await assessBundle({ ...input, base, latestMinor: 2 }, renderer);
    expect(a.classification).toEqual({ change: "minor", reasons: [{ path: "infrastructure/cloudformation.yaml", change: "file changed", breaking: false }] });
    expect(a.plan).toEqual({ publish: true, major: 1, minor: 3, version: "1.3" });
  });

  it("the same files publish nothing", async () => {
    const { input, bundle } = load({ ...envTemplate(), ...SPEC });
    expect((await assessBundle({ ...input, base: bundle, latestMinor: 0 }, renderer)).plan).toEqual({ publish: false, why: "unchanged" });
  });

  it("a breaking change inside the major is an error at the schema line of the first breaking input", async () => {
    const base = load({ ...envTemplate(), ...SPEC }).bundle;
    const narrowed = envTemplate({ "env/v1/schema/schema.yaml": envTemplate()["env/v1/schema/schema.yaml"]!.toString().replace("enum: [small, large]", "enum: [small]") });
    const { input } = load({ ...narrowed, ...SPEC });
    const a = await assessBundle({ ...input, base, latestMinor: 0 }, renderer);
    expect(a.plan).toEqual({ publish: false, why: "errors" });
    expect(a.diagnostics).toEqual([expect.objectContaining({
      file: "env/v1/schema/schema.yaml", line: 12, severity: "error", code: "breaking-change-in-major",
      message: expect.stringMatching(/^breaking change inside v1\/ \(environment.inputs.size: enum narrowed: removed "large"\)\. .*new folder v2\//),
    })]);
    // Without a base the same bundle is simply a new major.
    expect((await assessBundle(input, renderer)).plan).toMatchObject({ publish: true, version: "1.0" });
  });
});

describe("assessBundle reports every problem", () => {
  it("a spec that fails its schema is reported once and not rendered", async () => {
    const { input } = load({ ...envTemplate(), "env/spec/spec.yaml": "proton: EnvironmentSpec\nspec:\n  count: 0\n" });
    const a = await assessBundle(input, renderer);
    expect(a.diagnostics.map((d) => [d.file, d.code])).toEqual([["env/spec/spec.yaml", "spec-invalid"]]);
    expect(a.renders[0]!.resources).toEqual([{ label: "env/spec/spec.yaml › environment", files: [], failure: "not rendered: the spec does not match the schema" }]);
    expect(a.plan).toEqual({ publish: false, why: "errors" });
  });

  it("render failures, at the template line", async () => {
    const { input } = load({ ...envTemplate({ [CFN]: "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: {{ environment.inputs.vpc_cidr | nope }}\n" }), ...SPEC });
    const a = await assessBundle(input, renderer);
    expect(a.diagnostics).toEqual([expect.objectContaining({ file: CFN, line: 5, severity: "error", code: expect.stringMatching(/^render-/) })]);
    expect(a.renders[0]!.resources[0]).toMatchObject({ files: [], failure: expect.stringContaining("nope") });
  });

  it("rendered CloudFormation, traced to the template line, once however many specs render it alike", async () => {
    const specs = Object.fromEntries([1, 2, 3].map((i) => [`env/spec/s${i}.yaml`, "proton: EnvironmentSpec\nspec:\n  count: 2\n"]));
    const { input } = load({ ...envTemplate({ [CFN]: envTemplate()[CFN] + "  Gateway:\n    Type: AWS::EC2::VPCGatewayAttachment\n    Properties:\n      VpcId: !Ref Vcp\n" }), ...specs });
    const a = await assessBundle(input, renderer);
    expect(a.diagnostics).toEqual([expect.objectContaining({ file: CFN, line: 9, severity: "error", message: expect.stringContaining('!Ref Vcp: no parameter or resource named "Vcp"') })]);
  });

  it(`lints at most ${LINTED_RENDERINGS} distinct renderings`, async () => {
    const count = LINTED_RENDERINGS + 5;
    const specs = Object.fromEntries(Array.from({ length: count }, (_, i) => [`env/spec/s${String(i).padStart(2, "0")}.yaml`, `proton: EnvironmentSpec\nspec:\n  count: 2\n  vpc_cidr: Missing${i}\n`]));
    const { input } = load({ ...envTemplate({ [CFN]: "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: !Ref {{ environment.inputs.vpc_cidr }}\n" }), ...specs });
    const a = await assessBundle(input, renderer);
    expect(a.renders).toHaveLength(count);
    expect(a.diagnostics.filter((d) => d.message.includes("!Ref Missing"))).toHaveLength(LINTED_RENDERINGS);
  });

  it("Terraform that does not parse", async () => {
    const files = {
      "net/v1/schema/schema.yaml": envTemplate()["env/v1/schema/schema.yaml"]!,
      "net/v1/infrastructure/manifest.yaml": 'infrastructure:\n  templates:\n    - file: "*"\n      rendering_engine: hcl\n      template_language: terraform\n',
      "net/v1/infrastructure/main.tf": 'resource "aws_vpc" "main" {\n',
    };
    const a = await assessBundle(load(files).input, renderer);
    expect(a.diagnostics).toEqual([expect.objectContaining({ file: "net/v1/infrastructure/main.tf", severity: "error", code: "tf-syntax" })]);
  });
});

describe("assessBundle hands each rendered resource on", () => {
  it("in spec order, then plan order (the pipeline last), each instance with its own names, and keeps none", async () => {
    const repo = parseRepository(await readSnapshot("examples/templates"));
    const template = repo.templates.find((t) => t.name === "load-balanced-fargate-svc")!;
    const bundle = template.bundles.at(-1)!;
    const instances = Array.from({ length: 300 }, (_, i) => ({ name: `svc-${i}`, environment: `env-${i % 3}`, spec: { port: 80 + i } }));
    const fleet = { file: "fleet.yaml", kind: "ServiceSpec" as const, instances, pipeline: {}, lines: {} };
    const seen: ResourceRender[] = [];
    const a = await assessBundle({ head: bundle, specs: [...specsFor(template, bundle), fleet], loading: [], latestMinor: undefined }, renderer, ({ resource }) => seen.push(resource));
    expect(a.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(a.renders).toEqual([]);
    const spec = "load-balanced-fargate-svc/spec/spec.yaml";
    expect(seen.map((r) => r.label)).toEqual([
      `${spec} › frontend-dev`, `${spec} › frontend-prod`, `${spec} › pipeline`,
      ...instances.map((i) => `fleet.yaml › ${i.name}`), "fleet.yaml › pipeline",
    ]);
    expect(seen.find((r) => r.label === "fleet.yaml › svc-299")).toMatchObject({ names: { name: "svc-299", environment: "env-2" } });
    expect(seen.at(-1)!.names).toBeUndefined();
    // The pipeline saw every instance, though none of their renders was kept for it.
    expect(seen.at(-1)!.files[0]!.content).toContain("baryon deploy load-balanced-fargate-svc/svc-299 --image");
  });
});

describe("loadingProblems", () => {
  it("gives a bundle the problems in its folder, and the newest major those of the template folder", () => {
    const { template } = load({ ...envTemplate(), ...envTemplate({}, "env/v2"), ...SPEC });
    const [v1, v2] = template.bundles;
    const inV1 = errorAt("env/v1/schema/schema.yaml", "x", "a");
    const inSpec = errorAt("env/spec/bad.yaml", "x", "b");
    const elsewhere = errorAt("README.md", "x", "c");
    expect(loadingProblems([inV1, inSpec, elsewhere], template, v1!)).toEqual([inV1]);
    expect(loadingProblems([inV1, inSpec, elsewhere], template, v2!)).toEqual([inSpec]);
    expect(specsFor(template, v1!)).toEqual([]);
    expect(specsFor(template, v2!).map((s) => s.file)).toEqual(["env/spec/spec.yaml"]);
  });
});
