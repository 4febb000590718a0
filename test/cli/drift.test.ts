// `baryon drift` with the `command` provisioner's `drift:` command, on a real
// repository and the embedded registry: a "cloud" folder keeps what each deploy
// rendered, the drift command compares it with Baryon's render of the last
// successful deployment, and a file changed behind Baryon's back is reported, by
// `baryon drift` and in `baryon status`, until it is put back.
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { baryon, ROOT } from "../support/cli.js";
import { gitRepo } from "../support/git-repo.js";

/** The example templates and inventory, deployed by a command that copies each render to cloud/<resource>. */
function fleetRepo(drift: boolean) {
  const repo = gitRepo();
  for (const dir of ["examples/templates", "examples/inventory"]) cpSync(join(ROOT, dir), join(repo.dir, dir), { recursive: true });
  const cloud = join(repo.dir, "cloud");
  const place = `"${cloud}/$(echo "$BARYON_RESOURCE" | tr / _)"`;
  // The example config's made-up outputs (instances render with their environment's).
  const outputs = /^ {6}awk[\s\S]*?> outputs\.json$/m.exec(readFileSync(join(ROOT, ".github/baryon.yml"), "utf8"))![0];
  repo.write({
    ".github/baryon.yml": [
      "templates: examples/templates",
      "provisioners:", "  local:", "    kind: command",
      "    deploy: |", `      rm -rf ${place} && mkdir -p ${place} && cp -r . ${place}`, outputs,
      ...(drift ? ["    drift: |", `      diff -rq -x baryon-deployment.json -x outputs.json . ${place}`] : []),
      "",
    ].join("\n"),
  });
  repo.commit("Templates, inventory, a provisioner with a drift check");
  return { repo, cloud };
}

describe("baryon drift", () => {
  it("finds everything in sync after a deploy, reports a file changed behind Baryon's back, and shows it in status", async () => {
    const { repo, cloud } = fleetRepo(true);
    expect((await baryon(["publish", repo.dir])).code).toBe(0);
    expect((await baryon(["apply", repo.dir])).code).toBe(0);

    const clean = await baryon(["drift", "--dir", repo.dir]);
    expect(clean.stderr).toBe("");
    expect(clean.code).toBe(0);
    expect(clean.stdout.split("\n").filter(Boolean).map((l) => l.replace(/#\d+/, "#N"))).toEqual([
      "prod: in sync (against deployment #N)", "test: in sync (against deployment #N)",
      "frontend/frontend-prod: in sync (against deployment #N)", "frontend/frontend-test: in sync (against deployment #N)",
      "frontend/pipeline: in sync (against deployment #N)",
    ]);

    // Someone edits the prod environment's template where it runs.
    const running = join(cloud, "prod/infrastructure/cloudformation.yaml");
    writeFileSync(running, readFileSync(running, "utf8").replace("AWS::EC2::VPC", "AWS::EC2::VPC # edited by hand"));
    const drifted = await baryon(["drift", "prod", "--dir", repo.dir]);
    expect(drifted.code).toBe(1);
    expect(drifted.stdout).toMatch(/^prod: drifted \(against deployment #\d+\)\n  - Files \.\/infrastructure\/cloudformation\.yaml and .*cloud\/prod\/infrastructure\/cloudformation\.yaml differ\n$/);

    const status = JSON.parse((await baryon(["status", "--dir", repo.dir, "--format", "json"])).stdout) as { resources: { name: string; drift: { state: string; findings: { detail: string }[] } | null }[] };
    expect(status.resources.map((r) => [r.name, r.drift?.state])).toEqual([
      ["prod", "drifted"], ["test", "in_sync"], ["frontend-prod", "in_sync"], ["frontend-test", "in_sync"], ["frontend", "in_sync"],
    ]);
    expect((await baryon(["status", "prod", "--dir", repo.dir])).stdout).toMatch(/ drifted: Files \.\/infrastructure\/cloudformation\.yaml and /);

    // Put back (a redeploy would do the same): in sync again.
    writeFileSync(running, readFileSync(running, "utf8").replace(" # edited by hand", ""));
    expect((await baryon(["drift", "prod", "--dir", repo.dir])).stdout).toMatch(/^prod: in sync/);
  }, 240_000);

  it("says a provisioner without a drift check cannot tell, never that all is well", async () => {
    const { repo } = fleetRepo(false);
    expect((await baryon(["publish", repo.dir])).code).toBe(0);
    expect((await baryon(["apply", repo.dir])).code).toBe(0);
    const unknown = await baryon(["drift", "test", "--dir", repo.dir, "--format", "json"]);
    expect(unknown.code).toBe(0);
    expect(JSON.parse(unknown.stdout)).toEqual({ resources: [{ resource: "test", check: {
      deployment: expect.stringMatching(/^\d+$/), state: "unknown",
      findings: [{ detail: 'provisioner "local" cannot check drift (a `command` provisioner can, with a `drift:` command)' }],
    } }] });
    expect((await baryon(["drift", "nope", "--dir", repo.dir])).stderr).toContain('no resource "nope" in the registry');
  }, 240_000);
});
