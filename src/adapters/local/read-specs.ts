// Extra specs for a review (`baryon check --specs <dir>`): every *.yaml below a
// folder, each assigned to a template by its `template:` key or, failing that,
// by the name of the folder it sits in.
import { basename, dirname, relative, sep } from "node:path";
import { errorAt, type Diagnostic } from "../../bundle/diagnostics.js";
import { decodeText } from "../../bundle/files.js";
import type { Spec } from "../../bundle/model.js";
import { parseSpec } from "../../bundle/parse/spec.js";
import { readSnapshot } from "./read-snapshot.js";

export interface SpecsByTemplate {
  specs: Record<string, Spec[]>;
  diagnostics: Diagnostic[];
}

export async function readSpecs(dir: string): Promise<SpecsByTemplate> {
  const snapshot = await readSnapshot(dir);
  const specs: Record<string, Spec[]> = {};
  const diagnostics: Diagnostic[] = [];
  const display = (path: string) => relative(process.cwd(), `${dir}${sep}${path}`).split(sep).join("/");
  for (const [path, bytes] of snapshot.files) {
    if (!/\.ya?ml$/.test(path)) continue;
    const file = display(path);
    const { text, diagnostic } = decodeText(file, bytes);
    if (diagnostic || text === undefined) {
      if (diagnostic) diagnostics.push(diagnostic);
      continue;
    }
    const parsed = parseSpec(file, text);
    diagnostics.push(...parsed.diagnostics);
    if (!parsed.spec) continue;
    const template = parsed.spec.template?.name ?? (dirname(path) === "." ? undefined : basename(dirname(path)));
    if (!template) {
      diagnostics.push(errorAt(file, "spec-template-unknown", "cannot tell which template this spec deploys: add `template: <name>` or put it in a folder named after the template", { line: 1 }));
      continue;
    }
    (specs[template] ??= []).push(parsed.spec);
  }
  return { specs, diagnostics };
}
