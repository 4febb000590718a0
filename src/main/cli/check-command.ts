// `baryon check`: review the working tree of a git checkout against a base ref,
// exactly as the GitHub App reviews a pull request.
import { resolve } from "node:path";
import { createRenderPool } from "../../jinja/pool.js";
import { reviewChange } from "../../flows/review-change.js";
import { gitChangeSource } from "../../adapters/local/git-change-source.js";
import { assumeBaseAtZero } from "../../ports/version-catalog.js";
import { renderMarkdown } from "../../present/review-markdown.js";
import { reviewErrors, type ReviewReport } from "../../present/review-report.js";
import { renderText } from "../../present/review-text.js";
import { hasErrors } from "../../bundle/diagnostics.js";
import { readSpecs } from "../../adapters/local/read-specs.js";
import { printDiagnostic, type Out } from "./output.js";

export interface CheckOptions {
  base?: string;
  specs?: string;
  format: "text" | "markdown" | "json";
  root?: string;
}

export async function runCheck(dir: string, options: CheckOptions, out: Out, err: Out): Promise<number> {
  const changes = await gitChangeSource(resolve(dir), options.base);
  const extra = options.specs ? await readSpecs(resolve(options.specs)) : undefined;
  extra?.diagnostics.forEach((d) => printDiagnostic(err, d));
  const renderer = createRenderPool();
  try {
    const input = { ...(options.root ? { root: options.root } : {}), ...(extra ? { extraSpecs: extra.specs } : {}) };
    const report = await reviewChange(input, { changes, renderer, versions: assumeBaseAtZero });
    if (options.format === "json") out.write(JSON.stringify(toJson(report), null, 2) + "\n");
    else if (options.format === "markdown") out.write(renderMarkdown(report));
    else out.write(renderText(report, out.color));
    return reviewErrors(report) || hasErrors(extra?.diagnostics ?? []) ? 1 : 0;
  } finally {
    await renderer.close();
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
