// The mirror job against a real Postgres registry, a real local artifact store, the
// in-process queue, and AWS Proton mocked (tests cannot reach AWS).
import { mkdtempSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CreateEnvironmentTemplateVersionCommand, ThrottlingException, UpdateEnvironmentTemplateVersionCommand, type TemplateVersionStatus } from "@aws-sdk/client-proton";
import { afterEach, describe, expect, it } from "vitest";
import { createLocalArtifactStore } from "../../src/adapters/artifacts/local.js";
import { createMetrics } from "../../src/adapters/metrics.js";
import { protonMirror } from "../../src/adapters/proton/version-mirror.js";
import { createInProcessQueue } from "../../src/adapters/queue/in-process.js";
import { packBundle } from "../../src/bundle/archive/archive.js";
import { composeAdapters } from "../../src/compose/adapters.js";
import { settingsFromEnv } from "../../src/compose/settings.js";
import { enqueue, work, type JobContext } from "../../src/jobs/job-kind.js";
import { mirrorJob, type MirrorJobData } from "../../src/jobs/mirror.js";
import { PermanentJobError } from "../../src/ports/job-queue.js";
import { bundleOf, SMALL_BUNDLE } from "../artifacts/helpers.js";
import { meta, rig, type Rig } from "../provision/proton/helpers.js";
import { testRegistry, type TestRegistry } from "../support/registry.js";

const envVersion = (status: TemplateVersionStatus) => ({
  environmentTemplateVersion: {
    templateName: "fargate-env", majorVersion: "1", minorVersion: "0", status,
    arn: "arn:aws:proton:us-east-1:123456789012:environment-template/fargate-env:1.0", createdAt: new Date(0), lastModifiedAt: new Date(0),
  },
  ...meta,
});

interface World {
  db: TestRegistry;
  proton: Rig;
  context: JobContext;
  logs: string[];
  /** Records fargate-env 1.0 for `owner`, to be mirrored, with `files` as its stored bundle. */
  pending(owner: string, files?: Record<string, string>): Promise<{ location: string }>;
  state(owner: string): Promise<unknown>;
  run(data: Partial<MirrorJobData> & { owner: string }): Promise<string>;
  close(): Promise<void>;
}

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** A worker whose mirror serves acme, with Proton answering as `answer` sets it up. */
async function start(answer: (proton: Rig["proton"]) => void = succeed): Promise<World> {
  const db = await testRegistry();
  const proton = rig();
  answer(proton.proton);
  const logs: string[] = [];
  const line = (message: string) => void logs.push(message);
  const adapters = await composeAdapters(settingsFromEnv({}).settings!, {
    registry: db.registry,
    artifacts: createLocalArtifactStore({ dir: mkdtempSync(join(tmpdir(), "baryon-mirror-")) }),
    // The queue's own failure lines repeat the job's; the job's are the ones asserted on.
    queue: createInProcessQueue({ logger: { warn: () => undefined, error: () => undefined } }),
    mirror: protonMirror(proton.publisher, "acme"),
  });
  const context: JobContext = { adapters, metrics: createMetrics(), log: { info: (_f, m) => line(m), warn: (_f, m) => line(m), error: (_f, m) => line(m) } };
  work(mirrorJob, context);
  const store = (owner: string) => db.registry.versions({ login: owner });
  world = {
    db, proton, context, logs,
    async pending(owner, files = SMALL_BUNDLE) {
      const packed = await packBundle(bundleOf("fargate-env/v1", files));
      const stored = await adapters.artifacts.put(packed.digest, packed.bytes);
      await store(owner).recordVersion({
        template: "fargate-env", kind: "environment", major: 1, status: "published", digest: packed.digest, artifact: stored.location,
        source: { repository: `${owner}/templates`, commit: "a".repeat(40) }, schema: null, reasons: [], mirror: true,
      });
      return stored;
    },
    state: async (owner) => (await store(owner).getVersion("fargate-env", 1, 0))?.mirror,
    async run(data) {
      await enqueue(adapters.queue, mirrorJob, { template: "fargate-env", major: 1, minor: 0, ...data });
      await adapters.queue.idle();
      return logs.join("\n");
    },
    async close() {
      await adapters.queue.close();
      await adapters.close();
      proton.restore();
      await db.drop();
    },
  };
  return world;
}

function succeed(proton: Rig["proton"]) {
  proton.on(CreateEnvironmentTemplateVersionCommand).resolves(envVersion("DRAFT"));
  proton.on(UpdateEnvironmentTemplateVersionCommand).resolves(envVersion("PUBLISHED"));
}

