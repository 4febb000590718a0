// The command provisioner with real processes: what a command sees (files,
// environment, baryon-deployment.json), what Baryon makes of what it does
// (exit code, outputs.json, log), and that a stopped command leaves nothing running.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { commandProvisioner } from "../../src/adapters/provisioners/command.js";
import { parseEnv, request, running, scratch } from "./helpers.js";

/** A provisioner whose commands may write to $OUT (a scratch folder that outlives the work folder). */
function setup(settings: Record<string, unknown>, extraEnv: Record<string, string> = {}, options: { killGraceMs?: number; logLimitBytes?: number; now?: () => number } = {}) {
  const out = scratch("out");
  const workRoot = scratch("work");
  const env = { PATH: process.env.PATH!, HOME: "/home/deployer", OUT: out, ...extraEnv };
  const settingsEnv = (settings.env as string[] | undefined) ?? [];
  const provisioner = commandProvisioner({ kind: "command", ...settings, env: ["OUT", ...settingsEnv] }, { env, workRoot, name: "scripts", ...options });
  return { provisioner, out, workRoot };
}

describe("command provisioner: deploy", () => {
  it("succeeds on exit code 0 with the outputs the command wrote, its log kept, and the work folder removed", async () => {
    const { provisioner, workRoot } = setup({ deploy: `echo "creating $BARYON_RESOURCE"; echo '{"url": "https://web.example", "port": 8080, "public": true}' > outputs.json` });
    const result = await provisioner.deploy(request());
    expect(result).toEqual({ status: "succeeded", outputs: { url: "https://web.example", port: "8080", public: "true" }, log: expect.any(String) });
    expect(result.log).toMatch(/^creating web-prod\n\[baryon\] deploy command exited with code 0 \(ran \d+\.\ds\)\n$/);
    expect(readdirSync(workRoot)).toEqual([]);
  });

  it("succeeds with no outputs when the command writes no outputs.json", async () => {
    const { provisioner } = setup({ deploy: "true" });
    expect(await provisioner.deploy(request())).toMatchObject({ status: "succeeded", outputs: {} });
  });

  it("fails on a nonzero exit code, keeping stdout and stderr in the log", async () => {
    const { provisioner } = setup({ deploy: "echo 'applying stack'; echo 'error: quota exceeded' >&2; exit 3" });
    const result = await provisioner.deploy(request());
    expect(result).toMatchObject({ status: "failed", reason: "deploy command exited with code 3" });
    expect(result.log).toContain("applying stack\n");
    expect(result.log).toContain("error: quota exceeded\n");
    expect(result.log).toMatch(/\[baryon\] deploy command exited with code 3 \(ran \d+\.\ds\)\n$/);
  });

  it("fails naming the signal when the command is killed by one", async () => {
    const { provisioner } = setup({ deploy: "kill -KILL $$" });
    expect(await provisioner.deploy(request())).toMatchObject({ status: "failed", reason: "deploy command was killed by SIGKILL" });
  });

  it.each([
    ["is not JSON", "{not json", /^outputs\.json is not valid JSON: /],
    ["is a list", `["a"]`, /^outputs\.json must be a JSON object of output names to strings, numbers or booleans \(got an array\)$/],
    ["nests a mapping", `{"vpc": {"id": "vpc-1"}}`, /^outputs\.json: output "vpc" is an object; outputs are strings, numbers or booleans$/],
    ["holds a null", `{"vpc": null}`, /^outputs\.json: output "vpc" is null/],
  ])("fails, naming outputs.json, when it %s", async (_, content, reason) => {
    const { provisioner } = setup({ deploy: `echo 'deployed'; printf '%s' '${content}' > outputs.json` });
    const result = await provisioner.deploy(request());
    expect(result).toMatchObject({ status: "failed", reason: expect.stringMatching(reason) });
    expect(result.log).toContain("deployed\n");
  });

  it("runs in a work folder holding the rendered files and baryon-deployment.json", async () => {
    const files = [
      { path: "instance_infrastructure/cloudformation.yaml", content: "Resources:\n  Queue: {Type: AWS::SQS::Queue}\n" },
      { path: "instance_infrastructure/nested/params.json", content: "{}" },
      { path: "README.md", content: "# web\n" },
    ];
    const { provisioner } = setup({ deploy: "find . -type f | sort; cat instance_infrastructure/cloudformation.yaml" });
    const result = await provisioner.deploy(request({ files }));
    expect(result.status).toBe("succeeded");
    expect(result.log).toContain([
      "./README.md", "./baryon-deployment.json", "./instance_infrastructure/cloudformation.yaml", "./instance_infrastructure/nested/params.json",
      "Resources:", "  Queue: {Type: AWS::SQS::Queue}", "",
    ].join("\n"));
  });

  it("writes baryon-deployment.json with the id, resource, template, version and inputs", async () => {
    const { provisioner, out } = setup({ deploy: `cp baryon-deployment.json "$OUT/"` });
    const inputs = { vpcCidr: "10.0.0.0/16", "subnet-count": 3, tags: { team: "payments" }, public: false };
    expect((await provisioner.deploy(request({ inputs }))).status).toBe("succeeded");
    expect(JSON.parse(readFileSync(join(out, "baryon-deployment.json"), "utf8"))).toEqual({
      id: "dep-42",
      resource: { kind: "service_instance", name: "web-prod", service: "web", environment: "prod" },
      template: "fargate-service",
      version: "2.1",
      inputs,
    });
  });

  it.each([
    ["../escape.txt"], ["/etc/baryon-escape"], ["templates/../../escape.txt"], ["./a.txt"], ["a//b"], [""],
  ])("refuses the rendered path %j and runs nothing", async (path) => {
    const { provisioner, out, workRoot } = setup({ deploy: `touch "$OUT/ran"` });
    const result = await provisioner.deploy(request({ files: [{ path, content: "x" }] }));
    expect(result).toMatchObject({ status: "failed", reason: `rendered file path ${JSON.stringify(path)} is refused: paths are relative, inside the work folder, with no "..", "." or empty parts` });
    expect(existsSync(join(out, "ran"))).toBe(false);
    expect(readdirSync(workRoot)).toEqual([]);
    expect(existsSync(join(workRoot, "..", "escape.txt"))).toBe(false);
  });

  it("refuses rendered files that would overwrite baryon-deployment.json, or a file that is another's folder", async () => {
    const { provisioner } = setup({ deploy: "true" });
    expect(await provisioner.deploy(request({ files: [{ path: "baryon-deployment.json", content: "{}" }] })))
      .toMatchObject({ status: "failed", reason: "rendered file baryon-deployment.json is refused: that name is kept for Baryon and the command" });
    expect(await provisioner.deploy(request({ files: [{ path: "infra", content: "" }, { path: "infra/main.tf", content: "" }] })))
      .toMatchObject({ status: "failed", reason: "rendered file infra is also the folder of infra/main.tf" });
  });

  it("keeps the head and tail of a long log, saying how much was cut", async () => {
    const { provisioner } = setup({ deploy: "printf 'FIRST LINE\\n'; head -c 10000 /dev/zero | tr '\\0' x; printf '\\nLAST LINE\\n'" }, {}, { logLimitBytes: 1000 });
    const { log } = await provisioner.deploy(request());
    expect(log).toMatch(/^FIRST LINE\nx+\n\[… 9\d\d\d bytes of output cut …\]\nx+\nLAST LINE\n\[baryon\] deploy command exited with code 0/);
    expect(log.length).toBeLessThan(1200);
  });

  it("ends the log with how long the command ran, by the clock it is given", async () => {
    const times = [1_000, 13_300];
    const { provisioner } = setup({ deploy: "echo hi" }, {}, { now: () => times.shift()! });
    expect((await provisioner.deploy(request())).log).toBe("hi\n[baryon] deploy command exited with code 0 (ran 12.3s)\n");
  });

  it("keeps the work folder when BARYON_KEEP_WORK is set, and says where", async () => {
    const { provisioner, workRoot } = setup({ deploy: "true" }, { BARYON_KEEP_WORK: "1" });
    const { log } = await provisioner.deploy(request());
    const [kept] = readdirSync(workRoot);
    expect(log).toContain(`[baryon] BARYON_KEEP_WORK is set: work folder kept at ${join(workRoot, kept!)}\n`);
    expect(readdirSync(join(workRoot, kept!))).toContain("baryon-deployment.json");
  });
});

