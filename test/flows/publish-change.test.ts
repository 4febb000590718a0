import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { unpackBundle } from "../../src/bundle/archive/archive.js";
import { createLocalArtifactStore } from "../../src/adapters/artifacts/local.js";
import type { ArtifactStore } from "../../src/ports/artifact-store.js";
import { createRenderPool } from "../../src/jinja/pool.js";
import { publishChange, type PublishOutcome } from "../../src/flows/publish-change.js";
import { publishSummary } from "../../src/present/publish-reply.js";
import type { VersionStore } from "../../src/ports/registry.js";
import { exampleFiles } from "../support/app-harness.js";
import { testRegistry, type TestRegistry } from "../support/registry.js";
import { snapshot } from "../support/snapshot.js";

const SVC = "templates/load-balanced-fargate-svc/v1";
const base = exampleFiles();
const withRetention = (files: Record<string, string>) => ({
  ...files,
  [`${SVC}/schema/schema.yaml`]: files[`${SVC}/schema/schema.yaml`]!.replace("        env_vars:", "        log_retention_days:\n          type: number\n          default: 14\n        env_vars:"),
});

const renderer = createRenderPool({ size: 2 });
afterAll(() => renderer.close());

let db: TestRegistry;
let store: VersionStore;
let artifacts: ArtifactStore;
beforeEach(async () => {
  db = await testRegistry();
  store = db.registry.versions({ login: "acme" });
  artifacts = createLocalArtifactStore({ dir: mkdtempSync(join(tmpdir(), "baryon-artifacts-")) });
});
afterEach(() => db.drop());

