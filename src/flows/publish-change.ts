// Publish what a merge (or a direct push) put on the default branch:
//   1. load the templates of the pushed commit and validate them (and, with a
//      renderer, render their example specs and parse their Terraform, as review does);
//   2. per bundle, pack it deterministically; the same bytes as the latest
//      version of its major publish nothing;
//   3. classify it against that latest version's stored bundle: a breaking
//      change inside an existing major is refused, with how to fix it;
//   4. store the archive (content-addressed, written once), then record the
//      version: the registry assigns the number inside one transaction, so a
//      redelivery, two workers or a retry after a crash yield it exactly once;
//   5. mirror new versions to AWS Proton when a publisher is configured.
import { packBundle, unpackBundle } from "../bundle/archive/archive.js";
import type { ArtifactStore } from "../ports/artifact-store.js";
import { classifyChange, sameBytes, type ChangeReason } from "../bundle/classify/classify.js";
import type { Snapshot } from "../bundle/files.js";
import { parseRepository } from "../bundle/parse/repository.js";
import type { Diagnostic } from "../bundle/diagnostics.js";
import { lintTerraformBundle } from "../bundle/lint/rendered.js";
import type { Bundle, Spec } from "../bundle/model.js";
import { renderBundle } from "../bundle/render/render-bundle.js";
import { validateRepository } from "../bundle/check/validate.js";
import type { Renderer } from "../ports/renderer.js";
import type { VersionMirror } from "../ports/version-mirror.js";
import type { Registry, VersionRecord } from "../ports/registry.js";

export type { VersionMirror };

export interface PublishInput {
  /** "owner/name" */
  repository: string;
  commit: string;
  pullRequest?: number;
  /** From `.github/baryon.yml`: publish at once, or keep as draft. */
  status: "draft" | "published";
  root?: string;
}

export interface PublishPorts {
  head(): Promise<Snapshot>;
  /**
   * The commit before the change (a merge's base, a push's `before`). When given,
   * only bundles the change touched are published, so a late or retried job of an
   * older merge cannot republish templates that later merges changed.
   */
  base?(): Promise<Snapshot>;
  registry: Registry;
  artifacts: ArtifactStore;
  mirror?: VersionMirror;
  /** When given, a bundle is published only if its example specs render and its Terraform parses, as in review. */
  renderer?: Renderer;
}

export type PublishOutcome =
  | { template: string; major: number; result: "published" | "draft"; version: string; createdNow: boolean; reasons: ChangeReason[]; mirrorError?: string }
  | { template: string; major: number; result: "unchanged"; version: string }
  | { template: string; major: number; result: "refused"; reason: string };

export async function publishChange(input: PublishInput, ports: PublishPorts): Promise<PublishOutcome[]> {
  const snapshot = await ports.head();
  const before = ports.base ? await ports.base() : undefined;
  const repo = parseRepository(snapshot, input.root !== undefined ? { root: input.root } : {});
  const diagnostics = validateRepository(repo);
  const outcomes: PublishOutcome[] = [];
  for (const template of repo.templates) {
    for (const bundle of template.bundles) {
      if (before && !touched(bundle, before)) continue;
      const errors = diagnostics.filter((d) => d.severity === "error" && (d.file === bundle.dir || d.file.startsWith(`${bundle.dir}/`)));
      if (ports.renderer) errors.push(...(await renderGate(bundle, bundle === template.bundles.at(-1) ? template.specs : [], ports.renderer)));
      if (errors.length) {
        outcomes.push(refused(bundle, `${errors.length} error${errors.length === 1 ? "" : "s"}, first: ${errors[0]!.file}${errors[0]!.line ? `:${errors[0]!.line}` : ""}: ${errors[0]!.message}`));
        continue;
      }
      outcomes.push(await publishBundle(bundle, input, ports));
    }
  }
  return outcomes;
}

