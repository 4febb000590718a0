// Finds the inputs a template reads (`service_instance.inputs.port`,
// `environment.inputs["vpc_cidr"]`, Terraform's `var.environment.inputs.x`),
// so an input the schema does not declare is caught at review time, at its line,
// instead of failing a deployment later.

export type InputScope = "environment" | "service_instance" | "pipeline";

export interface InputReference {
  scope: InputScope;
  input: string;
  line: number;
  column: number;
}

const JINJA_REF = /\b(environment|service_instance|pipeline)\.inputs(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*["']([^"'\]]+)["']\s*\])/g;
const TERRAFORM_REF = /\bvar\.(environment|service_instance|pipeline)\.inputs(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*"([^"\]]+)"\s*\])/g;
/** Jinja tags and raw blocks; only text inside tags is code. */
const JINJA_TAGS = /\{%-?\s*raw\s*-?%\}[\s\S]*?\{%-?\s*endraw\s*-?%\}|\{#[\s\S]*?#\}|\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g;

export function findInputReferences(source: string, language: "jinja" | "terraform"): InputReference[] {
  const lineStarts = [0];
  for (let i = 0; i < source.length; i++) if (source[i] === "\n") lineStarts.push(i + 1);
  const at = (offset: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - lineStarts[lo]! + 1 };
  };
  const refs: InputReference[] = [];
  const scan = (text: string, base: number, pattern: RegExp) => {
    for (const m of text.matchAll(pattern)) {
      refs.push({ scope: m[1] as InputScope, input: (m[2] ?? m[3])!, ...at(base + m.index) });
    }
  };
  if (language === "terraform") {
    scan(source, 0, TERRAFORM_REF);
    return refs;
  }
  for (const tag of source.matchAll(JINJA_TAGS)) {
    if (tag[0].startsWith("{{") || (tag[0].startsWith("{%") && !/^\{%-?\s*raw/.test(tag[0]))) {
      scan(tag[0], tag.index, JINJA_REF);
    }
  }
  return refs;
}

const OUTPUT_REF = /\benvironment\.outputs(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*["']([^"'\]]+)["']\s*\])/g;

/** Names of the environment outputs a template reads (Jinja or Terraform), in order of first use. */
export function findOutputReferences(source: string): string[] {
  const names = new Set<string>();
  for (const m of source.matchAll(OUTPUT_REF)) names.add((m[1] ?? m[2])!);
  return [...names];
}