const creates = (w: World) => w.proton.proton.commandCalls(CreateEnvironmentTemplateVersionCommand).map((c) => c.args[0].input);

describe("the mirror job", () => {
  it("mirrors only its owner's versions: another owner's template of the same name never reaches Proton", async () => {
    const w = await start();
    await w.pending("acme");
    await w.pending("globex");

    await w.run({ owner: "acme" });
    const log = await w.run({ owner: "globex" });

    expect(creates(w)).toHaveLength(1);
    expect(await w.state("acme")).toEqual({ status: "done" });
    expect(log).toContain("mirror mirror:globex/fargate-env@1.0: not mirrored: globex is not the mirror's owner");
    // Settled, so the resync does not come back for it.
    expect(await w.state("globex")).toEqual({ status: "failed", error: "globex is not the mirror's owner (acme)" });
    expect(await w.db.registry.pendingMirrors()).toEqual([]);
  });

  it("retries a throttled Proton with the same idempotency token, and records the version as mirrored", async () => {
    const w = await start((proton) => {
      succeed(proton);
      proton.on(CreateEnvironmentTemplateVersionCommand)
        .rejectsOnce(new ThrottlingException({ message: "Rate exceeded", $metadata: { httpStatusCode: 400 } }))
        .resolves(envVersion("DRAFT"));
    });
    await w.pending("acme");

    const log = await w.run({ owner: "acme" });

    expect(log).toMatch(/failed: AWS Proton CreateEnvironmentTemplateVersion failed: ThrottlingException/);
    expect(await w.state("acme")).toEqual({ status: "done" });
    const tokens = creates(w).map((c) => c.clientToken);
    expect(tokens).toHaveLength(2);
    expect(tokens[1]).toBe(tokens[0]);
  });

  it("leaves a version pending for the resync when Proton stays throttled past the job's attempts", async () => {
    const w = await start((proton) => {
      proton.on(CreateEnvironmentTemplateVersionCommand).rejects(new ThrottlingException({ message: "Rate exceeded", $metadata: { httpStatusCode: 400 } }));
    });
    await w.pending("acme");
    await w.run({ owner: "acme" });
    expect(creates(w).length).toBeGreaterThan(1);
    expect(await w.state("acme")).toEqual({ status: "pending" });
  });

  it("records a version whose stored bundle is gone as failed, and gives up at once", async () => {
    const w = await start();
    const { location } = await w.pending("acme");
    unlinkSync(fileURLToPath(location));

    const log = await w.run({ owner: "acme" });

    expect(await w.state("acme")).toEqual({ status: "failed", error: `its stored bundle cannot be read: no artifact at ${location}` });
    expect(await w.db.registry.pendingMirrors()).toEqual([]);
    expect(log.match(/failed:/g)).toHaveLength(1); // not retried
    expect(creates(w)).toEqual([]);
  });

  it("records a version whose stored bundle does not parse as failed", async () => {
    const w = await start();
    await w.pending("acme", { "README.md": "not a bundle\n" });
    await w.run({ owner: "acme" });
    expect(await w.state("acme")).toEqual({ status: "failed", error: "its stored bundle cannot be read: it does not parse as a bundle" });
    expect(await w.db.registry.pendingMirrors()).toEqual([]);
    expect(creates(w)).toEqual([]);
  });

  it("fails for good on a version the registry does not have", async () => {
    const w = await start();
    await expect(mirrorJob.run({ owner: "acme", template: "fargate-env", major: 1, minor: 0 }, w.context, { attempt: 1 })).rejects.toBeInstanceOf(PermanentJobError);
  });

  it("is one job for one version whatever the case of the owner's login", async () => {
    const w = await start();
    await w.pending("acme");
    const version = { template: "fargate-env", major: 1, minor: 0 };
    expect(mirrorJob.id({ owner: "Acme", ...version })).toBe(mirrorJob.id({ owner: "acme", ...version }));
    expect(mirrorJob.key!({ owner: "Acme", ...version })).toBe(mirrorJob.key!({ owner: "acme", ...version }));

    expect(await enqueue(w.context.adapters.queue, mirrorJob, { owner: "Acme", ...version })).toBe(true);
    expect(await enqueue(w.context.adapters.queue, mirrorJob, { owner: "acme", ...version })).toBe(false);
    await w.context.adapters.queue.idle();
    expect(await w.state("acme")).toEqual({ status: "done" });
    expect(creates(w)).toHaveLength(1);
  });
});
