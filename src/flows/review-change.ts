// Review a change to a template repository (a pull request, or local edits):
//   1. read base and head snapshots from the ChangeSource and load both;
//   2. find the bundles the change adds, modifies or removes;
//   3. assess each changed head bundle against its base (assess-bundle.ts:
//      validation, classification, breaking changes, render and lint problems,
//      and the version a merge would publish, from the VersionCatalog);
//   4. render base with the same specs, diff it against head's renders per
//      resource, group identical diffs, and warn about resources the change
//      deletes or replaces;
//   5. with the registry's deployments, do the same for the deployed fleet that
//      follows the major (review-inventory.ts: deployed inputs, recorded outputs).
import { assessBundle, loadingProblems, specsFor } from "../bundle/assess/assess-bundle.js";
import { foreignTemplate } from "../bundle/assess/template-repository.js";
import { detectChanges, type BundleChange } from "../bundle/classify/changes.js";
import { sortDiagnostics, type Diagnostic } from "../bundle/diagnostics.js";
import { DiffStream, type ResourceRender } from "../bundle/diff/diff.js";
import { destructiveChanges } from "../bundle/lint/rendered.js";
import { parseRepository } from "../bundle/parse/repository.js";
import type { Bundle, Spec } from "../bundle/model.js";
import { renderSpecs } from "../bundle/assess/render-specs.js";
import type { ChangeSource } from "../ports/change-source.js";
import type { DeploymentStore } from "../ports/deployment-store.js";
import type { Renderer } from "../ports/renderer.js";
import type { VersionCatalog } from "../ports/version-catalog.js";
import type { ReviewReport, TemplateReview } from "../present/review-report.js";
import { fleetDiff } from "./review-inventory.js";

export interface ReviewInput {
  /** Only templates under this folder. */
  templates?: string;
  /** More specs to render per template name (the deployed fleet, in later issues). */
  extraSpecs?: Record<string, Spec[]>;
  /** "owner/name" of the repository under review: a template the registry has from another one is not publishable here. */
  repository?: string;
}

export interface ReviewPorts {
  changes: ChangeSource;
  renderer: Renderer;
  versions: VersionCatalog;
  /** The owner's deployments: the review renders the deployed fleet of each changed major too. */
  deployments?: DeploymentStore;
}

export async function reviewChange(input: ReviewInput, ports: ReviewPorts): Promise<ReviewReport> {
  const options = input.templates !== undefined ? { templates: input.templates } : {};
  const [baseSnapshot, headSnapshot] = await Promise.all([ports.changes.base(), ports.changes.head()]);
  const base = { snapshot: baseSnapshot, repo: parseRepository(baseSnapshot, options) };
  const head = { snapshot: headSnapshot, repo: parseRepository(headSnapshot, options) };
  const changes = detectChanges(base, head);
  const headTemplates = new Map(head.repo.templates.map((t) => [t.dir, t]));
  const loading = head.repo.diagnostics;

  const templates = await Promise.all(changes.bundles.map(async (change): Promise<TemplateReview> => {
    const template = headTemplates.get(change.templateDir);
    if (!change.head || !template) return removed(change);
    // Specs that name a major only apply to that major; the fleet's specs must still pass the new schema.
    const fleet = (input.extraSpecs?.[change.template] ?? []).filter((s) => s.template?.major === undefined || s.template.major === change.major);
    // A folder the base lacks starts at N.0: the catalog may assume every major is recorded.
    const latestMinor = change.status === "added" ? undefined : await ports.versions.latestMinor(change.template, change.major);
    const specs = [...specsFor(template, change.head), ...fleet];
    // Both sides render at once, each resource diffed as soon as both its sides have rendered.
    const warnings = new DestructiveChanges(change.head);
    const diffs = new DiffStream((before, after) => warnings.judge(before, after));
    const [assessment] = await Promise.all([
      assessBundle({
        head: change.head, ...(change.base ? { base: change.base } : {}),
        specs, loading: loadingProblems(loading, template, change.head), latestMinor,
      }, ports.renderer, ({ resource }) => diffs.head(resource)),
      renderSide(change.base, specs, ports.renderer, (resource) => diffs.base(resource)).then(() => diffs.baseDone()),
    ]);
    const owning = input.repository && ports.versions.templateRepository ? await ports.versions.templateRepository(change.template) : undefined;
    const foreign = input.repository ? foreignTemplate(change.template, change.head.dir, owning, input.repository) : undefined;
    const diff = diffs.result();
    const review: TemplateReview = {
      name: change.template, kind: change.kind, dir: change.head.dir, major: change.major,
      status: change.status, change: assessment.classification.change, reasons: assessment.classification.reasons,
      diagnostics: sortDiagnostics([...assessment.diagnostics, ...warnings.found, ...(foreign ? [foreign] : [])]), diff,
    };
    if (assessment.plan.publish && !foreign) review.version = assessment.plan.version;
    const deployed = ports.deployments && await fleetDiff(change.template, change.major, change.base, change.head, { store: ports.deployments, renderer: ports.renderer });
    if (deployed) review.fleet = deployed;
    return review;
  }));

  const claimed = new Set(templates.flatMap((t) => t.diagnostics));
  const unclaimed = loading.filter((d) => !claimed.has(d) && !head.repo.templates.some((t) => d.file.startsWith(`${t.dir}/`)));
  return {
    baseName: ports.changes.baseName,
    headName: ports.changes.headName,
    templates,
    unbundledFiles: changes.unbundledFiles,
    diagnostics: sortDiagnostics(unclaimed),
  };
}

/** A removed major folder publishes nothing and renders nothing on the head side. */
function removed(change: BundleChange): TemplateReview {
  return {
    name: change.template, kind: change.kind, dir: change.base!.dir, major: change.major, status: change.status, change: "none",
    reasons: [{ path: `v${change.major}`, change: "major version folder removed", breaking: true }], diagnostics: [],
    diff: { groups: [], total: 0, changed: 0 },
  };
}

/** The base side of the diff: the same specs rendered with the base bundle (its problems are not this change's). */
async function renderSide(bundle: Bundle | undefined, specs: readonly Spec[], renderer: Renderer, each: (resource: ResourceRender) => void): Promise<void> {
  if (bundle) await renderSpecs(bundle, specs, () => false, renderer, ({ resource }) => each(resource));
}

/**
 * Resources the change deletes or replaces, judged on the first resource of each
 * group of the same change (they render the same change), for the first
 * DESTRUCTIVE_GROUPS groups, so a 1,000-instance fleet costs a bounded time. Each finding once.
 */
const DESTRUCTIVE_GROUPS = 20;

class DestructiveChanges {
  private judged = 0;
  private readonly seen = new Set<string>();
  readonly found: Diagnostic[] = [];

  constructor(private readonly bundle: Bundle) {}

  judge(base: ResourceRender | undefined, head: ResourceRender): void {
    if (this.judged === DESTRUCTIVE_GROUPS) return;
    this.judged++;
    for (const d of destructiveChanges(this.bundle, base, head)) {
      const key = `${d.file}:${d.code}:${d.message.replace(`${head.label}: `, "")}`;
      if (!this.seen.has(key)) this.found.push(d);
      this.seen.add(key);
    }
  }
}
