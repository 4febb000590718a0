// `baryon validate <repo-dir>`: every diagnostic of every template, text or JSON,
// under the templates folder `.github/baryon.yml` names (or --templates).
// `baryon validate <bundle-dir>`: one bundle folder on its own (a Proton bundle
// as registered from S3), named by --template or by its path.
import { resolve } from "node:path";
import { errorAt, hasErrors, type Diagnostic } from "../../bundle/diagnostics.js";
import type { Snapshot } from "../../bundle/files.js";
import { BUNDLE_HINT, LAYOUT_HINT } from "../../bundle/parse/layout.js";
import { createRenderPool } from "../../jinja/pool.js";
import { validateTemplates, type ValidationReport } from "../../flows/validate-repository.js";
import { isBundleFolder, readBundleFolder } from "../../adapters/local/read-bundle-folder.js";
import { localRepositorySource } from "../../adapters/local/repository-source.js";
import { plural, printDiagnostic, UsageError, type Out } from "./output.js";

export interface ValidateOptions {
  format: "text" | "json";
  /** Overrides `templates:` in .github/baryon.yml. */
  templates?: string;
  /** `<name>@<major>`: `dir` is one bundle folder of that template and major. */
  template?: string;
}

export async function runValidate(dir: string, options: ValidateOptions, out: Out): Promise<number> {
  if (options.template !== undefined || (await isBundleFolder(resolve(dir)))) return validateBundleFolder(dir, options, out);
  const source = await localRepositorySource(resolve(dir));
  const config = await source.config();
  if (!config.ok) return print({ templates: [], diagnostics: config.diagnostics, ok: false }, options, out);
  const templates = options.templates ?? config.config.templates;
  const validated = await validate(await source.head(), templates);
  const found = validated.templates.length || hasErrors(validated.diagnostics) ? [] : [errorAt(templates ?? ".", "no-templates",
    `no template found${templates ? ` under ${templates}/` : ""}: Baryon looks for ${LAYOUT_HINT}; to check one bundle folder, give its path (and --template <name>@<major>)`)];
  return print({ ...validated, diagnostics: [...config.diagnostics, ...validated.diagnostics, ...found], ok: validated.ok && !found.length }, options, out);
}

async function validateBundleFolder(dir: string, options: ValidateOptions, out: Out): Promise<number> {
  const folder = await readBundleFolder(dir, options.template);
  if (typeof folder === "string") throw new UsageError(folder);
  const validated = await validate(folder.snapshot);
  const onDisk = (d: Diagnostic): Diagnostic => ({ ...d, file: folder.toDisk(d.file) });
  const found = validated.templates.length || hasErrors(validated.diagnostics) ? [] : [errorAt(folder.display, "no-templates",
    `no bundle here: expected ${BUNDLE_HINT}`)];
  return print({
    templates: validated.templates.map((t) => ({ ...t, dir: folder.toDisk(t.dir), diagnostics: t.diagnostics.map(onDisk) })),
    diagnostics: [...validated.diagnostics.map(onDisk), ...found],
    ok: validated.ok && !found.length,
  }, options, out);
}

async function validate(snapshot: Snapshot, templates?: string): Promise<ValidationReport> {
  const renderer = createRenderPool({ engine: "v8" });
  try {
    return await validateTemplates({ snapshot, ...(templates ? { templates } : {}) }, { renderer });
  } finally {
    await renderer.close();
  }
}

function print(report: ValidationReport, options: ValidateOptions, out: Out): number {
  if (options.format === "json") out.write(JSON.stringify(toJson(report), null, 2) + "\n");
  else printText(report, out);
  return report.ok ? 0 : 1;
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
  if (all.length && report.templates.length) out.write("\n");
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
