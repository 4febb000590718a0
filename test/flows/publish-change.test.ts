import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { unpackBundle } from "../../src/bundle/archive/archive.js";
import { createLocalArtifactStore } from "../../src/adapters/artifacts/local.js";
import type { ArtifactStore } from "../../src/ports/artifact-store.js";
import { publishChange, type PublishOutcome, type VersionMirror } from "../../src/flows/publish-change.js";
import { publishSummary } from "../../src/present/publish-reply.js";
import type { Registry } from "../../src/ports/registry.js";
import { exampleFiles } from "../support/app-harness.js";
import { testRegistry, type TestRegistry } from "../support/registry.js";
import { snapshot } from "../support/snapshot.js";

const SVC = "templates/load-balanced-fargate-svc/v1";
const base = exampleFiles();
const withRetention = (files: Record<string, string>) => ({
  ...files,
  [`${SVC}/schema/schema.yaml`]: files[`${SVC}/schema/schema.yaml`]!.replace("        env_vars:", "        log_retention_days:\n          type: number\n          default: 14\n        env_vars:"),
});

let db: TestRegistry;
let artifacts: ArtifactStore;
beforeEach(async () => {
  db = await testRegistry();
  artifacts = createLocalArtifactStore({ dir: mkdtempSync(join(tmpdir(), "baryon-artifacts-")) });
});
afterEach(() => db.drop());

const publish = (files: Record<string, string>, commit: string, extra: { registry?: Registry; status?: "draft" | "published"; mirror?: VersionMirror; pullRequest?: number; base?: Record<string, string>; repository?: string } = {}) =>
  publishChange(
    { repository: extra.repository ?? "acme/templates", commit, status: extra.status ?? "published", ...(extra.pullRequest ? { pullRequest: extra.pullRequest } : {}) },
    {
      head: async () => snapshot(files), registry: extra.registry ?? db.registry, artifacts,
      ...(extra.base ? { base: async () => snapshot(extra.base!) } : {}),
      ...(extra.mirror ? { mirror: extra.mirror } : {}),
    },
  );

const brief = (outcomes: PublishOutcome[]) => outcomes.map((o) => `${o.template} v${o.major}: ${o.result}${"version" in o ? ` ${o.version}` : ""}`);

