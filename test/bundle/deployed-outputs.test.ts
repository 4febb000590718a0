// Outputs a render reads before anything is deployed (issue 9, cause 1):
// Proton rendered a pipeline after its instances were deployed, so AWS's own
// samples use an instance output as a dictionary key.
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/bundle/diagnostics.js";
import { validateRepository } from "../../src/bundle/check/validate.js";
import { parseRepository } from "../../src/bundle/parse/repository.js";
import { declaredOutputs } from "../../src/bundle/render/deployed-outputs.js";
import { renderBundle, type RenderOptions } from "../../src/bundle/render/render-bundle.js";
import { createRenderPool } from "../../src/jinja/pool.js";
import { baryon } from "../support/cli.js";
import { CFN_MANIFEST, snapshot } from "../support/snapshot.js";

const renderer = createRenderPool({ size: 1 });
afterAll(() => renderer.close());

const SCHEMA = `schema:
  format:
    openapi: "3.0.0"
  service_input_type: "In"
  pipeline_input_type: "Pipe"
  types:
    In:
      type: object
      properties:
        lambda_runtime:
          type: string
          default: python3.8
    Pipe:
      type: object
      properties:
        branch:
          type: string
          default: main
`;
// As in AWS's apigw-lambda-svc: one output is a rendered input, one is known only after deploying.
const INSTANCE = `Resources:
  HttpApi:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: '{{ service_instance.name }}'
      ProtocolType: HTTP
Outputs:
  HttpApiEndpoint:
    Value: !GetAtt HttpApi.ApiEndpoint
  LambdaRuntime:
    Value: "{{ service_instance.inputs.lambda_runtime }}"
`;
const pipelineReading = (output: string) => `Resources:
  Build:
    Type: AWS::CodeBuild::Project
    Properties:
      Description: {{ {"python3.8": {"python": "3.8"}, "nodejs12.x": {"nodejs": "12.x"}}[service_instances[0].outputs.${output}] | tojson | safe }}
`;
const SPEC = "proton: ServiceSpec\ninstances:\n  - name: api\n    environment: dev\n    spec:\n      lambda_runtime: nodejs12.x\n";

const files = (pipeline: string, instance = INSTANCE): Record<string, string> => ({
  "svc/v1/schema/schema.yaml": SCHEMA,
  "svc/v1/instance_infrastructure/manifest.yaml": CFN_MANIFEST,
  "svc/v1/instance_infrastructure/cloudformation.yaml": instance,
  "svc/v1/pipeline_infrastructure/manifest.yaml": CFN_MANIFEST,
  "svc/v1/pipeline_infrastructure/cloudformation.yaml": pipeline,
  "svc/v1/.template-registration.yaml": "compatible_environments:\n  - env:1\n",
  "svc/spec/spec.yaml": SPEC,
});
const PIPELINE = "svc/v1/pipeline_infrastructure/cloudformation.yaml";
const shown = (ds: Diagnostic[]) => ds.map((d) => ({ file: d.file, line: d.line, severity: d.severity, code: d.code, message: d.message }));

async function render(repoFiles: Record<string, string>, options?: RenderOptions) {
  const template = parseRepository(snapshot(repoFiles)).templates[0]!;
  const result = await renderBundle(template.bundles[0]!, template.specs[0]!, renderer, options);
  const pipeline = result.files.find((f) => f.path === "pipeline/pipeline_infrastructure/cloudformation.yaml");
  return { diagnostics: shown(result.diagnostics), pipeline: pipeline?.content };
}

describe("the outputs a rendered instance template declares", () => {
  const file = (content: string) => [{ path: "svc-1/instance_infrastructure/cloudformation.yaml", content }];
  const yaml = (outputs: string, after = "") => `Resources:\n  Topic:\n    Type: AWS::SNS::Topic\nOutputs:\n${outputs}${after}`;

  it("are its literal values, and undefined where only a deployment can tell", () => {
    const declared = declaredOutputs(file(yaml("  Runtime:\n    Value: python3.8\n  # a comment at any indent\n  TopicArn:\n    Value: !Ref Topic\n")));
    expect([...declared]).toEqual([["Runtime", "python3.8"], ["TopicArn", undefined]]);
  });

  it("end at the next top-level key, whatever follows them", () => {
    const declared = declaredOutputs(file(yaml("  Port:\n    Value: 8080\n", "Conditions:\n  Never: !Equals [a, b]\nMetadata:\n  Value: 1\n")));
    expect([...declared]).toEqual([["Port", "8080"]]);
  });

  it("are read from the whole file when the block leans on it (an alias) or is JSON", () => {
    const aliased = "Mappings:\n  Shared: &runtime python3.9\nOutputs:\n  Runtime:\n    Value: *runtime\n";
    expect([...declaredOutputs(file(aliased))]).toEqual([["Runtime", "python3.9"]]);
    const json = JSON.stringify({ Resources: {}, Outputs: { Port: { Value: 80 }, Arn: { Value: { Ref: "Topic" } } } });
    expect([...declaredOutputs(file(json))]).toEqual([["Port", "80"], ["Arn", undefined]]);
  });

  it("are the same for a thousand instances whose blocks differ only in their literals", () => {
    for (let i = 0; i < 1000; i += 250) {
      expect(declaredOutputs(file(yaml(`  Name:\n    Value: svc-${i}\n`))).get("Name")).toBe(`svc-${i}`);
    }
  });
});

