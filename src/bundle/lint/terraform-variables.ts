// Every `var.x` a Terraform file reads must be declared in its module (the
// folder it sits in) or be one of the variables Proton generated for the part
// (render/terraform-vars.ts): otherwise `terraform validate` fails with
// "Reference to undeclared input variable", after the version is published.
import { errorAt, type Diagnostic } from "../diagnostics.js";
import { positionsIn, terraformCode } from "../check/input-references.js";
import { didYouMean } from "../check/suggest-name.js";
import type { PartName } from "../model.js";
import type { ContextKind } from "../render/context.js";
import { DECLARATIONS } from "../render/terraform-vars.js";
import type { TerraformFile } from "./terraform.js";

/** The context kind Proton rendered each part for. */
const PART_KINDS: Record<PartName, ContextKind> = {
  infrastructure: "environment",
  instance_infrastructure: "service_instance",
  pipeline_infrastructure: "pipeline",
};

// `variable "name" {` or `variable name {`; the keyword must be code, not a comment.
const DECLARATION = /(?<![\w.-])variable\s+(?:"([^"\\\n]+)"|([A-Za-z_][\w-]*))\s*\{/g;
// `var.name`, but not `local.var.name` or `my_var.name`.
const REFERENCE = /(?<![\w.-])var\.([A-Za-z_][\w-]*)/g;

const generated = (kind: ContextKind) => DECLARATIONS[kind].flatMap((text) => declaredIn(text, text));

/**
 * Undeclared `var.x` references in `checked` (a part's `.tf` files), each at its
 * line. `module` holds every Terraform file of the part's folders (also those the
 * manifest does not name: Terraform reads a whole folder), for their declarations.
 */
export function lintTerraformVariables(part: PartName, checked: readonly TerraformFile[], module: readonly TerraformFile[]): Diagnostic[] {
  const proton = generated(PART_KINDS[part]);
  const declared = new Map<string, Set<string>>();
  for (const file of module) {
    const names = declared.get(folderOf(file.path)) ?? new Set<string>();
    for (const name of declarations(file)) names.add(name);
    declared.set(folderOf(file.path), names);
  }
  const diagnostics: Diagnostic[] = [];
  for (const file of checked.filter((f) => f.path.endsWith(".tf"))) {
    const inFolder = declared.get(folderOf(file.path)) ?? new Set<string>();
    const at = positionsIn(file.content);
    for (const match of terraformCode(file.content).matchAll(REFERENCE)) {
      const name = match[1]!;
      if (inFolder.has(name) || proton.includes(name)) continue;
      diagnostics.push(errorAt(file.path, "tf-variable-undeclared",
        `var.${name} is not declared: no \`variable "${name}"\` block in ${folderOf(file.path)}/, and it is not one Proton generates for ${part}/ ` +
        `(${proton.join(", ")})${didYouMean(name, [...inFolder, ...proton])}; terraform validate would fail`, at(match.index)));
    }
  }
  return diagnostics;
}

function declarations(file: TerraformFile): string[] {
  if (file.path.endsWith(".tf")) return declaredIn(file.content, terraformCode(file.content));
  if (!file.path.endsWith(".tf.json")) return [];
  try {
    const parsed: unknown = JSON.parse(file.content);
    const variables = typeof parsed === "object" && parsed !== null ? (parsed as { variable?: unknown }).variable : undefined;
    return typeof variables === "object" && variables !== null ? Object.keys(variables) : [];
  } catch {
    return []; // Reported by the syntax lint.
  }
}

/** Names of the variable blocks in `source` whose keyword is code (`code` is source with comments blanked). */
function declaredIn(source: string, code: string): string[] {
  return [...source.matchAll(DECLARATION)]
    .filter((m) => code.startsWith("variable", m.index))
    .map((m) => (m[1] ?? m[2])!);
}

function folderOf(path: string): string {
  return path.slice(0, path.lastIndexOf("/"));
}
