// Drift of a resource the pull-request provisioner deploys: its folder on the
// infrastructure repository (on the fake GitHub) against Baryon's render, file by
// file, by the blob hashes git already names them with.
import { ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { pullRequestProvisioner } from "../../src/adapters/provisioners/pull-request.js";
import type { DeploymentRequest } from "../../src/ports/provisioner.js";
import { startFakeGitHub, type FakeGitHub } from "../support/fake-github/index.js";

let fake: FakeGitHub;
beforeEach(async () => (fake = await startFakeGitHub()));
afterEach(async () => {
  try {
    fake.assertNoUnexpected();
  } finally {
    await fake.close();
  }
});

const MAIN_TF = "resource \"aws_sqs_queue\" \"q\" {\n  visibility_timeout_seconds = 30\n}\n";
const VARS = "{\"environment\": {\"name\": \"dev\"}}\n";
const request: DeploymentRequest = {
  id: "7", action: "deploy", owner: "acme", resource: { kind: "environment", name: "dev" }, template: { name: "net", version: "1.0" }, inputs: {},
  files: [{ path: "main.tf", content: MAIN_TF }, { path: "proton.environment.variables.tf.json", content: VARS }],
};

function provisioner() {
  const infra = fake.state.addRepo({ owner: "acme", name: "infrastructure" });
  const octokit = new ProbotOctokit({ auth: { token: fake.state.issueToken(infra.installationId).token }, baseUrl: fake.url, throttle: { enabled: false }, retry: { enabled: false } });
  const pr = pullRequestProvisioner({ kind: "pull-request", repository: "infrastructure" }, { github: async () => octokit });
  return { infra, pr };
}

describe("pull-request provisioner: drift", () => {
  it("finds the folder as Baryon committed it in sync, and names each file changed, missing or added outside Baryon", async () => {
    const { infra, pr } = provisioner();
    const folder = { "environment/dev/main.tf": MAIN_TF, "environment/dev/proton.environment.variables.tf.json": VARS, "environment/dev/.baryon/deployment.json": "{}\n" };
    fake.state.commit(infra, { "README.md": "Applied by CI.\n", ...folder }, { branch: "main" });
    expect(await pr.detectDrift(request)).toEqual({ state: "in_sync", findings: [] });

    const base = infra.branches.get("main")!;
    fake.state.commit(infra, {
      "environment/dev/main.tf": MAIN_TF.replace("30", "60"), "environment/dev/proton.environment.variables.tf.json": null, "environment/dev/hotfix.tf": "# by hand\n",
    }, { parent: base, branch: "main" });
    expect(await pr.detectDrift(request)).toEqual({ state: "drifted", findings: [
      { subject: "environment/dev/main.tf", detail: "differs from Baryon's render on acme/infrastructure@main" },
      { subject: "environment/dev/proton.environment.variables.tf.json", detail: "missing from acme/infrastructure@main" },
      { subject: "environment/dev/hotfix.tf", detail: "on acme/infrastructure@main, but not rendered by Baryon" },
    ] });
  });

  it("cannot tell without the GitHub App, and says so", async () => {
    const pr = pullRequestProvisioner({ kind: "pull-request", repository: "infrastructure" });
    expect(await pr.detectDrift(request)).toEqual({ state: "unknown", findings: [{ detail: "the pull-request provisioner needs the GitHub App: deploy with `baryon serve`, not from the command line" }] });
  });
});
