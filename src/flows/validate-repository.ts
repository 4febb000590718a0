// Validate a template repository: is every major of every template publishable?
//   1. parse the snapshot into templates (loading diagnostics);
//   2. assess each major as a new one (assess-bundle.ts: validation, its example
//      specs rendered with the newest major, Terraform and CloudFormation lint);
//   3. file each diagnostic under the template version it belongs to; the rest
//      (e.g. unsafe paths in the snapshot) belong to no template.
import { assessBundle, loadingProblems, specsFor } from "../bundle/assess/assess-bundle.js";
import { hasErrors, sortDiagnostics, type Diagnostic } from "../bundle/diagnostics.js";
import type { Snapshot } from "../bundle/files.js";
import { parseRepository } from "../bundle/parse/repository.js";
import type { TemplateKind } from "../bundle/model.js";
import type { RenderedFile } from "../bundle/render/render-bundle.js";
import type { Renderer } from "../ports/renderer.js";

export interface ValidateInput {
  snapshot: Snapshot;
  /** Only templates under this folder. */
  templates?: string;
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
  const repo = parseRepository(input.snapshot, input.templates !== undefined ? { templates: input.templates } : {});
  const reports = await Promise.all(repo.templates.flatMap((template) => template.bundles.map(async (bundle): Promise<TemplateVersionReport> => {
    // No registry here: each major is judged on its own, as if it were new.
    const assessment = await assessBundle({
      head: bundle, specs: specsFor(template, bundle), loading: loadingProblems(repo.diagnostics, template, bundle), latestMinor: undefined,
    }, ports.renderer);
    return {
      name: template.name, kind: template.kind, major: bundle.major, dir: bundle.dir,
      diagnostics: assessment.diagnostics, rendered: assessment.renders.flatMap((r) => r.files),
    };
  })));
  const filed = new Set(reports.flatMap((r) => r.diagnostics));
  const unassigned = sortDiagnostics(repo.diagnostics.filter((d) => !filed.has(d)));
  return { templates: reports, diagnostics: unassigned, ok: !hasErrors([...unassigned, ...reports.flatMap((r) => r.diagnostics)]) };
}
