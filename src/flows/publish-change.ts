// Publish what a merge (or a direct push, or `/publish`) put on the default branch:
//   1. load the templates of the pushed commit; only bundles the change touched
//      are considered, and of those only the ones the default branch still has
//      as this commit left them (a later commit's publish records the others);
//   2. per bundle, pack it (a canonical tar); the same content as the latest
//      version of its major publishes nothing;
//   3. assess it against that latest version's stored bundle (assess-bundle.ts,
//      as review does against the pull request's base): any error, a breaking
//      change inside an existing major included, refuses it;
//   4. store the archive (content-addressed, written once), then record the
//      version: the registry assigns the number inside one transaction, so a
//      redelivery, two workers or a retry after a crash yield it exactly once.
//      With `mirror`, the version is recorded as waiting for the AWS Proton
//      mirror job, which runs apart so a slow Proton call never blocks this.
import { packBundle } from "../bundle/archive/archive.js";
import { readStoredBundle, type StoredBundle } from "../bundle/archive/stored-bundle.js";
import { assessBundle, loadingProblems, specsFor } from "../bundle/assess/assess-bundle.js";
import { foreignTemplate } from "../bundle/assess/template-repository.js";
import { sameBytes, type ChangeReason, type Classification } from "../bundle/classify/classify.js";
import type { Diagnostic } from "../bundle/diagnostics.js";
import type { Snapshot } from "../bundle/files.js";
import type { Bundle, Template } from "../bundle/model.js";
import { parseRepository } from "../bundle/parse/repository.js";
import type { ArtifactStore } from "../ports/artifact-store.js";
import type { VersionRecord, VersionStatus, VersionStore } from "../ports/registry.js";
import type { Renderer } from "../ports/renderer.js";

export interface PublishInput {
  /** "owner/name" */
  repository: string;
  commit: string;
  pullRequest?: number;
  /** From `.github/baryon.yml`: publish at once, or keep as draft. */
  status: VersionStatus;
  templates?: string;
  /** Record new versions as waiting to be mirrored to AWS Proton (the mirror job does it). */
  mirror?: boolean;
}

export interface PublishPorts {
  head(): Promise<Snapshot>;
  /**
   * The commit before the change (a merge's base, a push's `before`). When given,
   * only bundles the change touched are published, so a late or retried job of an
   * older merge cannot republish templates that later merges changed.
   */
  base?(): Promise<Snapshot>;
  /**
   * The default branch as it is now, when it has moved past this commit. A bundle that
   * differs there was changed by a later commit, whose own publish records it: publishing
   * this one late (a retry, `/publish`, a resync) would bring old content back as a new minor.
   */
  current?(): Promise<Snapshot>;
  /** The owner's versions. */
  versions: VersionStore;
  artifacts: ArtifactStore;
  /** Example specs must render, as in review. */
  renderer: Renderer;
}

export type PublishOutcome =
  | {
    /** Recorded by this commit (in this call, or in an earlier attempt of the same job); otherwise the result is "unchanged". */
    template: string; major: number; minor: number; result: VersionStatus; version: string;
    /** True only when this very call recorded it (a retry or a repeated `/publish` finds it recorded). */
    recordedNow: boolean;
    reasons: ChangeReason[];
  }
  | { template: string; major: number; result: "unchanged"; version: string }
  | { template: string; major: number; result: "superseded" }
  | {
    template: string; major: number; result: "refused"; reason: string;
    /** Every error that refused it (empty when the refusal is not about the bundle's content). */
    errors: Diagnostic[];
    /** How it compares to the latest version, when it was assessed. */
    classification?: Classification;
  };

export async function publishChange(input: PublishInput, ports: PublishPorts): Promise<PublishOutcome[]> {
  const snapshot = await ports.head();
  const before = ports.base ? await ports.base() : undefined;
  const current = ports.current ? await ports.current() : undefined;
  const repo = parseRepository(snapshot, input.templates !== undefined ? { templates: input.templates } : {});
  const outcomes: PublishOutcome[] = [];
  for (const template of repo.templates) {
    for (const bundle of template.bundles) {
      if (before && !touched(bundle, before)) continue;
      if (current && touched(bundle, current)) {
        outcomes.push({ template: bundle.template, major: bundle.major, result: "superseded" });
        continue;
      }
      outcomes.push(await publishBundle(template, bundle, repo.diagnostics, input, ports));
    }
  }
  return outcomes;
}

