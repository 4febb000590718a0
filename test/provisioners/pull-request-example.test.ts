// The example workflow of examples/infrastructure-repo: valid YAML of the shape
// GitHub Actions reads, and its shell steps run for real (bash, git, jq and, where
// present, terraform with only the built-in terraform_data resource) on a
// repository holding what the pull-request provisioner merges, posting to a
// callback that records what it got.
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ROOT } from "../support/cli.js";

const WORKFLOW = join(ROOT, "examples/infrastructure-repo/.github/workflows/baryon-deploy.yml");
interface Step { name?: string; uses?: string; run?: string; if?: string; env?: Record<string, string> }
interface Workflow { on: { push: { branches: string[]; paths: string[] } }; jobs: Record<string, { steps: Step[]; needs?: string; outputs?: Record<string, string> }> }

const workflow = parse(readFileSync(WORKFLOW, "utf8")) as Workflow;
const has = (tool: string) => {
  try {
    execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};

const MAIN_TF = 'resource "terraform_data" "vpc" {\n  input = "10.0.0.0/16"\n}\noutput "vpc_cidr" {\n  value = terraform_data.vpc.output\n}\noutput "tags" {\n  value = { team = "core" }\n}\n';

describe("examples/infrastructure-repo workflow", () => {
  it("is a workflow on pushes to main that change a deployment file, applying each changed folder and calling back", () => {
    expect(workflow.on.push).toEqual({ branches: ["main"], paths: ["**/.baryon/deployment.json"] });
    expect(Object.keys(workflow.jobs)).toEqual(["folders", "apply"]);
    expect(workflow.jobs.apply!.needs).toBe("folders");
    const apply = workflow.jobs.apply!.steps.map((s) => s.run ?? "").join("\n");
    expect(apply).toMatch(/terraform -chdir="\$dir" init/);
    expect(apply).toMatch(/apply -auto-approve/);
    expect(apply).toMatch(/Authorization: Bearer \$CALLBACK_TOKEN/);
  });

  it.skipIf(!has("terraform") || !has("jq") || !has("git"))("runs its steps: terraform apply of the merged folder, then the callback with the outputs", async () => {
    const received: { auth?: string; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        received.push({ body, ...(req.headers.authorization ? { auth: req.headers.authorization } : {}) });
        res.writeHead(202).end("{}");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/deployments/d-1/status`;
      const repo = mkdtempSync(join(tmpdir(), "baryon-infra-"));
      const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: repo, encoding: "utf8" });
      git("init", "-q", "-b", "main");
      writeFileSync(join(repo, "README.md"), "infra\n");
      git("add", "."), git("commit", "-qm", "start");
      mkdirSync(join(repo, "environment/dev/infrastructure"), { recursive: true });
      mkdirSync(join(repo, "environment/dev/.baryon"), { recursive: true });
      writeFileSync(join(repo, "environment/dev/infrastructure/main.tf"), MAIN_TF);
      writeFileSync(join(repo, "environment/dev/.baryon/deployment.json"), JSON.stringify({ id: "d-1", action: "deploy", callback: { url, token: "acme.t0ken" } }));
      git("add", "."), git("commit", "-qm", "Deploy dev");

      const temp = mkdtempSync(join(tmpdir(), "baryon-runner-"));
      const env: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? temp, RUNNER_TEMP: temp, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1" };
      /** One `run:` step as the runner does it: bash -e, GITHUB_ENV and GITHUB_OUTPUT read back after. */
      // Asynchronous: the callback server answers from this process's event loop.
      const run = async (step: Step | undefined): Promise<Record<string, string>> => {
        const files = { GITHUB_ENV: join(temp, "env"), GITHUB_OUTPUT: join(temp, "output") };
        writeFileSync(files.GITHUB_ENV, ""), writeFileSync(files.GITHUB_OUTPUT, "");
        await promisify(execFile)("bash", ["-e", "-o", "pipefail", "-c", step!.run!], { cwd: repo, env: { ...env, ...files } });
        Object.assign(env, Object.fromEntries(readFileSync(files.GITHUB_ENV, "utf8").split("\n").filter(Boolean).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)])));
        return Object.fromEntries(readFileSync(files.GITHUB_OUTPUT, "utf8").split("\n").filter(Boolean).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
      };
      const step = (job: string, name: string) => workflow.jobs[job]!.steps.find((s) => s.name === name);

      const { folders } = await run(step("folders", "Folders whose deployment changed"));
      expect(JSON.parse(folders!)).toEqual(["environment/dev"]);
      env.FOLDER = "environment/dev";
      await run(step("apply", "Read the deployment"));
      expect(env).toMatchObject({ ACTION: "deploy", CALLBACK_URL: url, CALLBACK_TOKEN: "acme.t0ken" });
      await run(step("apply", "terraform init && terraform apply (or destroy)"));
      await run(step("apply", "Report success to Baryon"));
      expect(received).toHaveLength(1);
      expect(received[0]!.auth).toBe("Bearer acme.t0ken");
      expect(JSON.parse(received[0]!.body)).toEqual({ status: "succeeded", outputs: { vpc_cidr: "10.0.0.0/16", tags: '{"team":"core"}' } });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }, 120_000);
});
