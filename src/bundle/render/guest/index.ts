// Runs inside QuickJS, never in Node: nunjucks plus Baryon's Jinja2 compatibility
// layer. Bundled by scripts/build-sandbox.mjs into dist/sandbox/guest.js.
// Contract: see GUEST_GLOBAL in ../types.ts.
import nunjucks from "nunjucks/browser/nunjucks.js";
import type { RenderResult } from "../types.js";

const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true });
const compiled = new Map<string, { render(ctx: unknown): string }>();

function render(name: string, source: string, contextJson: string): string {
  let result: RenderResult;
  try {
    let template = compiled.get(source);
    if (!template) {
      template = new nunjucks.Template(source, env, name, true) as { render(ctx: unknown): string };
      compiled.set(source, template);
    }
    result = { ok: true, output: template.render(JSON.parse(contextJson)) };
  } catch (e) {
    result = { ok: false, error: { kind: "runtime", message: String((e as Error)?.message ?? e) } };
  }
  return JSON.stringify(result);
}

(globalThis as Record<string, unknown>).__baryon = { render };