const publish = (files: Record<string, string>, commit: string, extra: { versions?: VersionStore; status?: "draft" | "published"; mirror?: boolean; pullRequest?: number; base?: Record<string, string>; repository?: string } = {}) =>
  publishChange(
    { repository: extra.repository ?? "acme/templates", commit, status: extra.status ?? "published", ...(extra.pullRequest ? { pullRequest: extra.pullRequest } : {}), ...(extra.mirror ? { mirror: true } : {}) },
    {
      head: async () => snapshot(files), versions: extra.versions ?? store, artifacts, renderer,
      ...(extra.base ? { base: async () => snapshot(extra.base!) } : {}),
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
    const svc = await store.getVersion("load-balanced-fargate-svc", 1, 0);
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
    expect(svc).toMatchObject({ result: "published", version: "1.1", recordedNow: true });
    expect(publishSummary(outcomes)).toBe("Published load-balanced-fargate-svc 1.1");
    expect((await store.getVersion("load-balanced-fargate-svc", 1, 1))?.reasons).toContainEqual({ path: "service_instance.inputs.log_retention_days", change: "optional input added (default 14)", breaking: false });
    expect((await store.recommendedVersion("load-balanced-fargate-svc"))).toMatchObject({ major: 1, minor: 1 });
  });

  it("publishes only what the change touched, so a late job of an older merge cannot undo a newer one", async () => {
    await publish(base, "c1");
    const newer = withRetention(base);
    await publish(newer, "c3", { base }); // a later merge of the service template: 1.1
    // The job of an earlier merge (it changed only fargate-env) runs late, from a tree without the service change.
    const older = { ...base, "templates/fargate-env/v1/infrastructure/cloudformation.yaml": base["templates/fargate-env/v1/infrastructure/cloudformation.yaml"] + "# tuned\n" };
    const outcomes = await publish(older, "c2", { base });
    expect(brief(outcomes)).toEqual(["fargate-env v1: published 1.1"]);
    expect((await store.recommendedVersion("load-balanced-fargate-svc"))).toMatchObject({ major: 1, minor: 1, source: expect.objectContaining({ commit: "c3" }) });
  });

  it("refuses a template whose name another repository already publishes", async () => {
    await publish(base, "c1");
    const outcomes = await publish(withRetention(base), "x1", { repository: "someone/else" });
    expect(outcomes.find((o) => o.template === "load-balanced-fargate-svc")).toMatchObject({
      result: "refused", reason: 'template "load-balanced-fargate-svc" is published from acme/templates; a template of the same name in someone/else cannot be published (rename it, or move it there)',
    });
    expect(await store.latestMinor("load-balanced-fargate-svc", 1)).toBe(0);
  });

  it("refuses a breaking change merged into an existing major, and says how to fix it", async () => {
    await publish(base, "c1");
    const broken = { ...base, [`${SVC}/schema/schema.yaml`]: base[`${SVC}/schema/schema.yaml`]!.replace('enum: ["x-small", "small", "medium", "large", "x-large"]', 'enum: ["x-small", "small", "medium", "large"]') };
    const outcomes = await publish(broken, "c2");
    expect(outcomes.find((o) => o.template === "load-balanced-fargate-svc")).toMatchObject({
      result: "refused",
      reason: expect.stringMatching(/^1 error, first: templates\/load-balanced-fargate-svc\/v1\/schema\/schema.yaml:\d+: breaking change inside v1\/ \(service_instance.inputs.task_size: enum narrowed: removed "x-large"\).*new folder v2\//),
    });
    expect(await store.latestMinor("load-balanced-fargate-svc", 1)).toBe(0);
    expect(publishSummary(outcomes)).toMatch(/^Not published: load-balanced-fargate-svc v1: 1 error, first: .*breaking change/);
  });

  it("publishes a new major folder as 2.0, and keeps drafts out of the recommendation", async () => {
    await publish(base, "c1");
    const v2 = Object.fromEntries(Object.entries(base).filter(([p]) => p.startsWith("templates/fargate-env/v1/")).map(([p, c]) => [p.replace("/v1/", "/v2/"), c]));
    const outcomes = await publish({ ...base, ...v2 }, "c2", { status: "draft" });
    expect(brief(outcomes)).toContain("fargate-env v2: draft 2.0");
    expect(await store.recommendedVersion("fargate-env")).toMatchObject({ major: 1, minor: 0 });
  });

  it("does not publish a bundle with errors", async () => {
    const broken = { ...base, [`${SVC}/.template-registration.yaml`]: "compatible_environments:\n  - fargate-env\n" };
    const outcomes = await publish(broken, "c1");
    expect(outcomes.find((o) => o.template === "load-balanced-fargate-svc")).toMatchObject({ result: "refused", reason: expect.stringMatching(/1 error, first: .*template-registration.yaml:2/) });
    expect(await store.listVersions("load-balanced-fargate-svc")).toEqual([]);
  });

  it("records new versions as waiting for the mirror job, with what that job needs in the outcome", async () => {
    const outcomes = await publish(base, "c1", { mirror: true });
    expect(outcomes.find((o) => o.template === "vpc-tf-env")).toEqual({
      template: "vpc-tf-env", major: 1, minor: 0, version: "1.0", result: "published", recordedNow: true, reasons: expect.any(Array),
    });
    expect((await store.getVersion("vpc-tf-env", 1, 0))?.mirror).toEqual({ status: "pending" });
    // The same job again (a retry): the version is this commit's, but this call recorded nothing.
    expect((await publish(base, "c1", { mirror: true })).find((o) => o.template === "vpc-tf-env")).toMatchObject({ result: "published", recordedNow: false });
    await publish(withRetention(base), "c2");
    expect((await store.getVersion("load-balanced-fargate-svc", 1, 1))?.mirror).toBeUndefined();
  });

  it("a version recorded under an older digest with the same files publishes nothing", async () => {
    // Registries from before digests named content hold the digest of a .tar.gz.
    const { packBundle } = await import("../../src/bundle/archive/archive.js");
    const { parseRepository } = await import("../../src/bundle/parse/repository.js");
    const bundle = parseRepository(snapshot(base)).templates.find((t) => t.name === "fargate-env")!.bundles[0]!;
    const packed = await packBundle(bundle);
    const stored = await artifacts.put(packed.digest, packed.bytes);
    await store.recordVersion({
      template: "fargate-env", kind: "environment", major: 1, status: "published", digest: "0".repeat(64), artifact: stored.location,
      source: { repository: "acme/templates", commit: "c0" }, schema: bundle.schema ?? null, reasons: [],
    });
    // Same files: nothing to assess, so an example spec gone bad (it is outside the bundle) refuses nothing.
    const badSpec = { ...base, "templates/fargate-env/spec/spec.yaml": "proton: EnvironmentSpec\nspec:\n  vpc_cidr: 42\n" };
    const outcomes = await publish(badSpec, "c1");
    expect(brief(outcomes)).toContain("fargate-env v1: unchanged 1.0");
    expect((await store.listVersions("fargate-env")).map((v) => `${v.major}.${v.minor}`)).toEqual(["1.0"]);
    // A real change after it still classifies against the stored files and takes 1.1.
    const tuned = { ...base, "templates/fargate-env/v1/infrastructure/cloudformation.yaml": base["templates/fargate-env/v1/infrastructure/cloudformation.yaml"] + "# tuned\n" };
    const next = (await publish(tuned, "c2")).find((o) => o.template === "fargate-env");
    expect(next).toMatchObject({ result: "published", version: "1.1", reasons: [{ path: "infrastructure/cloudformation.yaml", change: "file changed", breaking: false }] });
  });
});

