// Within one owner a template name belongs to the first repository that published it
// (the registry records it); a template of the same name elsewhere is neither reviewed
// as publishable nor published. Review and publish ask the same question here.
import { errorAt, type Diagnostic } from "../diagnostics.js";

/**
 * The error for a template published from another repository, at the template's folder;
 * undefined when `repository` may publish it (a new template, or its own).
 */
export function foreignTemplate(template: string, dir: string, owning: string | undefined, repository: string): Diagnostic | undefined {
  if (owning === undefined || owning.toLowerCase() === repository.toLowerCase()) return undefined;
  return errorAt(dir, "template-owned-elsewhere",
    `template "${template}" is published from ${owning}; a template of the same name in ${repository} cannot be published (rename it, or move it there)`);
}
