import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseRepository } from "../../src/bundle/parse/repository.js";
import { readSnapshot } from "../../src/adapters/local/read-snapshot.js";
import { envTemplate, snapshot } from "../support/snapshot.js";

const examples = fileURLToPath(new URL("../../examples/templates", import.meta.url));

describe("parseRepository on the bundled examples", () => {
  it("finds every template with its kind, majors, parts and specs", async () => {
    const repo = parseRepository(await readSnapshot(examples));
    expect(repo.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const summary = repo.templates.map((t) => ({
      name: t.name,
      kind: t.kind,
      majors: t.bundles.map((b) => b.major),
      parts: t.bundles[0]!.parts.map((p) => p.name),
      specs: t.specs.map((s) => s.file),
    }));
    expect(summary).toEqual([
      { name: "fargate-env", kind: "environment", majors: [1], parts: ["infrastructure"], specs: ["fargate-env/spec/spec.yaml"] },
      {
        name: "load-balanced-fargate-svc", kind: "service", majors: [1],
        parts: ["instance_infrastructure", "pipeline_infrastructure"], specs: ["load-balanced-fargate-svc/spec/spec.yaml"],
      },
      { name: "vpc-tf-env", kind: "environment", majors: [1], parts: ["infrastructure"], specs: ["vpc-tf-env/spec/spec.yaml"] },
    ]);
    const svc = repo.templates[1]!.bundles[0]!;
    expect(svc.compatibleEnvironments).toEqual([{ name: "fargate-env", major: 1 }]);
    expect(svc.schema?.serviceInputType).toBe("LoadBalancedServiceInput");
    expect(svc.schema?.pipelineInputType).toBe("PipelineInputs");
    const tf = repo.templates[2]!.bundles[0]!.parts[0]!;
    expect(tf.files).toEqual(["vpc-tf-env/v1/infrastructure/main.tf", "vpc-tf-env/v1/infrastructure/outputs.tf"]);
    expect(tf.templates[0]).toMatchObject({ renderingEngine: "hcl", templateLanguage: "terraform" });
  });
});

describe("parseRepository layout", () => {
  it("finds templates at any depth and several majors, ignoring look-alike folders", () => {
    const repo = parseRepository(snapshot({
      ...envTemplate({}, "platform/templates/env/v1"),
      ...envTemplate({}, "platform/templates/env/v2"),
      "docs/v1/guide.md": "# not a bundle",
      "platform/templates/env/README.md": "# env",
    }));
    expect(repo.diagnostics).toEqual([]);
    expect(repo.templates).toHaveLength(1);
    expect(repo.templates[0]).toMatchObject({ name: "env", dir: "platform/templates/env", kind: "environment" });
    expect(repo.templates[0]!.bundles.map((b) => b.dir)).toEqual(["platform/templates/env/v1", "platform/templates/env/v2"]);
    // README beside the version folders is not part of any bundle.
    expect([...repo.templates[0]!.bundles[0]!.files.keys()].some((f) => f.endsWith("README.md"))).toBe(false);
  });

  it("restricts the search to a root folder when asked", () => {
    const repo = parseRepository(snapshot({ ...envTemplate({}, "a/env/v1"), ...envTemplate({}, "b/other/v1") }), { templates: "b" });
    expect(repo.templates.map((t) => t.name)).toEqual(["other"]);
  });

  it("reads the legacy `engine:` key and the legacy .compatible-envs file", () => {
    const repo = parseRepository(snapshot({
      "svc/v1/schema/schema.yaml": 'schema:\n  format:\n    openapi: "3.0.0"\n  service_input_type: "In"\n  types:\n    In:\n      type: object\n      properties: {}\n',
      "svc/v1/instance_infrastructure/manifest.yaml": "infrastructure:\n  templates:\n    - file: cloudformation.yaml\n      engine: jinja\n      template_language: cloudformation\n",
      "svc/v1/instance_infrastructure/cloudformation.yaml": "Resources: {}\n",
      "svc/v1/.compatible-envs": "# environments\nenv:1\nother-env:2\n",
    }));
    expect(repo.diagnostics).toEqual([]);
    const bundle = repo.templates[0]!.bundles[0]!;
    expect(bundle.kind).toBe("service");
    expect(bundle.parts[0]!.templates[0]!.renderingEngine).toBe("jinja");
    expect(bundle.compatibleEnvironments).toEqual([{ name: "env", major: 1 }, { name: "other-env", major: 2 }]);
  });

  it("parses codebuild provisioning settings", () => {
    const repo = parseRepository(snapshot(envTemplate({
      "env/v1/infrastructure/manifest.yaml": "infrastructure:\n  templates:\n    - rendering_engine: codebuild\n      settings:\n        image: aws/codebuild/standard:7.0\n        runtimes:\n          nodejs: 18\n        env:\n          variables:\n            STAGE: test\n        provision:\n          - npm ci\n          - npx cdk deploy\n        deprovision:\n          - npx cdk destroy --force\n",
      "env/v1/infrastructure/cloudformation.yaml": null,
    })));
    expect(repo.diagnostics).toEqual([]);
    expect(repo.templates[0]!.bundles[0]!.parts[0]!.codebuild).toEqual({
      image: "aws/codebuild/standard:7.0", runtimes: { nodejs: "18" }, variables: { STAGE: "test" },
      provision: ["npm ci", "npx cdk deploy"], deprovision: ["npx cdk destroy --force"],
    });
  });
});
