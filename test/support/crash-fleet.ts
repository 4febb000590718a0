// A large fleet for the rollout crash test, seeded fast: a tiny catalog (environment
// template `net`, service template `worker`) published at 1.0, environments in the stages
// test, staging and prod, and worker instances spread over them, each recorded as deployed
// at 1.0 straight through the DeploymentStore (rather than by running a thousand commands).
// Then 1.1 of `worker` (an IaC-only change) is published, ready for its rollout; and the
// registry is read back with SQL to check what the rollout did, resource by resource.
import pg from "pg";
import { expect } from "vitest";
import type { ProvisionerSettings } from "../../src/config/repo-config.js";
import { publishChange, type PublishOutcome } from "../../src/flows/publish-change.js";
import { DEFAULT_STAGE, type RolloutPolicy } from "../../src/rollout/policy.js";
import type { ArtifactStore } from "../../src/ports/artifact-store.js";
import type { ResourceRecord } from "../../src/ports/deployment-store.js";
import type { Owner, Registry } from "../../src/ports/registry.js";
import type { Renderer } from "../../src/ports/renderer.js";
import { DATABASE_URL } from "./registry.js";
import { CFN_MANIFEST, ENV_SCHEMA, snapshot } from "./snapshot.js";

export const STAGES = ["test", "staging", "prod"] as const;
export type Stage = (typeof STAGES)[number];

const WORKER_SCHEMA = `schema:
  format:
    openapi: "3.0.0"
  service_input_type: "In"
  types:
    In:
      type: object
      properties:
        image:
          type: string
      required: [image]
`;
const topic = (name: string) => `Resources:\n  Thing:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: ${name}\n`;
const CATALOG: Record<string, string> = {
  "net/v1/schema/schema.yaml": ENV_SCHEMA,
  "net/v1/infrastructure/manifest.yaml": CFN_MANIFEST,
  "net/v1/infrastructure/cloudformation.yaml": topic("net-{{ environment.name }}"),
  "worker/v1/schema/schema.yaml": WORKER_SCHEMA,
  "worker/v1/instance_infrastructure/manifest.yaml": CFN_MANIFEST,
  "worker/v1/instance_infrastructure/cloudformation.yaml": topic("w-{{ service_instance.name }}"),
  "worker/v1/.template-registration.yaml": "compatible_environments:\n  - net:1\n",
};

export interface FleetAdapters {
  registry: Registry;
  artifacts: ArtifactStore;
  renderer: Renderer;
}

export interface FleetShape {
  /** Worker instances per stage. */
  instances: Record<Stage, number>;
  /** Instances per service (each service is one ServiceSpec file). */
  perService: number;
  /** Environments per stage; instances are dealt over them in turn. */
  environmentsPerStage: number;
}

/** A 3-stage policy: the same batch everywhere, `soakMs` on test and staging, every gate automatic. */
export function threeStagePolicy(batchPercent: number, soakMs: number): RolloutPolicy {
  return {
    stages: STAGES.map((name) => ({ ...DEFAULT_STAGE, name, batch: { percent: batchPercent }, soakMs: name === "prod" ? 0 : soakMs })),
    autoRollback: false,
  };
}

/**
 * Publishes worker and net 1.0, then records every environment and instance of `shape`
 * with a succeeded 1.0 deployment through provisioner `local` (`settings`). Returns the
 * instances' keys by stage.
 */
export async function seedFleet(adapters: FleetAdapters, owner: Owner, shape: FleetShape, settings: ProvisionerSettings): Promise<Record<Stage, string[]>> {
  const published = await publish(adapters, owner, CATALOG, "c1");
  expect(published.map((o) => `${o.template} ${o.result}`)).toEqual(["net published", "worker published"]);
  const store = adapters.registry.deployments(owner);
  const record = async (resource: ResourceRecord) => {
    const { deployment } = await store.requestDeployment(resource, {
      resource: resource.key, action: "deploy", template: resource.template.name, major: 1, minor: 0, inputs: resource.inputs,
      provisioner: "local", provisionerSettings: settings, requestedBy: { actor: "octocat", reason: "inventory change", repository: `${owner.login}/fleet` },
    });
    expect(await store.startDeployment(deployment.id, "0".repeat(64))).toBe(true);
    expect(await store.finishDeployment(deployment.id, { status: "succeeded", outputs: { TopicName: `seeded-${resource.name}` } })).toBe(true);
  };
  const base = { provisioner: "local", source: `${owner.login}/fleet` };
  const environments = STAGES.flatMap((stage) => Array.from({ length: shape.environmentsPerStage }, (_, i): ResourceRecord => ({
    ...base, key: `${stage}-${i}`, kind: "environment", name: `${stage}-${i}`, stage, template: { name: "net", major: 1 },
    inputs: { count: 1 }, declared: { file: `inventory/${stage}-${i}.yaml`, line: 1 },
  })));
  for (const environment of environments) await record(environment);

  const keys = { test: [], staging: [], prod: [] } as Record<Stage, string[]>;
  const instances: ResourceRecord[] = [];
  let n = 0;
  for (const stage of STAGES) {
    for (let i = 0; i < shape.instances[stage]; i++, n++) {
      const service = `svc-${Math.floor(n / shape.perService)}`;
      const name = `w-${n}`;
      instances.push({
        ...base, key: `${service}/${name}`, kind: "service_instance", name, service, environment: `${stage}-${i % shape.environmentsPerStage}`, stage,
        template: { name: "worker", major: 1 }, inputs: { image: "nginx" }, declared: { file: `inventory/${service}.yaml`, line: 1 + (n % shape.perService) },
      });
      keys[stage].push(`${service}/${name}`);
    }
  }
  // As many at a time as the registry's pool has connections (ten).
  let next = 0;
  await Promise.all(Array.from({ length: 10 }, async () => {
    while (next < instances.length) await record(instances[next++]!);
  }));
  return keys;
}

