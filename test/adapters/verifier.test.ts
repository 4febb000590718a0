// The verifier adapter: a stage's `verify:` check on one freshly deployed resource.
// A command's exit status says passed (0), inconclusive (75, a timeout, a command
// the shell cannot find or run) or failed;
// it runs with the resource's BARYON_* variables and outputs, and none of
// Baryon's secrets. An HTTP probe against a local server: the expected status
// passes, another fails, no answer is inconclusive; placeholders come from the resource.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createVerifier } from "../../src/adapters/verifiers/verifier.js";
import type { VerifyRequest } from "../../src/ports/verifier.js";
import type { Verification } from "../../src/rollout/policy.js";

const request = (check: Verification, outputs: Record<string, string> = { Url: "http://api-prod.example", "health-path": "healthz" }): VerifyRequest => ({
  check,
  resource: { key: "shop/api-prod", kind: "service_instance", name: "api-prod", service: "shop", environment: "prod" },
  template: { name: "api", version: "1.1" },
  outputs,
  deploymentId: "42",
});

describe("a command check", () => {
  const verifier = createVerifier({ killGraceMs: 100 });
  const run = (command: string, timeoutMs = 10_000) => verifier.verify(request({ command, timeoutMs }));

  it("passes on exit 0, fails on another status, and quotes what the command said", async () => {
    expect(await run("echo all good")).toEqual({ verdict: "passed", detail: "`echo all good` exited with 0: all good" });
    expect(await run("echo 'checkout returns 502' >&2; exit 1")).toEqual({ verdict: "failed", detail: "`echo 'checkout returns 502' >&2; exit 1` exited with 1: checkout returns 502" });
    expect(await run("exit 2")).toEqual({ verdict: "failed", detail: "`exit 2` exited with 2" });
  });

  it("is inconclusive on exit 75 (EX_TEMPFAIL) and when it runs past its timeout", async () => {
    expect(await run("echo 'load balancer still warming up'; exit 75")).toEqual({
      verdict: "inconclusive", detail: "`echo 'load balancer still warming up'; exit 75` exited with 75: load balancer still warming up",
    });
    // What the shell printed as it was stopped may follow ("Terminated"): the verdict and its cause come first.
    const late = await run("sleep 30", 300);
    expect(late.verdict).toBe("inconclusive");
    expect(late.detail).toMatch(/^`sleep 30` timed out after 0\.3s(: |$)/);
  });

  it("is inconclusive, and says where it runs, when the shell cannot find the command (127) or run it (126)", async () => {
    const where = "it runs in an empty folder with the resource's BARYON_* variables, so it must be on PATH or an absolute path";
    // The documented example: a script relative to a folder that holds nothing.
    const missing = await run("./smoke.sh");
    expect(missing.verdict).toBe("inconclusive");
    expect(missing.detail).toMatch(/^`\.\/smoke\.sh` could not be found or run \(exit 127: .*\.\/smoke\.sh.*\); /);
    expect(missing.detail.endsWith(where)).toBe(true);

    const script = join(mkdtempSync(join(tmpdir(), "baryon-verify-test-")), "smoke.sh");
    writeFileSync(script, "#!/bin/sh\nexit 0\n", { mode: 0o644 }); // not executable
    const denied = await run(script);
    expect(denied.verdict).toBe("inconclusive");
    expect(denied.detail).toMatch(/^`[^`]+smoke\.sh` could not be found or run \(exit 126: .*[Pp]ermission denied.*\); /);
    expect(denied.detail.endsWith(where)).toBe(true);
  });

  it("runs in a folder of its own with the resource's variables and outputs, and none of Baryon's secrets", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "baryon-verify-test-")), "env.txt");
    const secrets = {
      DATABASE_URL: "postgres://baryon:db-password@db/baryon", REDIS_URL: "redis://:redis-password@cache", PRIVATE_KEY: "app-private-key",
      WEBHOOK_SECRET: "webhook-secret", GITHUB_TOKEN: "github-token", PGPASSWORD: "pg-password", AWS_SECRET_ACCESS_KEY: "aws-secret",
    };
    const withSecrets = createVerifier({ env: { PATH: process.env.PATH, HOME: "/home/baryon", ...secrets } });
    const result = await withSecrets.verify(request({ command: `{ pwd; ls -A | wc -l; env; } > '${out}'`, timeoutMs: 10_000 }));
    expect(result.verdict).toBe("passed");

    const [folder, entries, ...env] = readFileSync(out, "utf8").trim().split("\n");
    expect(Number(entries)).toBe(0);
    expect(existsSync(folder!)).toBe(false); // removed afterwards
    const vars = Object.fromEntries(env.map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]));
    expect(vars).toMatchObject({
      HOME: "/home/baryon", PATH: process.env.PATH,
      BARYON_RESOURCE: "api-prod", BARYON_RESOURCE_KIND: "service_instance", BARYON_SERVICE: "shop", BARYON_ENVIRONMENT: "prod",
      BARYON_TEMPLATE: "api", BARYON_VERSION: "1.1", BARYON_DEPLOYMENT_ID: "42",
      BARYON_OUTPUT_URL: "http://api-prod.example", BARYON_OUTPUT_HEALTH_PATH: "healthz",
    });
    for (const [name, value] of Object.entries(secrets)) {
      expect(vars[name], name).toBeUndefined();
      expect(Object.values(vars), name).not.toContain(value);
    }
  });
});

describe("an HTTP probe", () => {
  let server: Server;
  let base: string;
  let closedPort: number;
  const asked: string[] = [];
  const verifier = createVerifier();
  const probe = (http: string, outputs?: Record<string, string>, timeoutMs = 5000) => verifier.verify(request({ http, expect: 200, timeoutMs }, outputs));

  beforeAll(async () => {
    server = createServer((req, res) => {
      asked.push(req.url ?? "");
      if (req.url === "/healthz" || req.url === "/health/api-prod") res.writeHead(200).end("ok");
      else if (req.url === "/broken") res.writeHead(500).end("boom");
      else if (req.url !== "/hang") res.writeHead(404).end();
      // /hang: never answers
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // A port that was just free: nothing listens there.
    const spare = createServer();
    await new Promise<void>((resolve) => spare.listen(0, "127.0.0.1", resolve));
    closedPort = (spare.address() as AddressInfo).port;
    await new Promise((resolve) => spare.close(resolve));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("passes on the expected status and fails on another", async () => {
    expect(await probe(`${base}/healthz`)).toEqual({ verdict: "passed", detail: `GET ${base}/healthz answered 200` });
    expect(await probe(`${base}/broken`)).toEqual({ verdict: "failed", detail: `GET ${base}/broken answered 500, expected 200` });
  });

  it("is inconclusive when nothing listens, and when the server does not answer within the timeout", async () => {
    const refused = await probe(`http://127.0.0.1:${closedPort}/healthz`);
    expect(refused).toEqual({ verdict: "inconclusive", detail: `GET http://127.0.0.1:${closedPort}/healthz: ECONNREFUSED` });
    expect(await probe(`${base}/hang`, undefined, 300)).toEqual({ verdict: "inconclusive", detail: `GET ${base}/hang: no answer within 0.3s` });
  });

  it("fills {resource} and {outputs.X} from the resource just deployed", async () => {
    expect(await probe(`${base}/health/{resource}`)).toEqual({ verdict: "passed", detail: `GET ${base}/health/api-prod answered 200` });
    expect(await probe(`${base}/{outputs.health-path}`)).toEqual({ verdict: "passed", detail: `GET ${base}/healthz answered 200` });
  });

  it("takes the service's address from an output that holds a whole URL, as a stack's ServiceEndpoint does", async () => {
    expect(await probe("{outputs.Url}/healthz", { Url: base })).toEqual({ verdict: "passed", detail: `GET ${base}/healthz answered 200` });
  });

  it("is inconclusive, without a request, when the URL names an output the deployment does not have", async () => {
    const before = asked.length;
    expect(await probe(`${base}/{outputs.HealthPath}`)).toEqual({
      verdict: "inconclusive", detail: `${base}/{outputs.HealthPath}: {outputs.HealthPath} has no value for shop/api-prod`,
    });
    expect(asked.length).toBe(before);
  });
});