describe("command provisioner: stopping a command", () => {
  it("kills the whole process group on timeout, the background grandchild too", async () => {
    const { provisioner, out, workRoot } = setup({ deploy: `sleep 300 & echo $! > "$OUT/grandchild"; echo 'waiting on terraform'; wait`, timeout: "1s" });
    const result = await provisioner.deploy(request());
    expect(result).toMatchObject({ status: "failed", reason: "deploy command timed out after 1s" });
    expect(result.log).toContain("waiting on terraform\n");
    expect(result.log).toMatch(/\[baryon\] deploy command timed out after 1s \(ran \d\.\ds\)\n$/);
    expect(running(Number(readFileSync(join(out, "grandchild"), "utf8")))).toBe(false);
    expect(readdirSync(workRoot)).toEqual([]);
  });

  it("sends SIGKILL after the grace to a process that ignores SIGTERM", async () => {
    const { provisioner, out } = setup({ deploy: `(trap '' TERM; exec sleep 300) & echo $! > "$OUT/stubborn"; wait`, timeout: 1 }, {}, { killGraceMs: 200 });
    expect(await provisioner.deploy(request())).toMatchObject({ status: "failed", reason: "deploy command timed out after 1s" });
    expect(running(Number(readFileSync(join(out, "stubborn"), "utf8")))).toBe(false);
  });

  it("stops what a successful command left running in the background", async () => {
    const { provisioner, out } = setup({ deploy: `sleep 300 & echo $! > "$OUT/leftover"; echo done` });
    expect(await provisioner.deploy(request())).toMatchObject({ status: "succeeded" });
    expect(running(Number(readFileSync(join(out, "leftover"), "utf8")))).toBe(false);
  });

  it("stops the command and its children when the signal aborts, with the abort's reason", async () => {
    const { provisioner, out } = setup({ deploy: `sleep 300 & echo $! > "$OUT/child.tmp" && mv "$OUT/child.tmp" "$OUT/child"; wait` });
    const abort = new AbortController();
    const pending = provisioner.deploy(request(), abort.signal);
    await vi.waitFor(() => expect(existsSync(join(out, "child"))).toBe(true), { timeout: 10_000, interval: 20 });
    abort.abort(new Error("rollout aborted by @alice"));
    expect(await pending).toMatchObject({ status: "failed", reason: "deploy command was stopped: rollout aborted by @alice" });
    expect(running(Number(readFileSync(join(out, "child"), "utf8")))).toBe(false);
  });

  it("runs nothing when the signal has already aborted", async () => {
    const { provisioner, out } = setup({ deploy: `touch "$OUT/ran"` });
    const abort = new AbortController();
    abort.abort();
    expect(await provisioner.deploy(request(), abort.signal)).toMatchObject({ status: "failed", reason: "deploy command was not started: aborted" });
    expect(existsSync(join(out, "ran"))).toBe(false);
  });
});

