// `baryon check`: review the working tree of a git checkout against a base ref,
// exactly as the GitHub App reviews a pull request: with the repository's
// .github/baryon.yml, and numbering from the registry when there is one.
import { resolve } from "node:path";
import { createRenderPool } from "../../jinja/pool.js";
import { reviewChange } from "../../flows/review-change.js";
import { defaultBase, gitTop, repositoryName } from "../../adapters/local/git.js";
import { localRepositorySource } from "../../adapters/local/repository-source.js";
import { MigrationError } from "../../ports/registry.js";
import { assumeBaseAtZero } from "../../ports/version-catalog.js";
import { renderMarkdown } from "../../present/review-markdown.js";
import { reviewErrors, type ReviewReport } from "../../present/review-report.js";
import { renderText } from "../../present/review-text.js";
import { hasErrors, type Diagnostic } from "../../bundle/diagnostics.js";
import { DEFAULT_CONFIG, type RepoConfig } from "../../config/repo-config.js";
import { readSpecs } from "../../adapters/local/read-specs.js";
import { printDiagnostic, type Out } from "./output.js";
import { checkoutOwner, existingRegistry } from "./state.js";

export interface CheckOptions {
  base?: string;
  specs?: string;
  format: "text" | "markdown" | "json";
  /** Overrides `templates:` in .github/baryon.yml. */
  templates?: string;
}

/** A checkout reviewed: the report (none when the config stops it), the config's and extra specs' problems, and whether it fails. */
export interface CheckoutReview {
  /** The repository's top folder; diagnostics' paths are relative to it. */
  top: string;
  report?: ReviewReport;
  diagnostics: Diagnostic[];
  publish: RepoConfig["publish"];
  registry: boolean;
  failed: boolean;
}

export async function reviewCheckout(dir: string, options: Omit<CheckOptions, "format">, err: Out): Promise<CheckoutReview> {
  const top = await gitTop(resolve(dir));
  const source = await localRepositorySource(top, { base: options.base ?? (await defaultBase(top)) });
  const config = await source.config();
  if (!config.ok) return { top, diagnostics: config.diagnostics, publish: DEFAULT_CONFIG.publish, registry: false, failed: true };
  const templates = options.templates ?? config.config.templates;
  const extra = options.specs ? await readSpecs(resolve(options.specs)) : undefined;
  const diagnostics = [...config.diagnostics, ...(extra?.diagnostics ?? [])];
  // Without a registry, every major the base has is taken to be at N.0.
  const registry = await existingRegistry(top).catch((error: unknown) => {
    if (!(error instanceof MigrationError)) throw error;
    err.write(`baryon: ${error.message}; numbering as if there were no registry\n`);
    return undefined;
  });
  const renderer = createRenderPool({ engine: "v8" });
  try {
    const versions = registry ? registry.versions(await checkoutOwner(top)) : assumeBaseAtZero;
    const input = { ...(templates ? { templates } : {}), ...(extra ? { extraSpecs: extra.specs } : {}), repository: await repositoryName(top) };
    const report = await reviewChange(input, { changes: source, renderer, versions });
    const failed = reviewErrors(report) > 0 || hasErrors(diagnostics);
    return { top, report, diagnostics, publish: config.config.publish, registry: registry !== undefined, failed };
  } finally {
    await Promise.all([renderer.close(), registry?.close()]);
  }
}

export async function runCheck(dir: string, options: CheckOptions, out: Out, err: Out): Promise<number> {
  const review = await reviewCheckout(dir, options, err);
  review.diagnostics.forEach((d) => printDiagnostic(err, d));
  const { report, publish } = review;
  if (!report) return 1;
  if (options.format === "json") out.write(JSON.stringify({ ...toJson(report), publish, registry: review.registry }, null, 2) + "\n");
  else if (options.format === "markdown") out.write(renderMarkdown(report));
  else out.write(renderText(report, out.color) + (publish === "draft" && report.templates.length ? "Merged versions are recorded as drafts (publish: draft in .github/baryon.yml).\n" : ""));
  return review.failed ? 1 : 0;
}

export function toJson(report: ReviewReport) {
  return {
    base: report.baseName,
    head: report.headName,
    ok: reviewErrors(report) === 0,
    templates: report.templates.map((t) => ({
      name: t.name,
      kind: t.kind,
      major: t.major,
      dir: t.dir,
      status: t.status,
      change: t.change,
      version: t.version ?? null,
      reasons: t.reasons,
      diagnostics: t.diagnostics,
      specsAffected: t.diff.changed,
      specsTotal: t.diff.total,
    })),
    unbundledFiles: report.unbundledFiles,
    diagnostics: report.diagnostics,
  };
}