async function publishBundle(bundle: Bundle, input: PublishInput, ports: PublishPorts): Promise<PublishOutcome> {
  const { template, major } = bundle;
  const packed = await packBundle(bundle);
  const latestMinor = await ports.registry.latestMinor(template, major);
  const latest = latestMinor === undefined ? undefined : await ports.registry.getVersion(template, major, latestMinor);
  // Template names are the registry's keys: the first repository to publish one owns it.
  if (latest && latest.source.repository !== input.repository) {
    return refused(bundle, `template "${template}" is published from ${latest.source.repository}; a template of the same name in ${input.repository} is not published (rename it)`);
  }
  if (latest && latest.digest === packed.digest) {
    // Already recorded: by this very commit (a retry, a second worker) or by an earlier one.
    if (latest.source.commit === input.commit) return published(latest, true, latest.reasons);
    return { template, major, result: "unchanged", version: label(latest) };
  }
  const base = latest ? await storedBundle(latest, bundle, ports.artifacts) : undefined;
  const classification = classifyChange(base, bundle);
  if (base && classification.change === "major") {
    const breaking = classification.reasons.filter((r) => r.breaking).map((r) => `${r.path}: ${r.change}`).join("; ");
    return refused(bundle, `breaking change inside v${major}/ (${breaking}); it was merged despite the failing check. Put it in v${major + 1}/ and leave v${major}/ compatible.`);
  }
  const stored = await ports.artifacts.put(packed.digest, packed.bytes);
  const { version, created } = await ports.registry.recordVersion({
    template, kind: bundle.kind, major, status: input.status, digest: packed.digest, artifact: stored.location,
    source: { repository: input.repository, commit: input.commit, ...(input.pullRequest !== undefined ? { pullRequest: input.pullRequest } : {}) },
    schema: bundle.schema ?? null,
    reasons: classification.reasons,
  });
  const outcome = published(version, created || version.source.commit === input.commit, version.reasons);
  if (created && ports.mirror && outcome.result !== "unchanged" && outcome.result !== "refused") {
    const mirrored = await ports.mirror.publish(version, bundle, packed.bytes, latest === undefined);
    if (!mirrored.ok) outcome.mirrorError = `${ports.mirror.name}: ${mirrored.error}`;
  }
  return outcome;
}

/** What review would have failed on: example specs that do not render, Terraform that does not parse. */
async function renderGate(bundle: Bundle, specs: Spec[], renderer: Renderer): Promise<Diagnostic[]> {
  const rendered = await Promise.all(specs.map((spec) => renderBundle(bundle, spec, renderer)));
  const problems = [...rendered.flatMap((r) => r.diagnostics), ...(await lintTerraformBundle(bundle))];
  return problems.filter((d) => d.severity === "error");
}

/** Whether the change added or edited any file of the bundle (or removed one). */
function touched(bundle: Bundle, before: Snapshot): boolean {
  const prefix = `${bundle.dir}/`;
  const old = [...before.files.keys()].filter((p) => p.startsWith(prefix));
  if (old.length !== bundle.files.size) return true;
  return old.some((path) => {
    const now = bundle.files.get(path);
    return !now || !sameBytes(now, before.files.get(path)!);
  });
}

/** The bundle of a recorded version, read back from the artifact store, laid out where `like` is. */
async function storedBundle(version: VersionRecord, like: Bundle, artifacts: ArtifactStore): Promise<Bundle | undefined> {
  const files = await unpackBundle(await artifacts.get(version.artifact));
  const snapshot = { files: new Map([...files].map(([path, bytes]) => [`${like.dir}/${path}`, bytes])) };
  return parseRepository(snapshot).templates[0]?.bundles[0];
}

function published(version: VersionRecord, createdNow: boolean, reasons: ChangeReason[]): PublishOutcome {
  if (!createdNow) return { template: version.template, major: version.major, result: "unchanged", version: label(version) };
  return { template: version.template, major: version.major, result: version.status, version: label(version), createdNow, reasons };
}

function refused(bundle: Bundle, reason: string): PublishOutcome {
  return { template: bundle.template, major: bundle.major, result: "refused", reason };
}

export const label = (v: { major: number; minor: number }) => `${v.major}.${v.minor}`;
