import { appendFileSync, cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { baryon, ROOT } from "../support/cli.js";
import { gitRepo } from "../support/git-repo.js";

describe("baryon publish and baryon versions on the embedded registry", () => {
  it("publishes 1.0 of each template, nothing for the same commit, then the next minor; versions lists them", async () => {
    const repo = gitRepo(join(ROOT, "examples/templates"));
    repo.git("remote", "add", "origin", "https://github.com/acme/platform-templates.git");
    const first = repo.commit("Example templates");

    const r1 = await baryon(["publish", repo.dir]);
    expect(r1.stderr).toBe("");
    expect(r1.code).toBe(0);
    expect(r1.stdout).toBe("Published fargate-env 1.0\nPublished load-balanced-fargate-svc 1.0\nPublished vpc-tf-env 1.0\n");

    const r2 = await baryon(["publish", repo.dir]);
    expect(r2.stdout).toContain("Published fargate-env 1.0"); // the same commit again: its own versions, recorded once

    cpSync(join(ROOT, "examples/review-change/load-balanced-fargate-svc"), join(repo.dir, "load-balanced-fargate-svc"), { recursive: true });
    repo.commit("Log retention");
    const r3 = await baryon(["publish", repo.dir]);
    expect(r3.code).toBe(0);
    expect(r3.stdout).toBe("Published load-balanced-fargate-svc 1.1\nUnchanged: fargate-env 1.0, vpc-tf-env 1.0\n");

    const list = await baryon(["versions", "load-balanced-fargate-svc", "--dir", repo.dir]);
    expect(list.code).toBe(0);
    const lines = list.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("load-balanced-fargate-svc");
    expect(lines[1]).toMatch(new RegExp(`^  1\\.0 +published +\\d{4}-\\d{2}-\\d{2}  acme/platform-templates@${first.slice(0, 7)}$`));
    expect(lines[2]).toMatch(/^  1\.1 +published .*\(recommended\)$/);

    const json = JSON.parse((await baryon(["versions", "load-balanced-fargate-svc", "--dir", repo.dir, "--format", "json"])).stdout);
    expect(json.map((v: { version: string; recommended: boolean }) => [v.version, v.recommended])).toEqual([["1.0", false], ["1.1", true]]);
  }, 240_000);

  it("refuses a breaking change inside v1 and exits 1", async () => {
    const repo = gitRepo(join(ROOT, "examples/templates"));
    repo.commit("Example templates");
    expect((await baryon(["publish", repo.dir])).code).toBe(0);
    cpSync(join(ROOT, "examples/review-change/fargate-env"), join(repo.dir, "fargate-env"), { recursive: true });
    repo.commit("Remove container_insights");
    const r = await baryon(["publish", repo.dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^Not published: fargate-env v1: .*breaking change inside v1\/ \(environment.inputs.container_insights: input removed\)/);
  }, 240_000);

  it("numbers each owner's templates apart: two origins publish vpc-env 1.0 into one registry, and each lists only its own", async () => {
    const shared = mkdtempSync(join(tmpdir(), "baryon-shared-registry-"));
    const checkout = (origin: string, description: string) => {
      const repo = gitRepo();
      cpSync(join(ROOT, "examples/templates/fargate-env"), join(repo.dir, "vpc-env"), { recursive: true });
      appendFileSync(join(repo.dir, "vpc-env/v1/schema/schema.yaml"), `# ${description}\n`);
      repo.git("remote", "add", "origin", origin);
      return { repo, commit: repo.commit("vpc-env") };
    };
    const acme = checkout("git@github.com:acme/templates.git", "acme's VPC");
    const globex = checkout("https://github.com/globex/templates", "globex's VPC");
    const saved = { data: process.env.BARYON_DATA_DIR, artifacts: process.env.BARYON_ARTIFACT_DIR };
    process.env.BARYON_DATA_DIR = join(shared, "registry");
    process.env.BARYON_ARTIFACT_DIR = join(shared, "artifacts");
    try {
      for (const { repo } of [acme, globex]) {
        const r = await baryon(["publish", repo.dir]);
        expect(r.stderr).toBe("");
        expect(r.stdout).toBe("Published vpc-env 1.0\n");
      }
      for (const [{ repo, commit }, name] of [[acme, "acme/templates"], [globex, "globex/templates"]] as const) {
        const r = await baryon(["versions", "vpc-env", "--dir", repo.dir]);
        expect(r.code).toBe(0);
        const lines = r.stdout.trimEnd().split("\n");
        expect(lines).toHaveLength(2);
        expect(lines[1]).toMatch(new RegExp(`^  1\\.0 +published +\\d{4}-\\d{2}-\\d{2}  ${name}@${commit.slice(0, 7)}  \\(recommended\\)$`));
      }
    } finally {
      for (const [key, value] of [["BARYON_DATA_DIR", saved.data], ["BARYON_ARTIFACT_DIR", saved.artifacts]] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  }, 240_000);

  it("says so when a template has no versions", async () => {
    const repo = gitRepo(join(ROOT, "examples/templates"));
    repo.commit("Example templates");
    const r = await baryon(["versions", "nope", "--dir", repo.dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no versions of "nope" in the registry of local');
  }, 120_000);
});