async function publishBundle(template: Template, bundle: Bundle, loading: readonly Diagnostic[], input: PublishInput, ports: PublishPorts): Promise<PublishOutcome> {
  const { major } = bundle;
  const packed = await packBundle(bundle);
  const latestMinor = await ports.versions.latestMinor(bundle.template, major);
  const latest = latestMinor === undefined ? undefined : await ports.versions.getVersion(bundle.template, major, latestMinor);
  // Within an owner, the first repository to publish a template name owns it.
  // The registry checks it again while it numbers, so two repositories racing cannot both publish.
  const foreign = foreignTemplate(bundle.template, bundle.dir, await ports.versions.templateRepository(bundle.template), input.repository);
  if (foreign) return refused(bundle, foreign.message, [foreign]);
  // Versions recorded before digests named content keep their old digest: compare content then.
  const stored = latest && latest.digest !== packed.digest ? await storedBundle(latest, bundle, ports.artifacts) : undefined;
  if (latest && (latest.digest === packed.digest || stored?.digest === packed.digest)) {
    // Already recorded: by this very commit (a retry, a second worker) or by an earlier one.
    return latest.source.commit === input.commit ? published(latest, false) : unchanged(latest);
  }

  const assessment = await assessBundle({
    head: bundle, ...(stored?.bundle ? { base: stored.bundle } : {}),
    specs: specsFor(template, bundle), loading: loadingProblems(loading, template, bundle), latestMinor,
  }, ports.renderer);
  if (!assessment.plan.publish) {
    const errors = assessment.diagnostics.filter((d) => d.severity === "error");
    if (assessment.plan.why === "unchanged" && latest) return unchanged(latest);
    const first = errors[0]!;
    const reason = `${errors.length} error${errors.length === 1 ? "" : "s"}, first: ${first.file}${first.line ? `:${first.line}` : ""}: ${first.message}`;
    return refused(bundle, reason, errors, assessment.classification);
  }

  const artifact = await ports.artifacts.put(packed.digest, packed.bytes);
  const { version, created } = await ports.versions.recordVersion({
    template: bundle.template, kind: bundle.kind, major, status: input.status, digest: packed.digest, artifact: artifact.location,
    source: { repository: input.repository, commit: input.commit, ...(input.pullRequest !== undefined ? { pullRequest: input.pullRequest } : {}) },
    schema: bundle.schema ?? null,
    reasons: assessment.classification.reasons,
    ...(input.mirror ? { mirror: true } : {}),
  });
  // Not created, yet from this commit: an earlier attempt of this job recorded it.
  return created || version.source.commit === input.commit ? published(version, created) : unchanged(version);
}

/** Whether `other` has the bundle's folder with other files (added, edited or removed). */
function touched(bundle: Bundle, before: Snapshot): boolean {
  const prefix = `${bundle.dir}/`;
  const old = [...before.files.keys()].filter((p) => p.startsWith(prefix));
  if (old.length !== bundle.files.size) return true;
  return old.some((path) => {
    const now = bundle.files.get(path);
    return !now || !sameBytes(now, before.files.get(path)!);
  });
}

/**
 * The bundle of a recorded version, read back from the artifact store and laid out
 * where `like` is, with the digest of its content (its canonical tar).
 */
async function storedBundle(version: VersionRecord, like: Bundle, artifacts: ArtifactStore): Promise<StoredBundle> {
  return readStoredBundle(await artifacts.get(version.artifact), like.dir);
}

/** A version this commit recorded; `recordedNow` when this very call did. */
function published(version: VersionRecord, recordedNow: boolean): PublishOutcome {
  return { template: version.template, major: version.major, minor: version.minor, result: version.status, version: label(version), recordedNow, reasons: version.reasons };
}

const unchanged = (version: VersionRecord): PublishOutcome => ({ template: version.template, major: version.major, result: "unchanged", version: label(version) });

function refused(bundle: Bundle, reason: string, errors: Diagnostic[], classification?: Classification): PublishOutcome {
  return { template: bundle.template, major: bundle.major, result: "refused", reason, errors, ...(classification ? { classification } : {}) };
}

export const label = (v: { major: number; minor: number }) => `${v.major}.${v.minor}`;