describe("command provisioner: environment", () => {
  const base = {
    AWS_REGION: "eu-west-1", AWS_PROFILE: "deployer", NOT_LISTED: "x",
    PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----", WEBHOOK_SECRET: "whsec", DATABASE_URL: "postgres://baryon:hunter2@db/baryon",
    REDIS_URL: "redis://:hunter2@redis:6379", BARYON_CALLBACK_TOKEN: "cbt",
  };

  it("is exactly the documented variables, the inputs and what env: lists (the shell adds PWD)", async () => {
    const { provisioner, out } = setup({ deploy: "env", env: ["AWS_REGION", "LISTED_BUT_UNSET"] }, base);
    const inputs = { vpcCidr: "10.0.0.0/16", "subnet-count": 3, tags: { team: "payments" }, public: false, name: "web" };
    const result = await provisioner.deploy(request({ inputs }));
    const env = parseEnv(result.log);
    expect(env).toEqual({
      BARYON_RESOURCE: "web-prod", BARYON_RESOURCE_KIND: "service_instance", BARYON_SERVICE: "web", BARYON_ENVIRONMENT: "prod",
      BARYON_TEMPLATE: "fargate-service", BARYON_VERSION: "2.1", BARYON_DEPLOYMENT_ID: "dep-42",
      BARYON_INPUT_VPCCIDR: "10.0.0.0/16", BARYON_INPUT_SUBNET_COUNT: "3", BARYON_INPUT_TAGS: `{"team":"payments"}`, BARYON_INPUT_PUBLIC: "false", BARYON_INPUT_NAME: "web",
      PATH: process.env.PATH, HOME: "/home/deployer", OUT: out, AWS_REGION: "eu-west-1", PWD: expect.any(String),
    });
  });

  it.each([
    ["an environment: its own name as BARYON_ENVIRONMENT, no service", { kind: "environment" as const, name: "prod" }, { BARYON_SERVICE: "", BARYON_ENVIRONMENT: "prod" }],
    ["a pipeline: its service, no environment", { kind: "service_pipeline" as const, name: "web", service: "web" }, { BARYON_SERVICE: "web", BARYON_ENVIRONMENT: "" }],
  ])("for %s", async (_, resource, expected) => {
    const { provisioner } = setup({ deploy: "env" });
    const env = parseEnv((await provisioner.deploy(request({ resource }))).log);
    expect(env).toMatchObject({ BARYON_RESOURCE: resource.name, BARYON_RESOURCE_KIND: resource.kind, ...expected });
  });

  it("never holds Baryon's credentials, though they are set in Baryon's environment", async () => {
    const { provisioner } = setup({ deploy: `echo "key=\${PRIVATE_KEY:-none} secret=\${WEBHOOK_SECRET:-none} db=\${DATABASE_URL:-none} redis=\${REDIS_URL:-none}"; env | grep -c hunter2 || true` }, base);
    expect((await provisioner.deploy(request())).log).toMatch(/^key=none secret=none db=none redis=none\n0\n/);
  });

  it("fails, naming both, when two inputs would become the same variable", async () => {
    const { provisioner, out } = setup({ deploy: `touch "$OUT/ran"` });
    expect(await provisioner.deploy(request({ inputs: { "subnet-count": 2, subnet_count: 3 } })))
      .toMatchObject({ status: "failed", reason: `inputs "subnet-count" and "subnet_count" would both be passed as BARYON_INPUT_SUBNET_COUNT` });
    expect(existsSync(join(out, "ran"))).toBe(false);
  });
});

