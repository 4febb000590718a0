// Validate a template repository: load every template, run the cross-file
// checks, and render each example spec with the newest major in the sandbox.
//   1. parse the snapshot into templates (loading diagnostics);
//   2. validate each template (schemas, input references, specs);
//   3. render every example spec against its template's newest bundle, and
//      lint Terraform files (they are not rendered);
//   4. file each diagnostic under the template version it belongs to.
import { hasErrors, sortDiagnostics, type Diagnostic } from "../bundle/diagnostics.js";
import type { Snapshot } from "../bundle/files.js";
import { parseRepository } from "../bundle/parse/repository.js";
import type { TemplateKind } from "../bundle/model.js";
import { lintTerraformBundle } from "../bundle/lint/rendered.js";
import { renderBundle, type RenderedFile } from "../bundle/render/render-bundle.js";
import type { Renderer } from "../ports/renderer.js";
import { validateRepository } from "../bundle/check/validate.js";

export interface ValidateInput {
  snapshot: Snapshot;
  /** Only templates under this folder. */
  root?: string;
}

export interface ValidatePorts {
  renderer: Renderer;
}

export interface TemplateVersionReport {
  name: string;
  kind: TemplateKind;
  major: number;
  dir: string;
  diagnostics: Diagnostic[];
  /** Files rendered from the example specs (newest major only). */
  rendered: RenderedFile[];
}

export interface ValidationReport {
  templates: TemplateVersionReport[];
  /** Diagnostics that belong to no template (e.g. unsafe paths in the snapshot). */
  diagnostics: Diagnostic[];
  ok: boolean;
}

export async function validateTemplates(input: ValidateInput, ports: ValidatePorts): Promise<ValidationReport> {
  const repo = parseRepository(input.snapshot, input.root !== undefined ? { root: input.root } : {});
  const diagnostics = validateRepository(repo);
  const reports: TemplateVersionReport[] = repo.templates.flatMap((t) =>
    t.bundles.map((b) => ({ name: t.name, kind: t.kind, major: b.major, dir: b.dir, diagnostics: [], rendered: [] })),
  );

  const rendered = await Promise.all(repo.templates.map(async (template) => {
    const latest = template.bundles[template.bundles.length - 1]!;
    // A spec that failed validation would only repeat its errors as render failures.
    const specs = template.specs.filter((s) => !hasErrors(diagnostics.filter((d) => d.file === s.file)));
    const results = await Promise.all(specs.map((spec) => renderBundle(latest, spec, ports.renderer)));
    const terraform = (await Promise.all(template.bundles.map(lintTerraformBundle))).flat();
    return { latest, results, terraform };
  }));
  for (const { latest, results, terraform } of rendered) {
    diagnostics.push(...terraform);
    const report = reports.find((r) => r.dir === latest.dir)!;
    for (const r of results) {
      report.rendered.push(...r.files);
      diagnostics.push(...r.diagnostics);
    }
  }

  const unassigned: Diagnostic[] = [];
  for (const d of sortDiagnostics(diagnostics)) {
    const owner = reports.find((r) => d.file === r.dir || d.file.startsWith(`${r.dir}/`))
      ?? newestOf(reports, repo.templates.find((t) => d.file.startsWith(`${t.dir}/`))?.dir);
    (owner ? owner.diagnostics : unassigned).push(d);
  }
  return { templates: reports, diagnostics: unassigned, ok: !hasErrors(diagnostics) };
}

function newestOf(reports: TemplateVersionReport[], templateDir: string | undefined): TemplateVersionReport | undefined {
  if (templateDir === undefined) return undefined;
  return reports.filter((r) => r.dir.startsWith(`${templateDir}/`)).at(-1);
}
