// `baryon apply`, `status`, `deploy` and `logs` on the embedded registry, with the
// repository's own example inventory and its `command` provisioner, as the demo runs them.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { baryon, ROOT } from "../support/cli.js";
import { gitRepo } from "../support/git-repo.js";

/** A template repository laid out like this one: examples/templates, examples/inventory, .github/baryon.yml. */
function fleetRepo() {
  const repo = gitRepo();
  for (const dir of ["examples/templates", "examples/inventory", ".github"]) cpSync(join(ROOT, dir), join(repo.dir, dir), { recursive: true });
  repo.commit("Templates and inventory");
  return repo;
}

describe("baryon apply and status", () => {
  it("deploys the inventory in order with outputs flowing on, shows it, and redeploys only what changed", async () => {
    const repo = fleetRepo();
    expect((await baryon(["publish", repo.dir])).code).toBe(0);

    const dry = await baryon(["apply", repo.dir, "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toBe([
      "Would:",
      "  create prod at fargate-env 1.0",
      "  create test at fargate-env 1.0",
      "  create frontend/frontend-test at load-balanced-fargate-svc 1.0",
      "  create frontend/frontend-prod at load-balanced-fargate-svc 1.0",
      "  create frontend/pipeline at load-balanced-fargate-svc 1.0",
      "",
    ].join("\n"));
    expect((await baryon(["status", "--dir", repo.dir])).stdout).toBe("No resources yet: `baryon apply` deploys the inventory.\n");

    const applied = await baryon(["apply", repo.dir]);
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/^#\d+ deploy frontend\/pipeline load-balanced-fargate-svc 1\.0: succeeded$/m);

    const status = JSON.parse((await baryon(["status", "--dir", repo.dir, "--format", "json"])).stdout);
    expect(status.resources.map((r: Record<string, unknown>) => [r.kind, r.name, r.service ?? null, r.environment ?? null, r.version, r.stage, (r.lastDeployment as { status: string }).status])).toEqual([
      ["environment", "prod", null, null, "1.0", "prod", "succeeded"],
      ["environment", "test", null, null, "1.0", "test", "succeeded"],
      ["service_instance", "frontend-prod", "frontend", "prod", "1.0", "prod", "succeeded"],
      ["service_instance", "frontend-test", "frontend", "test", "1.0", "test", "succeeded"],
      ["service_pipeline", "frontend", "frontend", null, "1.0", null, "succeeded"],
    ]);
    expect(status.resources[0]).toEqual({
      kind: "environment", name: "prod", template: "fargate-env", version: "1.0", stage: "prod", provisioner: "local",
      lastDeployment: { id: expect.stringMatching(/^\d+$/), status: "succeeded", version: "1.0", finishedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
      drift: null,
    });

    // The instance's log shows its render got the environment's recorded outputs.
    const instance = status.resources.find((r: { name: string }) => r.name === "frontend-test");
    const logs = await baryon(["logs", instance.lastDeployment.id, "--dir", repo.dir]);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/^# deployment \d+: deploy frontend\/frontend-test at load-balanced-fargate-svc 1\.0: succeeded\n/);
    expect(logs.stdout).toContain("deploying service_instance frontend-test: load-balanced-fargate-svc 1.0");
    expect(logs.stdout).toContain("./instance_infrastructure/cloudformation.yaml");

    // Nothing changed: nothing deploys. One spec changed: that one redeploys.
    expect((await baryon(["apply", repo.dir])).stdout).toBe("Nothing to change.\nUnchanged: prod, test, frontend/frontend-test, frontend/frontend-prod, frontend/pipeline\n");
    const spec = join(repo.dir, "examples/inventory/services/frontend.yaml");
    writeFileSync(spec, readFileSync(spec, "utf8").replace("desired_count: 3", "desired_count: 4"));
    const again = await baryon(["apply", repo.dir]);
    expect(again.stdout).toMatch(/^Plan:\n  redeploy frontend\/frontend-prod at load-balanced-fargate-svc 1\.0 \(spec changed\)\n/);
    expect(again.code).toBe(0);
    const text = (await baryon(["status", "frontend-prod", "--dir", repo.dir])).stdout;
    expect(text).toMatch(/^RESOURCE +KIND +STAGE +VERSION +PROVISIONER +DRIFT +LAST DEPLOYMENT\nfrontend\/frontend-prod +instance +prod +load-balanced-fargate-svc 1\.0 +local +- +#\d+ succeeded\n$/);
  }, 240_000);

  it("deletes only with --confirm-delete, deploys one resource on demand, and refuses a bad inventory", async () => {
    const repo = fleetRepo();
    expect((await baryon(["publish", repo.dir])).code).toBe(0);
    expect((await baryon(["apply", repo.dir])).code).toBe(0);

    rmSync(join(repo.dir, "examples/inventory/services"), { recursive: true });
    const waits = await baryon(["apply", repo.dir]);
    expect(waits.stdout).toContain("  delete frontend/frontend-test: waits for confirmation (`/baryon confirm-delete frontend/frontend-test` on the pull request, or `baryon apply --confirm-delete frontend/frontend-test`)\n");
    expect((await baryon(["status", "--dir", repo.dir, "--format", "json"])).stdout).toContain('"frontend-test"');
    const deleted = await baryon(["apply", repo.dir, "--confirm-delete", "frontend/frontend-test", "frontend/frontend-prod", "frontend/pipeline"]);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toMatch(/^#\d+ delete frontend\/frontend-test load-balanced-fargate-svc 1\.0: delete_succeeded$/m);
    expect(JSON.parse((await baryon(["status", "--dir", repo.dir, "--format", "json"])).stdout).resources.map((r: { name: string }) => r.name)).toEqual(["prod", "test"]);

    const redeploy = await baryon(["deploy", "test", "--dir", repo.dir]);
    expect(redeploy.code).toBe(0);
    expect(redeploy.stdout).toMatch(/^#\d+ deploy test fargate-env 1\.0: succeeded\n$/);
    const other = await baryon(["deploy", "test", "--version", "2.0", "--dir", repo.dir]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/test follows fargate-env@1; fargate-env 2\.0 is another major: change `template:` in examples\/inventory\/environments\/test\.yaml to move to it/);

    mkdirSync(join(repo.dir, "examples/inventory/more"));
    writeFileSync(join(repo.dir, "examples/inventory/more/qa.yaml"), "proton: EnvironmentSpec\ntemplate: fargate-env@1\nstage: qa\n");
    const bad = await baryon(["apply", repo.dir]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('examples/inventory/more/qa.yaml:3: error: stage "qa" is not a rollout stage; stages: test, prod [inventory-stage]');
    expect(bad.stderr).toContain("the inventory has errors: nothing was deployed");
  }, 240_000);
});
