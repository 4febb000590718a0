// Level-triggered: what the registry records as unfinished is finished by the
// resync job, even when the job that should have done it was lost.
import { describe, expect, it } from "vitest";
import { packBundle } from "../../src/bundle/archive/archive.js";
import { parseRepository } from "../../src/bundle/parse/repository.js";
import type { VersionRecord } from "../../src/ports/registry.js";
import type { VersionMirror } from "../../src/ports/version-mirror.js";
import { createInProcessQueue } from "../../src/adapters/queue/in-process.js";
import type { JobQueue } from "../../src/ports/job-queue.js";
import { exampleFiles, harnessPerTest, SECRET, type Harness } from "../support/app-harness.js";
import { deliver, pullRequestDelivery, pushDelivery } from "../support/fake-github/webhooks.js";
import { snapshot } from "../support/snapshot.js";

let h: Harness;
const harness = harnessPerTest((next) => (h = next));

/** A mirror that records what it was asked to register. */
function recordingMirror(): VersionMirror & { seen: string[] } {
  const seen: string[] = [];
  return {
    name: "recording mirror",
    owner: "acme",
    seen,
    async publish(version: VersionRecord, bundle, tar) {
      seen.push(`${version.template} ${version.major}.${version.minor} ${bundle.kind} ${tar.length > 0}`);
      return { ok: true };
    },
  };
}

/** What the registry holds after a crash between recording a version and queueing its mirror job. */
async function versionWaitingForMirror() {
  const repo = parseRepository(snapshot(exampleFiles()), { templates: "templates" });
  const bundle = repo.templates.find((t) => t.name === "fargate-env")!.bundles[0]!;
  const packed = await packBundle(bundle);
  const stored = await h.app.adapters.artifacts.put(packed.digest, packed.bytes);
  const store = h.db.registry.versions({ login: "acme", installationId: 42 });
  await store.recordVersion({
    template: "fargate-env", kind: "environment", major: 1, status: "published", digest: packed.digest, artifact: stored.location,
    source: { repository: "acme/templates", commit: "a".repeat(40) }, schema: bundle.schema ?? null, reasons: [], mirror: true,
  });
  return store;
}

describe("resync", () => {
  it("mirrors a version whose mirror job was lost, once, after a restart", async () => {
    const mirror = recordingMirror();
    await harness.restart({ mirror });
    const store = await versionWaitingForMirror();
    expect((await store.getVersion("fargate-env", 1, 0))!.mirror).toEqual({ status: "pending" });

    await h.restartApp(); // the resync runs when a worker starts, then on its schedule
    await h.app.queue.idle();
    expect(mirror.seen).toEqual(["fargate-env 1.0 environment true"]);
    expect((await store.getVersion("fargate-env", 1, 0))!.mirror).toEqual({ status: "done" });
    expect(await h.db.registry.pendingMirrors()).toEqual([]);

    // Finished work is not done again.
    await h.restartApp();
    await h.app.queue.idle();
    expect(mirror.seen).toHaveLength(1);
    expect(h.logs.join("")).toMatch(/resync resync@\d+: re-enqueued 0 requested job\(s\), 0 mirror job\(s\), 0 deployment\(s\) and 0 rollout\(s\)/);
  });

  it("records a mirror's refusal as failed, and does not retry it on the next resync", async () => {
    const mirror: VersionMirror = { name: "refusing mirror", owner: "acme", publish: async () => ({ ok: false, error: "quota exceeded" }) };
    await harness.restart({ mirror });
    const store = await versionWaitingForMirror();
    await h.restartApp();
    await h.app.queue.idle();
    expect((await store.getVersion("fargate-env", 1, 0))!.mirror).toEqual({ status: "failed", error: "quota exceeded" });
    expect(await h.db.registry.pendingMirrors()).toEqual([]);
  });
});

/** A queue that loses every job of one name, as a flushed Redis or a restart of an in-process queue would. */
function losing(name: string, queue: JobQueue): JobQueue & { lost: string[] } {
  const lost: string[] = [];
  return {
    lost,
    add: async (n, data, options) => (n === name ? (lost.push(options.id), true) : queue.add(n, data, options)),
    repeat: (n, data, options) => queue.repeat(n, data, options),
    process: (n, handler, options) => queue.process(n, handler, options),
    idle: () => queue.idle(),
    close: () => queue.close(),
  };
}

describe("requested work", () => {
  it("a merge whose publish job was lost is published by the resync, and answered on its pull request", async () => {
    const queue = losing("publish", createInProcessQueue());
    await harness.restart({ queue });
    const repo = h.fake.state.addRepo({ owner: "acme", name: "templates" });
    const main = h.fake.state.commit(repo, { ".github/baryon.yml": "templates: templates\n", ...exampleFiles() }, { branch: "main" });
    await deliver(h.webhookUrl, pushDelivery(h.fake, repo, { ref: "refs/heads/main", before: "0".repeat(40), after: main }, { secret: SECRET }));
    const pull = h.fake.state.openPullRequest(repo, { number: 4, base: main, head: h.fake.state.commit(repo, { "templates/fargate-env/v1/notes.txt": "x\n" }, { parent: main }), author: "octocat" });
    const merged = h.fake.state.closePullRequest(repo, pull.number, { merged: true });
    await deliver(h.webhookUrl, pullRequestDelivery(h.fake, "closed", merged, { secret: SECRET }));
    await h.app.queue.idle();
    expect(queue.lost).toHaveLength(2);
    const store = h.db.registry.versions({ login: "acme" });
    expect(await store.listVersions("fargate-env")).toEqual([]);

    await h.restartApp({ queue: null }); // a new process with a queue of its own; the resync runs at start
    await h.app.queue.idle();
    // The push's fargate-env was changed again by the merge before anything published it:
    // only the merge's content is recorded, as 1.0; the other templates are the push's.
    expect((await store.listVersions("fargate-env")).map((v) => `${v.major}.${v.minor} ${v.source.commit === merged.mergeCommitSha}`)).toEqual(["1.0 true"]);
    expect((await store.listVersions("load-balanced-fargate-svc")).map((v) => `${v.major}.${v.minor} ${v.source.commit === main}`)).toEqual(["1.0 true"]);
    expect(h.fake.state.comments(repo, 4).map((c) => c.body).join("\n")).toContain("Published fargate-env 1.0");
    expect(await h.db.registry.pendingWork()).toEqual([]);
  });
});
