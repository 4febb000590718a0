// Review a change to a template repository (a pull request, or local edits):
//   1. read base and head snapshots from the ChangeSource and load both;
//   2. find the bundles the change adds, modifies or removes;
//   3. validate each changed head bundle and classify it against its base;
//      a breaking change inside an existing vN/ is an error (it needs vN+1/);
//   4. pick the version a merge would publish from the VersionCatalog;
//   5. render base and head with every example spec (and any extra specs),
//      diff them per resource and group identical diffs;
//   6. lint what head renders (CloudFormation references, Terraform syntax) and
//      warn about resources the change deletes or replaces.
import { detectChanges, type BundleChange } from "../bundle/classify/changes.js";
import { classifyChange, type Classification } from "../bundle/classify/classify.js";
import { errorAt, sortDiagnostics, type Diagnostic } from "../bundle/diagnostics.js";
import { byResource, diffRenders, type DiffGroup, type ResourceRender } from "../bundle/diff/diff.js";
import { destructiveChanges, lintRenderedResource, lintTerraformBundle } from "../bundle/lint/rendered.js";
import { parseRepository } from "../bundle/parse/repository.js";
import type { Bundle, Spec } from "../bundle/model.js";
import { renderBundle } from "../bundle/render/render-bundle.js";
import { validateSpec, validateTemplate } from "../bundle/check/validate.js";
import type { ChangeSource } from "../ports/change-source.js";
import type { Renderer } from "../ports/renderer.js";
import type { VersionCatalog } from "../ports/version-catalog.js";
import type { ReviewReport, TemplateReview } from "../present/review-report.js";

export interface ReviewInput {
  /** Only templates under this folder. */
  root?: string;
  /** More specs to render per template name (the deployed fleet, in later issues). */
  extraSpecs?: Record<string, Spec[]>;
}

export interface ReviewPorts {
  changes: ChangeSource;
  renderer: Renderer;
  versions: VersionCatalog;
}