describe("a pipeline reading its instances' outputs", () => {
  it("gets an output the rendered instance template states as a literal", async () => {
    const { diagnostics, pipeline } = await render(files(pipelineReading("LambdaRuntime")));
    expect(diagnostics).toEqual([]);
    expect(pipeline).toContain('Description: {"nodejs": "12.x"}');
  });

  it("is only warned, naming the output and the instance, when it needs a value known after deploying", async () => {
    const { diagnostics, pipeline } = await render(files(pipelineReading("HttpApiEndpoint")));
    expect(pipeline).toBeUndefined();
    expect(diagnostics).toEqual([{
      file: PIPELINE, line: 5, severity: "warning", code: "render-needs-output",
      message: expect.stringMatching(/^the pipeline needs output HttpApiEndpoint of instance api, known only after it is deployed; pass --instance-outputs \(rendering failed without it: /),
    }]);
  });

  it("shows a visible placeholder where an unknown output is only printed", async () => {
    const { diagnostics, pipeline } = await render(files("Outputs:\n  Url:\n    Value: '{{ service_instances[0].outputs.HttpApiEndpoint }}/{{ service_instances[0].outputs.Undeclared }}'\n"));
    expect(diagnostics).toEqual([]);
    expect(pipeline).toContain("Value: '<api.outputs.HttpApiEndpoint>/<api.outputs.Undeclared>'");
  });

  it("renders with the outputs given for the instance", async () => {
    const { diagnostics, pipeline } = await render(files(pipelineReading("HttpApiEndpoint")), {
      instanceOutputs: { api: { HttpApiEndpoint: "python3.8" } },
    });
    expect(diagnostics).toEqual([]);
    expect(pipeline).toContain('Description: {"python": "3.8"}');
  });

  it("still fails on a mistake that no deployed value would fix, even beside an unknown output", async () => {
    for (const output of ["LambdaRuntime", "HttpApiEndpoint"]) {
      const { diagnostics } = await render(files(`Resources: {{ service_instances[0].outputs.${output} | nosuchfilter }}\n`));
      expect(diagnostics).toEqual([expect.objectContaining({ file: PIPELINE, severity: "error", message: expect.stringMatching(/nosuchfilter/) })]);
    }
  });

  it("lets validate and review pass a template whose pipeline needs a deployed output", () => {
    const report = validateRepository(parseRepository(snapshot(files(pipelineReading("HttpApiEndpoint")))));
    expect(report.filter((d) => d.severity === "error")).toEqual([]);
  });
});

describe("an instance reading its environment's outputs", () => {
  const instance = `Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      MemorySize: {{ {"small": 128, "large": 1024}[environment.outputs.Size] | tojson }}
`;

  it("is only warned when it needs a value known after the environment is deployed", async () => {
    const template = parseRepository(snapshot(files("Resources: {}\n", instance))).templates[0]!;
    const result = await renderBundle(template.bundles[0]!, template.specs[0]!, renderer);
    expect(shown(result.diagnostics)).toEqual([{
      file: "svc/v1/instance_infrastructure/cloudformation.yaml", line: 5, severity: "warning", code: "render-needs-output",
      message: expect.stringMatching(/^instance api needs output Size of environment dev, known only after it is deployed; pass --env-outputs/),
    }]);
  });

  it("renders with the environment's outputs given", async () => {
    const template = parseRepository(snapshot(files("Resources: {}\n", instance))).templates[0]!;
    const result = await renderBundle(template.bundles[0]!, template.specs[0]!, renderer, { environmentOutputs: { dev: { Size: "large" } } });
    expect(result.diagnostics).toEqual([]);
    expect(result.files[0]!.content).toContain("MemorySize: 1024");
  });
});

describe("a mistake beside a placeholder output", () => {
  it("is still an error: a name that is no output (a typo) fails whatever is deployed", async () => {
    const instance = "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Role: '{{ environment.outputs.Role }}'\n      Runtime: '{{ service_instance.inputs.lambda_runtme }}'\n";
    const template = parseRepository(snapshot(files("Resources: {}\n", instance))).templates[0]!;
    const result = await renderBundle(template.bundles[0]!, template.specs[0]!, renderer);
    expect(shown(result.diagnostics)).toEqual([expect.objectContaining({ line: 6, severity: "error", code: "render-undefined", message: expect.stringMatching(/lambda_runtme/) })]);
  });
});

describe("baryon render --instance-outputs", () => {
  it("passes deployed instance outputs to the pipeline, and warns without them", async () => {
    const dir = await mkdtemp(join(tmpdir(), "baryon-instance-outputs-"));
    for (const [path, content] of Object.entries(files(pipelineReading("HttpApiEndpoint")))) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), content);
    }
    await writeFile(join(dir, "outputs.yaml"), "api:\n  HttpApiEndpoint: nodejs12.x\n");
    const args = ["render", join(dir, "svc/v1"), "--spec", join(dir, "svc/spec/spec.yaml")];
    const given = await baryon([...args, "--instance-outputs", join(dir, "outputs.yaml")]);
    expect(given.stderr).toBe("");
    expect(given.code).toBe(0);
    expect(given.stdout).toContain('Description: {"nodejs": "12.x"}');

    const missing = await baryon(args);
    expect(missing.code).toBe(0);
    expect(missing.stderr).toMatch(/pipeline_infrastructure\/cloudformation\.yaml:5(:\d+)?: warning: the pipeline needs output HttpApiEndpoint of instance api, known only after it is deployed; pass --instance-outputs/);
    expect(missing.stdout).toContain("Name: 'api'");
  });
});
