import { mkdtemp, readFile, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { baryon } from "../support/cli.js";

const SVC = "examples/templates/load-balanced-fargate-svc";

describe("baryon render", () => {
  it("renders one Jinja file with an explicit context", async () => {
    const dir = await mkdtemp(join(tmpdir(), "baryon-render-"));
    await writeFile(join(dir, "t.yaml"), "Name: {{ environment.name | upper }}\nCidr: {{ environment.inputs.cidr }}\n");
    await writeFile(join(dir, "ctx.json"), JSON.stringify({ environment: { name: "dev", inputs: { cidr: "10.0.0.0/16" } } }));
    const r = await baryon(["render", join(dir, "t.yaml"), "--context", join(dir, "ctx.json")]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("Name: DEV\nCidr: 10.0.0.0/16");
  });

  it("fails with file:line on stderr when the template fails", async () => {
    const dir = await mkdtemp(join(tmpdir(), "baryon-render-"));
    await writeFile(join(dir, "t.yaml"), "a: 1\nb: {{ environment.inputs.nope }}\n");
    await writeFile(join(dir, "ctx.json"), JSON.stringify({ environment: { name: "dev", inputs: {} } }));
    const r = await baryon(["render", join(dir, "t.yaml"), "--context", join(dir, "ctx.json")]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(new RegExp(`^${join(dir, "t.yaml")}:2(:\\d+)?: .*nope`));
  });

  it("renders one service instance of a bundle with environment outputs", async () => {
    const dir = await mkdtemp(join(tmpdir(), "baryon-render-"));
    await writeFile(join(dir, "outputs.yaml"), "prod:\n  VpcId: vpc-123\n  ClusterName: prod-cluster\n  PublicSubnetOne: subnet-1\n  PublicSubnetTwo: subnet-2\n");
    const r = await baryon(["render", `${SVC}/v1`, "--spec", `${SVC}/spec/spec.yaml`, "--instance", "frontend-prod", "--name", "shop", "--env-outputs", join(dir, "outputs.yaml")]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("VpcId: 'vpc-123'");
    expect(r.stdout).toContain("Cluster: 'prod-cluster'");
    expect(r.stdout).toContain("ContainerPort: 8080");
    expect(r.stdout).toContain("Value: '{{resolve:ssm:/shop/feature-flags}}'");
  });

  it("writes every resource's files with --out", async () => {
    const out = await mkdtemp(join(tmpdir(), "baryon-out-"));
    const r = await baryon(["render", `${SVC}/v1`, "--spec", `${SVC}/spec/spec.yaml`, "--out", out]);
    expect(r.code).toBe(0);
    expect((await readdir(out)).sort()).toEqual(["frontend-dev", "frontend-prod", "pipeline"]);
    const pipeline = await readFile(join(out, "pipeline/pipeline_infrastructure/cloudformation.yaml"), "utf8");
    expect(pipeline).toContain("Deploy2Project:");
    expect(pipeline).toContain("docker build -t $repo_name:$CODEBUILD_BUILD_NUMBER -f Dockerfile .");
  });

  it("refuses a spec that breaks the schema, naming the line", async () => {
    const dir = await mkdtemp(join(tmpdir(), "baryon-render-"));
    await writeFile(join(dir, "spec.yaml"), "proton: ServiceSpec\ninstances:\n  - name: a\n    environment: dev\n    spec:\n      task_size: huge\n");
    const r = await baryon(["render", `${SVC}/v1`, "--spec", join(dir, "spec.yaml")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/spec.yaml:6: error: task_size must be one of "x-small", "small", "medium", "large", "x-large"/);
  });
});