describe("publishChange", () => {
  it("publishes 1.0 of every template first, stores each bundle, then publishes nothing for the same content", async () => {
    const first = await publish(base, "c1");
    expect(brief(first)).toEqual([
      "fargate-env v1: published 1.0",
      "load-balanced-fargate-svc v1: published 1.0",
      "vpc-tf-env v1: published 1.0",
    ]);
    const svc = await db.registry.getVersion("load-balanced-fargate-svc", 1, 0);
    expect(svc).toMatchObject({ kind: "service", status: "published", source: { repository: "acme/templates", commit: "c1" } });
    const files = await unpackBundle(await artifacts.get(svc!.artifact));
    expect(new TextDecoder().decode(files.get("schema/schema.yaml"))).toBe(base[`${SVC}/schema/schema.yaml`]);
    expect(brief(await publish(base, "c2"))).toEqual([
      "fargate-env v1: unchanged 1.0",
      "load-balanced-fargate-svc v1: unchanged 1.0",
      "vpc-tf-env v1: unchanged 1.0",
    ]);
    expect(publishSummary(await publish(base, "c2"))).toBeUndefined();
  });

  it("a compatible change publishes the next minor with its reasons", async () => {
    await publish(base, "c1");
    const outcomes = await publish(withRetention(base), "c2", { pullRequest: 12 });
    const svc = outcomes.find((o) => o.template === "load-balanced-fargate-svc")!;
    expect(svc).toMatchObject({ result: "published", version: "1.1", createdNow: true });
    expect(publishSummary(outcomes)).toBe("Published load-balanced-fargate-svc 1.1");
    expect((await db.registry.getVersion("load-balanced-fargate-svc", 1, 1))?.reasons).toContainEqual({ path: "service_instance.inputs.log_retention_days", change: "optional input added (default 14)", breaking: false });
    expect((await db.registry.recommendedVersion("load-balanced-fargate-svc"))).toMatchObject({ major: 1, minor: 1 });
  });

  it("publishes only what the change touched, so a late job of an older merge cannot undo a newer one", async () => {
    await publish(base, "c1");
    const newer = withRetention(base);
    await publish(newer, "c3", { base }); // a later merge of the service template: 1.1
    // The job of an earlier merge (it changed only fargate-env) runs late, from a tree without the service change.
    const older = { ...base, "templates/fargate-env/v1/infrastructure/cloudformation.yaml": base["templates/fargate-env/v1/infrastructure/cloudformation.yaml"] + "# tuned\n" };
    const outcomes = await publish(older, "c2", { base });
    expect(brief(outcomes)).toEqual(["fargate-env v1: published 1.1"]);
    expect((await db.registry.recommendedVersion("load-balanced-fargate-svc"))).toMatchObject({ major: 1, minor: 1, source: expect.objectContaining({ commit: "c3" }) });
  });

  it("refuses a template whose name another repository already publishes", async () => {
    await publish(base, "c1");
    const outcomes = await publish(withRetention(base), "x1", { repository: "someone/else" });
    expect(outcomes.find((o) => o.template === "load-balanced-fargate-svc")).toMatchObject({
      result: "refused", reason: 'template "load-balanced-fargate-svc" is published from acme/templates; a template of the same name in someone/else is not published (rename it)',
    });
    expect(await db.registry.latestMinor("load-balanced-fargate-svc", 1)).toBe(0);
  });

  it("refuses a breaking change merged into an existing major, and says how to fix it", async () => {
    await publish(base, "c1");
    const broken = { ...base, [`${SVC}/schema/schema.yaml`]: base[`${SVC}/schema/schema.yaml`]!.replace('enum: ["x-small", "small", "medium", "large", "x-large"]', 'enum: ["x-small", "small", "medium", "large"]') };
    const outcomes = await publish(broken, "c2");
    expect(outcomes.find((o) => o.template === "load-balanced-fargate-svc")).toMatchObject({
      result: "refused",
      reason: expect.stringMatching(/breaking change inside v1\/ \(service_instance.inputs.task_size: enum narrowed: removed "x-large"\).*Put it in v2\//),
    });
    expect(await db.registry.latestMinor("load-balanced-fargate-svc", 1)).toBe(0);
    expect(publishSummary(outcomes)).toMatch(/^Not published: load-balanced-fargate-svc v1: breaking change/);
  });

  it("publishes a new major folder as 2.0, and keeps drafts out of the recommendation", async () => {
    await publish(base, "c1");
    const v2 = Object.fromEntries(Object.entries(base).filter(([p]) => p.startsWith("templates/fargate-env/v1/")).map(([p, c]) => [p.replace("/v1/", "/v2/"), c]));
    const outcomes = await publish({ ...base, ...v2 }, "c2", { status: "draft" });
    expect(brief(outcomes)).toContain("fargate-env v2: draft 2.0");
    expect(await db.registry.recommendedVersion("fargate-env")).toMatchObject({ major: 1, minor: 0 });
  });

  it("does not publish a bundle with errors", async () => {
    const broken = { ...base, [`${SVC}/.template-registration.yaml`]: "compatible_environments:\n  - fargate-env\n" };
    const outcomes = await publish(broken, "c1");
    expect(outcomes.find((o) => o.template === "load-balanced-fargate-svc")).toMatchObject({ result: "refused", reason: expect.stringMatching(/1 error, first: .*template-registration.yaml:2/) });
    expect(await db.registry.listVersions("load-balanced-fargate-svc")).toEqual([]);
  });

  it("mirrors each new version once, says when the mirror fails, and keeps Baryon's version", async () => {
    const calls: string[] = [];
    const mirror: VersionMirror = {
      name: "AWS Proton",
      async publish(version, _bundle, _bytes, isNewMajor) {
        calls.push(`${version.template} ${version.major}.${version.minor}${isNewMajor ? " (new major)" : ""}`);
        return version.template === "vpc-tf-env" ? { ok: false, error: "REGISTRATION_FAILED: bad bundle" } : { ok: true };
      },
    };
    const outcomes = await publish(base, "c1", { mirror });
    await publish(base, "c1", { mirror });
    expect(calls).toEqual(["fargate-env 1.0 (new major)", "load-balanced-fargate-svc 1.0 (new major)", "vpc-tf-env 1.0 (new major)"]);
    expect(publishSummary(outcomes)).toContain("Published vpc-tf-env 1.0 (not mirrored: AWS Proton: REGISTRATION_FAILED: bad bundle)");
    expect(await db.registry.getVersion("vpc-tf-env", 1, 0)).toBeDefined();
  });
});

describe("publishChange under concurrency and crashes", () => {
  it("the same merge processed by several workers at once yields each version exactly once", async () => {
    await publish(base, "c1");
    const workers = await Promise.all([1, 2, 3, 4].map(() => db.connect()));
    const results = await Promise.all(workers.map((registry) => publish(withRetention(base), "c2", { registry })));
    // Every worker reports the version as published by this commit; only one created it.
    for (const r of results) expect(r.find((o) => o.template === "load-balanced-fargate-svc")).toMatchObject({ result: "published", version: "1.1" });
    const versions = await db.registry.listVersions("load-balanced-fargate-svc");
    expect(versions.map((v) => `${v.major}.${v.minor}`)).toEqual(["1.0", "1.1"]);
  });

  it("a worker killed after storing the artifact is retried: one version, contiguous numbers, intact artifacts", async () => {
    let killed = false;
    const crashing: Registry = new Proxy(db.registry, {
      get(target, prop, receiver) {
        if (prop === "recordVersion") {
          return async (...args: Parameters<Registry["recordVersion"]>) => {
            if (!killed && args[0].template === "load-balanced-fargate-svc") {
              killed = true;
              throw new Error("worker killed");
            }
            return target.recordVersion(...args);
          };
        }
        return Reflect.get(target, prop, receiver);
      },
    });
    await expect(publish(base, "c1", { registry: crashing })).rejects.toThrow("worker killed");
    expect(await db.registry.listVersions("load-balanced-fargate-svc")).toEqual([]);
    const retried = await publish(base, "c1", { registry: crashing });
    expect(brief(retried)).toEqual(["fargate-env v1: published 1.0", "load-balanced-fargate-svc v1: published 1.0", "vpc-tf-env v1: published 1.0"]);
    await publish(withRetention(base), "c2", { registry: crashing });
    const versions = await db.registry.listVersions("load-balanced-fargate-svc");
    expect(versions.map((v) => `${v.major}.${v.minor}`)).toEqual(["1.0", "1.1"]);
    for (const v of versions) expect((await artifacts.get(v.artifact)).length).toBeGreaterThan(0); // get() re-checks the digest
  });
});

describe("publishChange with the render gate", () => {
  it("does not publish a bundle whose example spec fails to render, and says where", async () => {
    const { createRenderPool } = await import("../../src/jinja/pool.js");
    const renderer = createRenderPool({ size: 1 });
    try {
      const cfn = `${SVC}/instance_infrastructure/cloudformation.yaml`;
      const broken = { ...base, [cfn]: base[cfn]!.replace("{{ service_instance.inputs.port }}", "{{ service_instance.inputs.port | no_such_filter }}") };
      const outcomes = await publishChange(
        { repository: "acme/templates", commit: "c1", status: "published" },
        { head: async () => snapshot(broken), registry: db.registry, artifacts, renderer },
      );
      expect(outcomes.find((o) => o.template === "load-balanced-fargate-svc")).toMatchObject({ result: "refused", reason: expect.stringMatching(new RegExp(`first: ${cfn}:\\d+: .*no_such_filter`)) });
      expect(outcomes.find((o) => o.template === "fargate-env")).toMatchObject({ result: "published", version: "1.0" });
    } finally {
      await renderer.close();
    }
  });
});
