// Issue 13: the web console's pages with a large fleet in the registry (PGlite,
// as `baryon ui` on the embedded defaults uses it): environments across 3
// stages and 10 instances per environment, all deployed once, two templates of
// two versions each. Each round asks every page once, next to /health (the
// server's own floor), signed in as a browser would be.
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { createLocalArtifactStore } from "../src/adapters/artifacts/local.js";
import { pgliteDb } from "../src/adapters/registry/pglite.js";
import { openSqlRegistry } from "../src/adapters/registry/sql-registry.js";
import { createRenderPool } from "../src/jinja/pool.js";
import { startConsole } from "../src/main/web-console.js";
import type { DeploymentStore, NewDeployment, ResourceRecord } from "../src/ports/deployment-store.js";
import type { NewVersion, Owner, VersionStore } from "../src/ports/registry.js";
import { median, type BenchResult } from "./stats.js";

export interface ConsoleBenchSize {
  environments: number;
  instancesPerEnvironment: number;
}
/** Issue 13's figure: 1,000 environments and 10,000 instances (seeding takes a few minutes). */
export const CONSOLE_FULL: ConsoleBenchSize = { environments: 1000, instancesPerEnvironment: 10 };
export const CONSOLE_QUICK: ConsoleBenchSize = { environments: 100, instancesPerEnvironment: 10 };
const ROUNDS = 7;
const OWNER: Owner = { login: "acme" };
const STAGES = ["dev", "staging", "prod"];

export async function consoleBench(size: ConsoleBenchSize): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), "baryon-bench-console-"));
  const pg = await PGlite.create();
  const registry = await openSqlRegistry(pgliteDb(pg, { owned: true }), {});
  try {
    const resources = await seedForBench(registry.versions(OWNER), registry.deployments(OWNER), size);
    // The catalog's previews are not measured here: the pool starts no child until a render.
    const renderer = createRenderPool({ engine: "v8" });
    const web = await startConsole({ registry, artifacts: createLocalArtifactStore({ dir }), renderer, owner: OWNER });
    try {
      const signIn = await fetch(web.loginUrl, { redirect: "manual" });
      const cookie = signIn.headers.get("set-cookie")!.split(";")[0]!;
      const pages = ["/health", `/${OWNER.login}/`, `/${OWNER.login}/?stage=prod`, `/${OWNER.login}/templates/svc`, `/${OWNER.login}/rollouts`];
      const times = new Map(pages.map((p) => [p, [] as number[]]));
      for (let round = 0; round < ROUNDS + 1; round++) {
        for (const path of pages) {
          const start = performance.now();
          const response = await fetch(`${web.url}${path}`, { headers: { cookie } });
          await response.text();
          if (response.status !== 200) throw new Error(`GET ${path}: ${response.status}`);
          if (round > 0) times.get(path)!.push(performance.now() - start); // the first round warms up
        }
      }
      const floor = median(times.get("/health")!);
      return pages.map((path): BenchResult => ({
        name: path === "/health" ? "GET /health (the server's floor, reference)" : `GET ${path} with ${resources.toLocaleString("en-US")} resources (goal < 200 ms; ${(median(times.get(path)!) / floor).toFixed(0)}× /health)`,
        value: median(times.get(path)!), unit: "ms", runs: times.get(path)!,
      }));
    } finally {
      await web.close();
      await renderer.close();
    }
  } finally {
    await registry.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Two templates of two versions, the fleet recorded and deployed once; returns how many resources. */
export async function seedForBench(versions: VersionStore, store: DeploymentStore, size: ConsoleBenchSize): Promise<number> {
  for (const [template, kind] of [["net", "environment"], ["svc", "service"]] as const) {
    for (const bundle of ["a", "b"]) await versions.recordVersion(version(template, kind, bundle));
  }
  let count = 0;
  for (let e = 0; e < size.environments; e++) {
    const env = `env-${e}`;
    const stage = STAGES[e % STAGES.length]!;
    const group: ResourceRecord[] = [record(env, { kind: "environment", stage, template: { name: "net", major: 1 } })];
    for (let i = 0; i < size.instancesPerEnvironment; i++) {
      const name = `app-${i}-${env}`;
      group.push(record(`app-${i}/${name}`, { kind: "service_instance", name, service: `app-${i}`, environment: env, stage, template: { name: "svc", major: 1 } }));
    }
    await Promise.all(group.map(async (r) => {
      const { deployment } = await store.requestDeployment(r, deploy(r, e % 2));
      await store.startDeployment(deployment.id, "digest");
      await store.finishDeployment(deployment.id, { status: "succeeded", outputs: { Id: r.key } });
    }));
    count += group.length;
  }
  return count;
}

function version(template: string, kind: NewVersion["kind"], bundle: string): NewVersion {
  const digest = createHash("sha256").update(`${template}-${bundle}`).digest("hex");
  return {
    template, kind, major: 1, status: "published", digest, artifact: `file:///bench/${digest}.tar.gz`,
    source: { repository: "acme/templates", commit: `c-${template}-${bundle}` }, schema: null, reasons: [],
  };
}

function record(key: string, over: Partial<ResourceRecord>): ResourceRecord {
  return {
    key, kind: "environment", name: key, template: { name: "net", major: 1 }, inputs: {}, provisioner: "local",
    source: "acme/fleet", declared: { file: `inventory/${key}.yaml`, line: 1 }, ...over,
  };
}

function deploy(r: ResourceRecord, minor: number): NewDeployment {
  return {
    resource: r.key, action: "deploy", template: r.template.name, major: 1, minor, inputs: {}, provisioner: "local",
    provisionerSettings: { kind: "command", deploy: "true" }, requestedBy: { actor: "bench", reason: "inventory change" },
  };
}