export async function reviewChange(input: ReviewInput, ports: ReviewPorts): Promise<ReviewReport> {
  const options = input.root !== undefined ? { root: input.root } : {};
  const [baseSnapshot, headSnapshot] = await Promise.all([ports.changes.base(), ports.changes.head()]);
  const base = { snapshot: baseSnapshot, repo: parseRepository(baseSnapshot, options) };
  const head = { snapshot: headSnapshot, repo: parseRepository(headSnapshot, options) };
  const changes = detectChanges(base, head);

  const changedDirs = new Set(changes.bundles.map((c) => c.templateDir));
  const headTemplates = new Map(head.repo.templates.map((t) => [t.dir, t]));
  const validation = [...changedDirs].flatMap((dir) => {
    const template = headTemplates.get(dir);
    return template ? validateTemplate(template) : [];
  });
  const loading = head.repo.diagnostics;

  const templates = await Promise.all(changes.bundles.map(async (change): Promise<TemplateReview> => {
    const template = headTemplates.get(change.templateDir);
    const inBundle = (d: Diagnostic) => d.file === (change.head ?? change.base)!.dir || d.file.startsWith(`${(change.head ?? change.base)!.dir}/`);
    const isLatest = template?.bundles.at(-1)?.dir === change.head?.dir;
    const inTemplate = (d: Diagnostic) => isLatest && d.file.startsWith(`${change.templateDir}/`) && !template!.bundles.some((b) => d.file.startsWith(`${b.dir}/`));
    const diagnostics = [...loading, ...validation].filter((d) => inBundle(d) || inTemplate(d));
    const classification: Classification = change.head ? classifyChange(change.base, change.head) : { change: "none", reasons: [{ path: `v${change.major}`, change: "major version folder removed", breaking: true }] };
    if (change.status === "modified" && classification.change === "major") diagnostics.push(breakingInPlace(change, classification));
    const hasErrors = diagnostics.some((d) => d.severity === "error");
    const version = !change.head || hasErrors || classification.change === "none" ? undefined : await nextVersion(change, ports.versions);
    // Specs that name a major only apply to that major; the fleet's specs must still pass the new schema.
    const fleet = (input.extraSpecs?.[change.template] ?? []).filter((s) => s.template?.major === undefined || s.template.major === change.major);
    if (change.head) for (const spec of fleet) diagnostics.push(...validateSpec(spec, change.head));
    const specs = [...(template?.specs ?? []), ...fleet];
    if (change.head) diagnostics.push(...(await lintTerraformBundle(change.head)));
    const diff = await renderDiff(change, specs, ports.renderer, diagnostics);
    const review: TemplateReview = {
      name: change.template, kind: change.kind, dir: (change.head ?? change.base)!.dir, major: change.major,
      status: change.status, change: change.status === "removed" ? "none" : classification.change,
      reasons: classification.reasons, diagnostics: sortDiagnostics(diagnostics), diff,
    };
    if (version) review.version = version;
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

function breakingInPlace(change: BundleChange, classification: Classification): Diagnostic {
  const breaking = classification.reasons.filter((r) => r.breaking).map((r) => `${r.path}: ${r.change}`);
  const head = change.head!;
  const file = head.schema?.file ?? `${head.dir}/schema/schema.yaml`;
  return errorAt(file, "breaking-change-in-major",
    `breaking change inside v${change.major}/ (${breaking.join("; ")}). Resources on v${change.major} would break: ` +
    `put this change in a new folder v${change.major + 1}/ (a copy of v${change.major}/ with the change) and leave v${change.major}/ compatible.`,
    { line: breakingLine(head, classification) });
}

/** The schema line of the first breaking input (or of its type's properties, when the input was removed). */
function breakingLine(head: Bundle, classification: Classification): number {
  const schema = head.schema;
  const first = classification.reasons.find((r) => r.breaking);
  const match = first && /^(environment|service_instance|pipeline)\.inputs\.([^.[\]]+)/.exec(first.path);
  if (!schema || !match) return 1;
  const type = match[1] === "environment" ? schema.environmentInputType : match[1] === "service_instance" ? schema.serviceInputType : schema.pipelineInputType;
  if (!type) return 1;
  const at = `schema.types.${type}.properties`;
  return schema.lines[`${at}.${match[2]}`] ?? schema.lines[at] ?? schema.lines[`schema.types.${type}`] ?? 1;
}

/** A major the catalog has never recorded starts at `N.0`, whether the folder is new or not. */
async function nextVersion(change: BundleChange, versions: VersionCatalog): Promise<string> {
  const latest = change.status === "added" ? undefined : await versions.latestMinor(change.template, change.major);
  return latest === undefined ? `${change.major}.0` : `${change.major}.${latest + 1}`;
}

async function renderDiff(change: BundleChange, specs: Spec[], renderer: Renderer, diagnostics: Diagnostic[]) {
  const side = async (bundle: Bundle | undefined, spec: Spec, label: string, report: boolean): Promise<ResourceRender[]> => {
    if (!bundle) return [];
    const result = await renderBundle(bundle, spec, renderer);
    const failures = result.diagnostics.filter((d) => d.severity === "error");
    if (report) diagnostics.push(...result.diagnostics);
    const resources = byResource(result.files, label);
    if (failures.length && resources.length === 0) {
      return [{ label: `${label} › ${spec.kind === "EnvironmentSpec" ? "environment" : "all"}`, files: [], failure: failures.map((f) => f.message).join("; ") }];
    }
    return resources;
  };
  const base: ResourceRender[] = [];
  const head: ResourceRender[] = [];
  await Promise.all(specs.map(async (spec) => {
    const label = spec.file;
    const [b, h] = await Promise.all([side(change.base, spec, label, false), side(change.head, spec, label, true)]);
    base.push(...b);
    head.push(...h);
  }));
  head.sort((a, b) => a.label.localeCompare(b.label));
  const diff = diffRenders(base, head);
  if (change.head) diagnostics.push(...lintChanged(change.head, diff.groups, base, head));
  return diff;
}

/**
 * Lints one resource per group of identical diffs (they render the same change),
 * at most LINTED_GROUPS of them, so a 1,000-instance fleet costs a bounded time.
 * Repeated findings (the same problem in several resources) are reported once.
 */
const LINTED_GROUPS = 20;

function lintChanged(bundle: Bundle, groups: DiffGroup[], base: ResourceRender[], head: ResourceRender[]): Diagnostic[] {
  const before = new Map(base.map((r) => [r.label, r]));
  const after = new Map(head.map((r) => [r.label, r]));
  const seen = new Set<string>();
  const found: Diagnostic[] = [];
  for (const group of groups.filter((g) => !g.headFailure).slice(0, LINTED_GROUPS)) {
    const resource = after.get(group.labels[0]!);
    if (!resource) continue;
    for (const d of [...lintRenderedResource(bundle, resource), ...destructiveChanges(bundle, before.get(resource.label), resource)]) {
      // Identify a finding without the resource it was seen in: once is enough.
      const key = `${d.file}:${d.line}:${d.code}:${d.message.replace(/ \(rendered line .*\)$/, "").replace(`${resource.label}: `, "")}`;
      if (!seen.has(key)) found.push(d);
      seen.add(key);
    }
  }
  return found;
}

