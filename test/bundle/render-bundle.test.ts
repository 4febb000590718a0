import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parseRepository } from "../../src/bundle/parse/repository.js";
import { placeholderOutputs, planRenders, renderBundle } from "../../src/bundle/render/render-bundle.js";
import { createRenderPool } from "../../src/jinja/pool.js";
import { readSnapshot } from "../../src/adapters/local/read-snapshot.js";
import { envTemplate, snapshot } from "../support/snapshot.js";

const examples = fileURLToPath(new URL("../../examples/templates", import.meta.url));
const renderer = createRenderPool({ size: 1 });
afterAll(() => renderer.close());

const loadExamples = async () => parseRepository(await readSnapshot(examples)).templates;

describe("planRenders", () => {
  it("plans one render per service instance plus the pipeline, with defaults and environments", async () => {
    const svc = (await loadExamples()).find((t) => t.name === "load-balanced-fargate-svc")!;
    const plan = planRenders(svc.bundles[0]!, svc.specs[0]!, { name: "shop" });
    expect(plan.diagnostics).toEqual([]);
    expect(plan.jobs.map((j) => [j.resource, j.kind, j.part.name])).toEqual([
      ["frontend-dev", "service_instance", "instance_infrastructure"],
      ["frontend-prod", "service_instance", "instance_infrastructure"],
      ["pipeline", "pipeline", "pipeline_infrastructure"],
    ]);
    const dev = plan.jobs[0]!.context as { service: { name: string }; service_instance: { inputs: Record<string, unknown> }; environment: { name: string; outputs: Record<string, string> } };
    expect(dev.service.name).toBe("shop");
    expect(dev.environment.name).toBe("dev");
    // health_check_path is not in the spec: the schema's default fills it in.
    expect(dev.service_instance.inputs).toMatchObject({ port: 80, health_check_path: "/", env_vars: "" });
    expect(dev.environment.outputs.VpcId).toBe("<environment.outputs.VpcId>");
  });

  it("renders only the named instance, and says so when it does not exist", async () => {
    const svc = (await loadExamples()).find((t) => t.name === "load-balanced-fargate-svc")!;
    expect(planRenders(svc.bundles[0]!, svc.specs[0]!, { instance: "frontend-prod" }).jobs.map((j) => j.resource)).toEqual(["frontend-prod"]);
    const missing = planRenders(svc.bundles[0]!, svc.specs[0]!, { instance: "nope" });
    expect(missing.jobs).toEqual([]);
    expect(missing.diagnostics[0]!.message).toMatch(/no instance named "nope" .*frontend-dev, frontend-prod/);
  });

  it("finds the environment outputs a bundle reads", async () => {
    const svc = (await loadExamples()).find((t) => t.name === "load-balanced-fargate-svc")!;
    expect(Object.keys(placeholderOutputs(svc.bundles[0]!)).sort()).toEqual(["ClusterName", "PublicSubnetOne", "PublicSubnetTwo", "VpcId"]);
  });
});

describe("renderBundle", () => {
  it("renders an environment from its spec", async () => {
    const env = parseRepository(snapshot(envTemplate({ "env/spec/spec.yaml": "proton: EnvironmentSpec\nspec:\n  count: 2\n  vpc_cidr: 10.9.0.0/16\n" }))).templates[0]!;
    const result = await renderBundle(env.bundles[0]!, env.specs[0]!, renderer, { name: "dev" });
    expect(result.diagnostics).toEqual([]);
    expect(result.files).toEqual([{
      path: "environment/infrastructure/cloudformation.yaml",
      source: "env/v1/infrastructure/cloudformation.yaml",
      content: "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.9.0.0/16",
    }]);
  });

  it("reports a failing render at the template's file and line", async () => {
    const env = parseRepository(snapshot(envTemplate({
      "env/v1/infrastructure/cloudformation.yaml": "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: {{ environment.outputs.missing }}\n",
      "env/spec/spec.yaml": "proton: EnvironmentSpec\nspec:\n  count: 2\n",
    }))).templates[0]!;
    const result = await renderBundle(env.bundles[0]!, env.specs[0]!, renderer);
    expect(result.files).toEqual([]);
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0]).toMatchObject({ file: "env/v1/infrastructure/cloudformation.yaml", line: 5, severity: "error", code: "render-undefined" });
  });

  it("writes Proton's Terraform variable files beside the .tf files instead of rendering them", async () => {
    const tf = (await loadExamples()).find((t) => t.name === "vpc-tf-env")!;
    const result = await renderBundle(tf.bundles[0]!, tf.specs[0]!, renderer, { name: "network" });
    expect(result.diagnostics).toEqual([]);
    expect(result.files.map((f) => f.path).sort()).toEqual([
      "environment/infrastructure/main.tf",
      "environment/infrastructure/outputs.tf",
      "environment/infrastructure/proton.auto.tfvars.json",
      "environment/infrastructure/proton.environment.variables.tf",
    ]);
    const tfvars = JSON.parse(result.files.find((f) => f.path.endsWith(".json"))!.content);
    expect(tfvars.environment).toEqual({ name: "network", inputs: { region: "eu-west-1", vpc_cidr: "10.1.0.0/16" } });
    const main = result.files.find((f) => f.path.endsWith("main.tf"))!;
    expect(main.content).toContain("var.environment.inputs.region");
  });
});
