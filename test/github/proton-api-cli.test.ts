// The same pipeline with the real command lines: `baryon token create` (the built
// binary) makes the credentials, and the AWS CLI runs the sample pipeline's very
// commands with `--endpoint-url` pointed at Baryon. Skipped, saying why, on a
// machine without the AWS CLI. Run `npm run build` first.
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { harnessPerTest, SECRET, type Harness } from "../support/app-harness.js";
import { baryon } from "../support/cli.js";
import { protonFleet } from "../support/proton-fleet.js";

let h: Harness;
harnessPerTest((next) => (h = next));

const AWS_CLI = spawnSync("aws", ["--version"], { encoding: "utf8" }).status === 0;
const IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop:43";

/** `baryon token create`, with the server's secret as `baryon serve` reads it, in a folder without a .env. */
async function tokenCreate(args: string[], env: Record<string, string> = { WEBHOOK_SECRET: SECRET, BARYON_API_SECRET: "" }) {
  return baryon(["token", "create", ...args], { cwd: mkdtempSync(join(tmpdir(), "baryon-token-")), env });
}

async function credentials(): Promise<{ id: string; secret: string }> {
  const made = await tokenCreate(["--owner", "acme", "--name", "codebuild-deploy"]);
  expect(made.stderr).toBe("");
  expect(made.code).toBe(0);
  const id = /^AWS_ACCESS_KEY_ID=(\S+)$/m.exec(made.stdout)?.[1];
  const secret = /^AWS_SECRET_ACCESS_KEY=(\S+)$/m.exec(made.stdout)?.[1];
  expect(id).toMatch(/^BYN1\.acme\.codebuild-deploy\.[A-Z2-7]{16}$/);
  return { id: id!, secret: secret! };
}

/**
 * The AWS CLI as a CodeBuild job runs it: credentials from the environment only, no profile, no config file;
 * Baryon's address by `--endpoint-url`, or (`viaEnv`) by AWS_ENDPOINT_URL_PROTON with the command untouched.
 */
function aws(args: string[], creds: { id: string; secret: string }, cwd: string, viaEnv = false): Promise<{ code: number; stdout: string; stderr: string }> {
  const endpoint = `${h.app.url}/api/proton`;
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_ACCESS_KEY_ID: creds.id, AWS_SECRET_ACCESS_KEY: creds.secret, AWS_DEFAULT_REGION: "eu-west-1",
    AWS_CONFIG_FILE: join(cwd, "none"), AWS_SHARED_CREDENTIALS_FILE: join(cwd, "none"), AWS_EC2_METADATA_DISABLED: "true", AWS_PAGER: "" };
  for (const name of ["AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_PROTON", "AWS_CA_BUNDLE"]) delete env[name];
  if (viaEnv) env.AWS_ENDPOINT_URL_PROTON = endpoint;
  return new Promise((resolve) => execFile("aws", ["proton", ...args, ...(viaEnv ? [] : ["--endpoint-url", endpoint])], { cwd, env }, (error, stdout, stderr) =>
    resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr })));
}

describe("baryon token create", () => {
  it("prints AWS credentials for one owner, refuses without the server's secret or with a malformed owner", async () => {
    const json = await tokenCreate(["--owner", "acme", "--format", "json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({ owner: "acme", name: "pipeline", accessKeyId: expect.stringMatching(/^BYN1\.acme\.pipeline\./), secretAccessKey: expect.stringMatching(/^[\w-]{43}$/) });
    const unset = await tokenCreate(["--owner", "acme"], { WEBHOOK_SECRET: "", BARYON_API_SECRET: "" });
    expect(unset).toMatchObject({ code: 2, stdout: "", stderr: expect.stringContaining("neither BARYON_API_SECRET nor WEBHOOK_SECRET is set") });
    expect((await tokenCreate(["--owner", "not/a-login"])).code).toBe(2);
    // BARYON_API_SECRET, when set, is what tokens derive from: the same access key id gets another secret.
    const own = await tokenCreate(["--owner", "acme", "--format", "json"], { WEBHOOK_SECRET: SECRET, BARYON_API_SECRET: "x".repeat(32) });
    expect(JSON.parse(own.stdout).secretAccessKey).not.toBe(JSON.parse(json.stdout).secretAccessKey);
  });
});

describe("the sample pipeline's AWS CLI commands, pointed at Baryon", () => {
  it.skipIf(!AWS_CLI)(`update-service-instance and wait service-instance-deployed${AWS_CLI ? "" : " (skipped: the AWS CLI `aws` is not installed here)"}`, async () => {
    await protonFleet(h);
    const creds = await credentials();
    const dir = mkdtempSync(join(tmpdir(), "baryon-pipeline-"));
    // post_build: `aws proton get-service --name $service_name | jq -r .service.spec > service.yaml`, then yq sets the image.
    const got = await aws(["get-service", "--name", "shop"], creds, dir);
    expect(got, got.stderr).toMatchObject({ code: 0 });
    const spec = parse((JSON.parse(got.stdout) as { service: { spec: string } }).service.spec) as { instances: Array<{ spec: Record<string, unknown> }> };
    for (const i of spec.instances) i.spec.image = IMAGE;
    writeFileSync(join(dir, "rendered_service.yaml"), stringify(spec));
    // The deploy stage, word for word but for the endpoint.
    const updated = await aws(["update-service-instance", "--deployment-type", "CURRENT_VERSION", "--name", "shop-dev", "--service-name", "shop", "--spec", "file://rendered_service.yaml"], creds, dir);
    expect(updated, updated.stderr).toMatchObject({ code: 0 });
    expect(JSON.parse(updated.stdout)).toMatchObject({ serviceInstance: { name: "shop-dev", serviceName: "shop", templateName: "api" } });
    // The waiter's command exactly as the sample has it: the endpoint comes from the environment.
    const waited = await aws(["--region", "eu-west-1", "wait", "service-instance-deployed", "--name", "shop-dev", "--service-name", "shop"], creds, dir, true);
    expect(waited, waited.stderr).toMatchObject({ code: 0 });

    const [latest] = await h.db.registry.deployments({ login: "acme" }).deploymentsOf("shop/shop-dev", 1);
    expect(latest).toMatchObject({ status: "succeeded", inputs: { image: IMAGE }, requestedBy: { actor: "token:codebuild-deploy" } });
    expect(readFileSync(join(dir, "rendered_service.yaml"), "utf8")).toContain(IMAGE);

    // A wrong secret: the command fails and nothing is deployed.
    const wrong = await aws(["update-service-instance", "--deployment-type", "CURRENT_VERSION", "--name", "shop-dev", "--service-name", "shop", "--spec", "file://rendered_service.yaml"],
      { ...creds, secret: `${creds.secret.slice(0, -1)}A` }, dir);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain("InvalidSignatureException");
    expect((await h.db.registry.deployments({ login: "acme" }).deploymentsOf("shop/shop-dev", 1))[0]!.id).toBe(latest!.id);
  }, 90_000);
});
