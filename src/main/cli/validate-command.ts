// `baryon validate <repo-dir>`: every diagnostic of every template, text or JSON,
// under the templates folder `.github/baryon.yml` names (or --templates).
import { resolve } from "node:path";
import { createRenderPool } from "../../jinja/pool.js";
import { validateTemplates, type ValidationReport } from "../../flows/validate-repository.js";
import { localRepositorySource } from "../../adapters/local/repository-source.js";
import { plural, printDiagnostic, type Out } from "./output.js";

export interface ValidateOptions {
  format: "text" | "json";
  /** Overrides `templates:` in .github/baryon.yml. */
  templates?: string;
}

export async function runValidate(dir: string, options: ValidateOptions, out: Out): Promise<number> {
  const source = await localRepositorySource(resolve(dir));
  const config = await source.config();
  if (!config.ok) {
    const report: ValidationReport = { templates: [], diagnostics: config.diagnostics, ok: false };
    if (options.format === "json") out.write(JSON.stringify(toJson(report), null, 2) + "\n");
    else printText(report, out);
    return 1;
  }
  const templates = options.templates ?? config.config.templates;
  const renderer = createRenderPool();
  try {
    const validated = await validateTemplates({ snapshot: await source.head(), ...(templates ? { templates } : {}) }, { renderer });
    const report = { ...validated, diagnostics: [...config.diagnostics, ...validated.diagnostics] };
    if (options.format === "json") out.write(JSON.stringify(toJson(report), null, 2) + "\n");
    else printText(report, out);
    return report.ok ? 0 : 1;
  } finally {
    await renderer.close();
  }
}

function toJson(report: ValidationReport) {
  return {
    ok: report.ok,
    templates: report.templates.map((t) => ({
      name: t.name, kind: t.kind, major: t.major, dir: t.dir,
      renderedFiles: t.rendered.map((f) => f.path),
      diagnostics: t.diagnostics,
    })),
    diagnostics: report.diagnostics,
  };
}

function printText(report: ValidationReport, out: Out): void {
  const all = [...report.diagnostics, ...report.templates.flatMap((t) => t.diagnostics)];
  for (const d of all) printDiagnostic(out, d);
  if (all.length) out.write("\n");
  for (const t of report.templates) {
    const errors = t.diagnostics.filter((d) => d.severity === "error").length;
    const warnings = t.diagnostics.filter((d) => d.severity === "warning").length;
    const status = errors ? `${plural(errors, "error")}` : warnings ? `ok, ${plural(warnings, "warning")}` : "ok";
    const rendered = t.rendered.length ? `, rendered ${plural(t.rendered.length, "file")} from its example specs` : "";
    out.write(`${t.name} v${t.major} (${t.kind}): ${status}${rendered}\n`);
  }
  const errors = all.filter((d) => d.severity === "error").length;
  const warnings = all.filter((d) => d.severity === "warning").length;
  out.write(`\n${plural(report.templates.length, "template version")}, ${plural(errors, "error")}, ${plural(warnings, "warning")}\n`);
}