/** Publishes worker 1.1: its IaC changed, nothing else. */
export async function publishWorkerMinor(adapters: FleetAdapters, owner: Owner): Promise<PublishOutcome[]> {
  const files = { ...CATALOG, "worker/v1/instance_infrastructure/cloudformation.yaml": topic("w11-{{ service_instance.name }}") };
  const outcomes = await publish(adapters, owner, files, "c2");
  expect(outcomes.filter((o) => o.result === "published").map((o) => `${o.template} ${"version" in o ? o.version : ""}`)).toEqual(["worker 1.1"]);
  return outcomes;
}

function publish(adapters: FleetAdapters, owner: Owner, files: Record<string, string>, commit: string): Promise<PublishOutcome[]> {
  return publishChange({ repository: `${owner.login}/templates`, commit, status: "published", pullRequest: 7 }, {
    head: async () => snapshot(files), versions: adapters.registry.versions(owner), artifacts: adapters.artifacts, renderer: adapters.renderer,
  });
}

/** One deployment of a rollout, as the registry records it. */
export interface RolloutDeploymentRow {
  id: string;
  resource: string;
  stage: string;
  status: string;
  minor: number;
  rollback: boolean;
  attempt: number;
  createdAt: Date;
  finishedAt: Date | null;
}

/** Reads the registry of one test schema with plain SQL. */
export async function registrySql(schema: string): Promise<{
  rolloutDeployments(rollout: string): Promise<RolloutDeploymentRow[]>;
  succeeded(rollout: string): Promise<number>;
  close(): Promise<void>;
}> {
  const client = new pg.Client({ connectionString: DATABASE_URL, options: `-c search_path=${schema}` });
  await client.connect();
  return {
    async rolloutDeployments(rollout) {
      const { rows } = await client.query<{
        id: string; resource: string; stage: string; status: string; minor: number; rollback: boolean; rollout_attempt: number; created_at: Date; finished_at: Date | null;
      }>(
        `SELECT d.id::text, d.resource, t.stage, d.status, d.minor, d.rollback, d.rollout_attempt, d.created_at, d.finished_at
         FROM deployments d JOIN rollout_targets t ON t.owner = d.owner AND t.rollout_id = d.rollout_id AND t.resource = d.resource
         WHERE d.rollout_id = $1 ORDER BY d.id`, [rollout],
      );
      return rows.map((r) => ({
        id: r.id, resource: r.resource, stage: r.stage, status: r.status, minor: r.minor, rollback: r.rollback, attempt: r.rollout_attempt,
        createdAt: r.created_at, finishedAt: r.finished_at,
      }));
    },
    async succeeded(rollout) {
      const { rows } = await client.query<{ n: string }>("SELECT count(*) AS n FROM deployments WHERE rollout_id = $1 AND status = 'succeeded'", [rollout]);
      return Number(rows[0]!.n);
    },
    close: () => client.end(),
  };
}

/** The most deployments of one stage that were ever in flight at once (asked for, not yet finished). */
export function peakInFlight(rows: readonly RolloutDeploymentRow[]): number {
  const events = rows.flatMap((r) => [
    { at: r.createdAt.getTime(), delta: 1 },
    { at: r.finishedAt?.getTime() ?? Number.POSITIVE_INFINITY, delta: -1 },
  ]).sort((a, b) => a.at - b.at || a.delta - b.delta);
  let now = 0;
  let peak = 0;
  for (const e of events) peak = Math.max(peak, (now += e.delta));
  return peak;
}