describe("publishChange under concurrency and crashes", () => {
  it("the same merge processed by several workers at once yields each version exactly once", async () => {
    await publish(base, "c1");
    const workers = await Promise.all([1, 2, 3, 4].map(() => db.connect()));
    const results = await Promise.all(workers.map((registry) => publish(withRetention(base), "c2", { versions: registry.versions({ login: "acme" }) })));
    // Every worker reports the version as published by this commit; only one created it.
    for (const r of results) expect(r.find((o) => o.template === "load-balanced-fargate-svc")).toMatchObject({ result: "published", version: "1.1" });
    const versions = await store.listVersions("load-balanced-fargate-svc");
    expect(versions.map((v) => `${v.major}.${v.minor}`)).toEqual(["1.0", "1.1"]);
  });

  it("a worker killed after storing the artifact is retried: one version, contiguous numbers, intact artifacts", async () => {
    let killed = false;
    const crashing: VersionStore = new Proxy(store, {
      get(target, prop, receiver) {
        if (prop === "recordVersion") {
          return async (...args: Parameters<VersionStore["recordVersion"]>) => {
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
    await expect(publish(base, "c1", { versions: crashing })).rejects.toThrow("worker killed");
    expect(await store.listVersions("load-balanced-fargate-svc")).toEqual([]);
    const retried = await publish(base, "c1", { versions: crashing });
    expect(brief(retried)).toEqual(["fargate-env v1: published 1.0", "load-balanced-fargate-svc v1: published 1.0", "vpc-tf-env v1: published 1.0"]);
    await publish(withRetention(base), "c2", { versions: crashing });
    const versions = await store.listVersions("load-balanced-fargate-svc");
    expect(versions.map((v) => `${v.major}.${v.minor}`)).toEqual(["1.0", "1.1"]);
    for (const v of versions) expect((await artifacts.get(v.artifact)).length).toBeGreaterThan(0); // get() re-checks the digest
  });
});

describe("publishChange with the render gate", () => {
  it("does not publish a bundle whose example spec fails to render, and says where", async () => {
    const cfn = `${SVC}/instance_infrastructure/cloudformation.yaml`;
    const broken = { ...base, [cfn]: base[cfn]!.replace("{{ service_instance.inputs.port }}", "{{ service_instance.inputs.port | no_such_filter }}") };
    const outcomes = await publish(broken, "c1");
    expect(outcomes.find((o) => o.template === "load-balanced-fargate-svc")).toMatchObject({ result: "refused", reason: expect.stringMatching(new RegExp(`first: ${cfn}:\\d+: .*no_such_filter`)) });
    expect(outcomes.find((o) => o.template === "fargate-env")).toMatchObject({ result: "published", version: "1.0" });
  });
});
