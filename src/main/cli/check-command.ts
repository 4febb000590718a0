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
import { hasErrors } from "../../bundle/diagnostics.js";
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

export async function runCheck(dir: string, options: CheckOptions, out: Out, err: Out): Promise<number> {
  const top = await gitTop(resolve(dir));
  const source = await localRepositorySource(top, { base: options.base ?? (await defaultBase(top)) });
  const config = await source.config();
  config.diagnostics.forEach((d) => printDiagnostic(err, d));
  if (!config.ok) return 1;
  const templates = options.templates ?? config.config.templates;
  const extra = options.specs ? await readSpecs(resolve(options.specs)) : undefined;
  extra?.diagnostics.forEach((d) => printDiagnostic(err, d));
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
    const publish = config.config.publish;
    if (options.format === "json") out.write(JSON.stringify({ ...toJson(report), publish, registry: registry !== undefined }, null, 2) + "\n");
    else if (options.format === "markdown") out.write(renderMarkdown(report));
    else out.write(renderText(report, out.color) + (publish === "draft" && report.templates.length ? "Merged versions are recorded as drafts (publish: draft in .github/baryon.yml).\n" : ""));
    return reviewErrors(report) || hasErrors(extra?.diagnostics ?? []) ? 1 : 0;
  } finally {
    await Promise.all([renderer.close(), registry?.close()]);
  }
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
