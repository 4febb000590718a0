// The reference renderer for fidelity tests: real Python Jinja2, one python3
// process per batch (starting Python per template would dominate the run).
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { toPythonJson } from "../../src/bundle/exact-numbers.js";
import type { RenderErrorKind } from "../../src/ports/renderer.js";

const SCRIPT = fileURLToPath(new URL("./render_jinja2.py", import.meta.url));

export interface Jinja2Case {
  template: string;
  context?: Record<string, unknown>;
}

export type Jinja2Result =
  | { ok: true; output: string }
  | { ok: false; type: string; message: string; line: number | null };

/** Renders every case with `jinja2.Environment(undefined=StrictUndefined)`. */
export function renderWithJinja2(cases: readonly Jinja2Case[]): Promise<Jinja2Result[]> {
  return new Promise((resolve, reject) => {
    const child = execFile("python3", [SCRIPT], { maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`python3 Jinja2 reference failed: ${error.message}\n${stderr}`));
        return;
      }
      const results = JSON.parse(stdout) as Jinja2Result[];
      if (results.length !== cases.length) reject(new Error(`Jinja2 answered ${results.length} of ${cases.length} cases`));
      else resolve(results);
    });
    // As the sandbox gets them: a context's 5.0 stays a float, big integers keep their digits.
    child.stdin?.end(toPythonJson(cases.map((c) => ({ template: c.template, context: c.context ?? {} }))).json);
  });
}

/** The RenderError kind Baryon reports for a Jinja2 exception class. */
export function expectedKind(pythonType: string): RenderErrorKind {
  if (pythonType === "TemplateSyntaxError" || pythonType === "TemplateAssertionError") return "syntax";
  if (pythonType === "UndefinedError") return "undefined";
  return "runtime";
}