describe("command provisioner: destroy and status", () => {
  it("destroy runs the destroy command the same way, with empty outputs", async () => {
    const { provisioner } = setup({ deploy: "exit 1", destroy: `echo "deleting $BARYON_RESOURCE from $BARYON_ENVIRONMENT"; ls; echo '{"x": "y"}' > outputs.json` });
    const result = await provisioner.destroy(request());
    expect(result).toMatchObject({ status: "succeeded", outputs: {} });
    expect(result.log).toMatch(/^deleting web-prod from prod\nbaryon-deployment\.json\ninstance_infrastructure\n\[baryon\] destroy command exited with code 0/);
  });

  it("a failing destroy says so", async () => {
    const { provisioner } = setup({ deploy: "true", destroy: "exit 4" });
    expect(await provisioner.destroy(request())).toMatchObject({ status: "failed", reason: "destroy command exited with code 4" });
  });

  it("destroy fails clearly when no destroy command is configured", async () => {
    const { provisioner } = setup({ deploy: "true" });
    expect(await provisioner.destroy(request())).toMatchObject({ status: "failed", reason: 'provisioner "scripts" has no `destroy:` command, so it cannot delete web-prod' });
  });

  it("status: a deployment still recorded in progress lost its worker", async () => {
    const { provisioner } = setup({ deploy: "true" });
    expect(await provisioner.status(request(), "anything")).toMatchObject({ status: "failed", reason: "the worker running this deployment's command stopped before it finished" });
  });
});
