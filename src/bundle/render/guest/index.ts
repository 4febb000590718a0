// Runs inside QuickJS, never in Node. Bundled by scripts/build-sandbox.mjs into
// dist/sandbox/guest.js. Contract: see GUEST_GLOBAL in ../types.ts.
//
// Templates render exactly as Python's Jinja2 3.x renders them with
// `Environment(undefined=StrictUndefined)`: the lexer and parser follow
// jinja2/lexer.py and jinja2/parser.py, templates compile to JS over a Python
// value model (python.ts), and the builtin filters and tests are ports of
// Jinja2's. See docs/rendering.md for what differs and why.
import type { RenderError, RenderResult } from "../types.js";
import { TemplateSyntaxError, UndefinedError } from "./errors.js";
import { adaptFilter } from "./external.js";
import { GLOBALS } from "./globals.js";
import { parseJson } from "./json.js";
import { lockdown } from "./lockdown.js";
import { applyBlockIndentation, protonFilters } from "./proton-filters.js";
import { filters } from "./registry.js";
import { runtime } from "./runtime.js";
import { TemplateCache, compileTemplate, type RenderFn } from "./template.js";
import "./filters.js";

for (const [name, fn] of Object.entries(protonFilters)) filters.set(name, adaptFilter(name, fn));

type Compiled = { ok: true; render: RenderFn } | { ok: false; error: RenderError };

const cache = new TemplateCache<Compiled>(200);

function toRenderError(e: unknown): RenderError {
  const err = e as { message?: unknown; lineno?: unknown; column?: unknown } | null;
  const message = typeof err?.message === "string" ? err.message : String(e);
  const kind = e instanceof TemplateSyntaxError ? "syntax" : e instanceof UndefinedError ? "undefined" : "runtime";
  const error: RenderError = { kind, message };
  if (typeof err?.lineno === "number") error.line = err.lineno;
  if (typeof err?.column === "number") error.column = err.column;
  return error;
}

function compile(source: string): Compiled {
  try {
    return { ok: true, render: compileTemplate(source) };
  } catch (e) {
    if (!(e instanceof TemplateSyntaxError)) throw e;
    return { ok: false, error: toRenderError(e) };
  }
}

function render(_name: string, source: string, contextJson: string): string {
  let result: RenderResult;
  try {
    const compiled = cache.get(source, () => compile(source));
    if (!compiled.ok) return JSON.stringify({ ok: false, error: compiled.error });
    const ctx = parseJson(contextJson);
    const output = compiled.render(ctx instanceof Map ? ctx : new Map());
    result = { ok: true, output: applyBlockIndentation(output) };
  } catch (e) {
    result = { ok: false, error: toRenderError(e) };
  }
  return JSON.stringify(result);
}

(globalThis as Record<string, unknown>).__baryon = { render };
lockdown([runtime, GLOBALS]);
