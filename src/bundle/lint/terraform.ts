// Lint of Terraform files: parsed as HCL by HashiCorp's own parser (hcl/v2,
// compiled to WebAssembly and shipped in @cdktn/hcl2json), so the errors are
// the ones `terraform init` would print, at the same file:line.
import { errorAt, type Diagnostic } from "../diagnostics.js";
import { findJsonError } from "../parse/json-error.js";

export interface TerraformFile {
  /** Where diagnostics point. Baryon copies `.tf` files unrendered, so a template path is right. */
  path: string;
  content: string;
}

type Parse = (filename: string, contents: string) => Promise<unknown>;

// Loaded on first use: the parser is a Go WebAssembly module of ~8 MB that starts its own runtime.
let parser: Promise<Parse> | undefined;
const loadParser = (): Promise<Parse> =>
  (parser ??= import("@cdktn/hcl2json").then((module) => module.parse));

// The parser names the file in every message; a fixed name keeps paths with odd characters out of the pattern.
const PARSED_NAME = "baryon-input.tf";
const LOCATION = /baryon-input\.tf:(\d+),(\d+)(?:-(?:\d+,)?\d+)?: /g;

/**
 * Syntax errors of `.tf` and `.tfvars` files (HCL) and `.tf.json` and
 * `.tfvars.json` files (JSON); other files are ignored. Every error HCL reports
 * is returned, at its line and column.
 */
export async function lintTerraform(files: readonly TerraformFile[]): Promise<Diagnostic[]> {
  const diagnostics: Diagnostic[] = [];
  for (const file of files) {
    if (/\.(tf|tfvars)\.json$/.test(file.path)) diagnostics.push(...lintJson(file));
    else if (/\.(tf|tfvars)$/.test(file.path)) diagnostics.push(...(await lintHcl(file)));
  }
  return diagnostics;
}

async function lintHcl(file: TerraformFile): Promise<Diagnostic[]> {
  const parse = await loadParser();
  try {
    await parse(PARSED_NAME, file.content);
    return [];
  } catch (e) {
    return hclErrors(file.path, e instanceof Error ? e.message : String(e));
  }
}

/** HCL's "name:line,col-col: Summary; Detail." messages, one Diagnostic each, duplicates dropped. */
function hclErrors(path: string, message: string): Diagnostic[] {
  const text = message.replace(/^parse config: \[/, "").replace(/\]$/, "");
  const located = [...text.matchAll(LOCATION)];
  if (located.length === 0) {
    // Not a syntax report (the parser gave up, e.g. nesting too deep for its stack).
    return [errorAt(path, "tf-syntax", `could not parse as HCL: ${text.replaceAll(PARSED_NAME, path)}`)];
  }
  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  located.forEach((match, i) => {
    const end = located[i + 1]?.index ?? text.length;
    const body = text.slice(match.index + match[0].length, end).trim().replaceAll(PARSED_NAME, path);
    const [summary, ...detail] = body.split("; ");
    const line = Number(match[1]);
    const column = Number(match[2]);
    const key = `${line}:${column}:${summary}`;
    if (seen.has(key)) return;
    seen.add(key);
    const words = detail.length > 0 ? `${summary}: ${detail.join("; ")}` : summary!;
    diagnostics.push(errorAt(path, "tf-syntax", words, { line, column }));
  });
  return diagnostics;
}

function lintJson(file: TerraformFile): Diagnostic[] {
  const error = findJsonError(file.content);
  return error ? [errorAt(file.path, "tf-json-syntax", `invalid JSON: ${error.message}`, error)] : [];
}
