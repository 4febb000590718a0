// `baryon rollout` on the embedded registry, as the demo runs it: the example
// templates and inventory (environments test and prod, a service with an instance
// in each and a pipeline), `rollout:` with prod gated by a comment. A published
// minor rolls out to test and waits at prod; `status` shows where it stands;
// `approve prod` finishes it; a second approve is refused.
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { baryon, ROOT } from "../support/cli.js";
import { gitRepo } from "../support/git-repo.js";

const SVC = "load-balanced-fargate-svc";

/** Runs `baryon`, expecting it to exit 0; says what it printed when it does not. */
async function succeeds(args: string[]) {
  const result = await baryon(args);
  expect(result.code, `baryon ${args.join(" ")}:\n${result.stdout}${result.stderr}`).toBe(0);
  return result;
}

function fleetRepo() {
  const repo = gitRepo();
  for (const dir of ["examples/templates", "examples/inventory", ".github"]) cpSync(join(ROOT, dir), join(repo.dir, dir), { recursive: true });
  repo.commit("Templates and inventory");
  return repo;
}

describe("baryon rollout", () => {
  it("rolls a published minor out to test, waits at the prod gate, and finishes once `approve prod` opens it", async () => {
    const repo = fleetRepo();
    await succeeds(["publish", repo.dir]);
    await succeeds(["apply", repo.dir]);

    const iac = join(repo.dir, `examples/templates/${SVC}/v1/instance_infrastructure/cloudformation.yaml`);
    writeFileSync(iac, readFileSync(iac, "utf8").replace(/^Resources:\n/m, "Resources:\n  # Rolled out by the rollout test.\n"));
    repo.commit("Service: a comment, rolled out to every instance");
    const published = await succeeds(["publish", repo.dir]);
    expect(published.stdout).toMatch(new RegExp(`^Published ${SVC} 1\\.1\\nUnchanged: fargate-env 1\\.0, vpc-tf-env 1\\.0\\n`));
    expect(published.stdout).toMatch(new RegExp(`^rollout \\d+: ${SVC} 1\\.1 waiting\\n`, "m"));
    expect(published.stdout).toMatch(/^ {2}test +1\/1 +0 +0 +0 +– +auto$/m);
    expect(published.stdout).toMatch(/^ {2}prod +0\/2 +0 +0 +2 +– +waiting for \/rollout prod$/m);
    expect(published.stdout).toContain("  next: an authorized /rollout prod opens prod.\n");

    const status = await succeeds(["rollout", "status", "--dir", repo.dir, "--format", "json"]);
    const { rollouts } = JSON.parse(status.stdout);
    expect(rollouts).toHaveLength(1);
    expect(rollouts[0]).toMatchObject({ template: SVC, version: "1.1", status: "waiting", stage: "prod", skipped: [] });
    expect(rollouts[0].stages).toEqual([
      { name: "test", total: 1, done: 1, failed: 0, inFlight: 0, pending: 0, gate: "auto", approvedBy: null, soakEndsAt: null },
      { name: "prod", total: 2, done: 0, failed: 0, inFlight: 0, pending: 2, gate: "comment", approvedBy: null, soakEndsAt: null },
    ]);

    const approved = await succeeds(["rollout", "approve", "prod", "--dir", repo.dir]);
    expect(approved.stdout).toMatch(new RegExp(`^Opened prod for ${SVC} 1\\.1: 2 resource\\(s\\), 2 at a time\\.$`, "m"));
    expect(approved.stdout).toMatch(new RegExp(`^rollout \\d+: ${SVC} 1\\.1 succeeded\\n`, "m"));
    expect(approved.stdout).toMatch(/^ {2}prod +2\/2 +0 +0 +0 +– +approved by @\S+$/m);
    expect(approved.stdout).toContain("  next: nothing: every resource runs the version.\n");

    const fleet = JSON.parse((await succeeds(["status", "--dir", repo.dir, "--format", "json"])).stdout);
    expect(fleet.resources.map((r: { kind: string; name: string; template: string; version: string }) => [r.kind, r.name, r.template, r.version])).toEqual([
      ["environment", "prod", "fargate-env", "1.0"],
      ["environment", "test", "fargate-env", "1.0"],
      ["service_instance", "frontend-prod", SVC, "1.1"],
      ["service_instance", "frontend-test", SVC, "1.1"],
      ["service_pipeline", "frontend", SVC, "1.1"],
    ]);

    // Approving again: refused, saying the rollout has ended.
    const again = await baryon(["rollout", "approve", "prod", "--dir", repo.dir]);
    expect(again.stdout + again.stderr).toContain(`The rollout of ${SVC} 1.1 has ended (succeeded). Nothing was done.`);
    expect(again.code).toBe(1);
  }, 400_000);
});
