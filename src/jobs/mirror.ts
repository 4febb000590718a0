// The `mirror` job: register one published version with the legacy AWS Proton
// mirror. It runs after publishing, never inside it, so a slow or failing Proton
// never delays or costs Baryon's own version. The registry says what is left to
// mirror (status "pending"), so a lost job is found again by the resync job.
//
// 1. Read the version; only the mirror's owner's pending versions go on.
// 2. Read and parse its stored bundle.
// 3. Register it: done, or refused (recorded as failed and said on the pull request).
// Whatever can never succeed is recorded as failed before the job gives up, so the
// resync does not try it again; what may pass (Proton throttling) is thrown and retried.
import { mirrorFailed } from "../present/publish-reply.js";
import { pullRequestReporter } from "../adapters/github/reporter.js";
import { ArtifactError, ArtifactStoreError, type ArtifactStore } from "../ports/artifact-store.js";
import { PermanentJobError } from "../ports/job-queue.js";
import type { VersionRecord, VersionStore } from "../ports/registry.js";
import { mirrorsOwner } from "../ports/version-mirror.js";
import type { PublishOutcome } from "../flows/publish-change.js";
import { loadStoredBundle, UnparsableBundleError } from "../flows/stored-bundle.js";
import { enqueue, githubFor, type JobContext, type JobKind } from "./job-kind.js";

export interface MirrorJobData {
  owner: string;
  installationId?: number;
  template: string;
  major: number;
  minor: number;
}

/** GitHub sends "Acme", the registry stores "acme": one version is one job, whatever the case. */
const ownerOf = (d: MirrorJobData) => d.owner.trim().toLowerCase();

export const mirrorJob: JobKind<MirrorJobData> = {
  name: "mirror",
  id: (d) => `mirror:${ownerOf(d)}/${d.template}@${d.major}.${d.minor}`,
  // Proton numbers minors in the order they are created: one template's versions go one at a time.
  key: (d) => `mirror:${ownerOf(d)}/${d.template}`,
  async run(data, context) {
    const { mirror, registry, artifacts } = context.adapters;
    if (!mirror) return "no mirror configured";
    const versions = registry.versions({ login: data.owner, ...(data.installationId !== undefined ? { installationId: data.installationId } : {}) });
    const version = await versions.getVersion(data.template, data.major, data.minor);
    const label = `${data.owner}: ${data.template} ${data.major}.${data.minor}`;

    if (!mirrorsOwner(mirror, data.owner)) {
      // Recorded pending before BARYON_PROTON_OWNER named another owner: settle it, or the resync comes back forever.
      const notOurs = `${ownerOf(data)} is not the mirror's owner`;
      if (version?.mirror?.status === "pending") await versions.setMirrorState(data.template, data.major, data.minor, { status: "failed", error: `${notOurs} (${mirror.owner})` });
      return `not mirrored: ${notOurs}`;
    }
    if (!version) throw new PermanentJobError(`${label} is not in the registry`);
    if (version.mirror?.status !== "pending") return `already ${version.mirror?.status ?? "not to be mirrored"}`;

    let stored: Awaited<ReturnType<typeof loadStoredBundle>>;
    try {
      stored = await loadStoredBundle(version, artifacts);
    } catch (error) {
      if (!isHopeless(error)) throw error;
      const reason = `its stored bundle cannot be read: ${(error as Error).message}`;
      await settleFailed(version, versions, data, context, reason);
      throw new PermanentJobError(`${label}: ${reason}`, { cause: error });
    }

    const result = await mirror.publish(version, stored.bundle, stored.tar, version.minor === 0);
    if (result.ok) {
      await versions.setMirrorState(version.template, version.major, version.minor, { status: "done" });
      return `${version.template} ${version.major}.${version.minor} mirrored to ${mirror.name}`;
    }
    await settleFailed(version, versions, data, context, result.error);
    return `${version.template} ${version.major}.${version.minor} not mirrored: ${result.error}`;
  },
};

/** Missing, corrupt or unparsable: reading it again gives the same answer. A store that could not be reached may answer later. */
function isHopeless(error: unknown): boolean {
  return error instanceof UnparsableBundleError || (error instanceof ArtifactError && !(error instanceof ArtifactStoreError));
}

/** Records the failure, so the resync stops, and says so on the pull request that made the version. */
async function settleFailed(version: VersionRecord, versions: VersionStore, data: MirrorJobData, context: JobContext, error: string): Promise<void> {
  await versions.setMirrorState(version.template, version.major, version.minor, { status: "failed", error });
  const pr = version.source.pullRequest;
  if (pr === undefined || data.installationId === undefined || !context.probot || !context.adapters.mirror) return;
  const [owner, repo] = version.source.repository.split("/") as [string, string];
  const octokit = await githubFor(context, data.installationId);
  const marker = `<!-- baryon:mirror ${version.template} ${version.major}.${version.minor} -->`;
  await pullRequestReporter(octokit, { owner, repo, number: pr }).ensureComment(marker, `${marker}\n${mirrorFailed(version, context.adapters.mirror.name, error)}`);
}

/**
 * Queues the mirror job for every version a publish recorded, when the mirror serves this
 * owner (also after a retry: the job's id makes a second add a no-op).
 */
export async function enqueueMirrors(
  adapters: Pick<JobContext["adapters"], "queue" | "mirror">,
  owner: { login: string; installationId?: number },
  outcomes: readonly PublishOutcome[],
): Promise<void> {
  if (!mirrorsOwner(adapters.mirror, owner.login)) return;
  for (const o of outcomes) {
    if (o.result !== "published" && o.result !== "draft") continue;
    const data: MirrorJobData = { owner: owner.login, template: o.template, major: o.major, minor: o.minor };
    if (owner.installationId !== undefined) data.installationId = owner.installationId;
    await enqueue(adapters.queue, mirrorJob, data);
  }
}
