// Lint of what a change renders: CloudFormation problems traced back to the
// template line that printed them, and resources a change deletes or replaces.
import { textOf } from "../files.js";
import { warningAt, type Diagnostic } from "../diagnostics.js";
import type { ResourceRender } from "../diff/diff.js";
import { lintCloudFormation, resourceTypes } from "./cloudformation.js";
import { lintTerraform } from "./terraform.js";
import { lintTerraformVariables } from "./terraform-variables.js";
import type { Bundle } from "../model.js";
import { traceDiagnostics } from "./source-map.js";

/** Rendered files of a resource that are CloudFormation, with the template each came from. */
function cloudFormationFiles(bundle: Bundle, resource: ResourceRender) {
  return resource.files.flatMap((f) => {
    const part = bundle.parts.find((p) => f.path.startsWith(`${p.name}/`));
    const source = `${bundle.dir}/${f.path}`;
    const isCfn = part?.templates.some((t) => t.templateLanguage === "cloudformation") && part.files.includes(source);
    return isCfn ? [{ ...f, source }] : [];
  });
}

/** Lints a resource's rendered CloudFormation; each problem is reported at its template line where it can be traced. */
export function lintRenderedResource(bundle: Bundle, resource: ResourceRender): Diagnostic[] {
  return cloudFormationFiles(bundle, resource).flatMap((f) => {
    const renderedName = `${resource.label} › ${f.path}`;
    const found = lintCloudFormation(f.content, renderedName);
    if (found.length === 0) return [];
    return traceDiagnostics(found, {
      rendered: { file: renderedName, content: f.content },
      template: { file: f.source, source: textOf(bundle.files.get(f.source)) },
    });
  });
}

/**
 * CloudFormation deletes a resource whose logical ID disappears and replaces one
 * whose Type changes: both lose whatever the resource held. Warn about each.
 */
export function destructiveChanges(bundle: Bundle, base: ResourceRender | undefined, head: ResourceRender): Diagnostic[] {
  if (!base) return [];
  const diagnostics: Diagnostic[] = [];
  for (const f of cloudFormationFiles(bundle, head)) {
    const before = base.files.find((b) => b.path === f.path);
    const was = before ? resourceTypes(before.content) : undefined;
    const now = resourceTypes(f.content);
    if (!was || !now) continue;
    for (const [id, type] of was) {
      const next = now.get(id);
      if (next === undefined) {
        diagnostics.push(warningAt(f.source, "resource-deleted", `${head.label}: resource ${id} (${type}) is no longer rendered; CloudFormation will delete it`));
      } else if (next !== type) {
        diagnostics.push(warningAt(f.source, "resource-replaced", `${head.label}: resource ${id} changes Type from ${type} to ${next}; CloudFormation will replace it (a new physical resource)`));
      }
    }
  }
  return diagnostics;
}

/**
 * Terraform files are not rendered, so they are linted once per bundle, as they
 * stand in the repository: their syntax, and the variables they read.
 */
export async function lintTerraformBundle(bundle: Bundle): Promise<Diagnostic[]> {
  const read = (path: string) => ({ path, content: textOf(bundle.files.get(path)) });
  const parts = bundle.parts.filter((p) => p.templates.some((t) => t.templateLanguage === "terraform"));
  const files = parts.flatMap((p) => p.files.map(read));
  if (files.length === 0) return [];
  const syntax = await lintTerraform(files);
  // A file HCL cannot parse would only add guesses about its variables.
  const unparsed = new Set(syntax.map((d) => d.file));
  const variables = parts.flatMap((p) => {
    const module = [...bundle.files.keys()].filter((f) => f.startsWith(`${p.dir}/`) && /\.tf(\.json)?$/.test(f)).map(read);
    return lintTerraformVariables(p.name, p.files.filter((f) => !unparsed.has(f)).map(read), module);
  });
  return [...syntax, ...variables];
}
