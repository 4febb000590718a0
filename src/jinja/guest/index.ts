// Runs inside QuickJS, never in Node. Bundled by scripts/build-sandbox.mjs into
// dist/sandbox/guest.js. Contract: see GUEST_GLOBAL in ../types.ts.
//
// Templates render exactly as Python's Jinja2 3.x renders them with
// `Environment(undefined=StrictUndefined)`: the lexer and parser follow
// jinja2/lexer.py and jinja2/parser.py, templates compile to JS over a Python
// value model (python.ts), and the builtin filters and tests are ports of
// Jinja2's. See docs/rendering.md for what differs and why.
import { GUEST_NEED_SOURCE, GUEST_OK_PREFIX } from "../guest-contract.js";
import { type RenderError } from "../../ports/renderer.js";
import { TemplateSyntaxError, UndefinedError, outputTooLong } from "./errors.js";
import { mutationCount } from "./attrs.js";
import { adaptFilter, externalFilterCalls } from "./external.js";
import { GLOBALS } from "./globals.js";
import { parseJson } from "./json.js";
import { lockdown } from "./lockdown.js";
import { BLOCK_END, BLOCK_START, applyBlockIndentation, protonFilters } from "./proton-filters.js";
import { filters } from "./registry.js";
import { runtime } from "./runtime.js";
import { TemplateCache, compileTemplate, type RenderFn } from "./template.js";
import "./filters.js";

for (const [name, fn] of Object.entries(protonFilters)) filters.set(name, adaptFilter(name, fn));

type Compiled = { ok: true; render: RenderFn; markers: boolean } | { ok: false; error: RenderError };

// Keyed by the host's number for the source (see GUEST_GLOBAL in ../types.ts):
// no hashing or comparing of long sources per render.
const cache = new TemplateCache<Compiled>(200);
let last: { key: string; compiled: Compiled } | null = null;
/** Thrown by compile's cache miss when the host sent no source; never leaves compile. */
const MISSING = {};

/** Proton's block markers (private-use characters, see proton-filters.ts). */
const hasMarkers = (s: string): boolean => s.indexOf(BLOCK_START) !== -1 || s.indexOf(BLOCK_END) !== -1;

function toRenderError(e: unknown): RenderError {
  const err = e as { message?: unknown; lineno?: unknown; column?: unknown } | null;
  const message = outputTooLong(e) ?? (typeof err?.message === "string" ? err.message : String(e));
  const kind = e instanceof TemplateSyntaxError ? "syntax" : e instanceof UndefinedError ? "undefined" : "runtime";
  const error: RenderError = { kind, message };
  if (typeof err?.lineno === "number") error.line = err.lineno;
  if (typeof err?.column === "number") error.column = err.column;
  return error;
}

/** The compiled template for `key`, or undefined when it is not cached and `source` is null. */
function compile(key: string, source: string | null): Compiled | undefined {
  if (last?.key === key) return last.compiled;
  let compiled: Compiled;
  try {
    compiled = cache.get(key, () => {
      if (source === null) throw MISSING;
      try {
        return { ok: true, render: compileTemplate(source), markers: hasMarkers(source) };
      } catch (e) {
        if (!(e instanceof TemplateSyntaxError)) throw e;
        return { ok: false, error: toRenderError(e) };
      }
    });
  } catch (e) {
    if (e === MISSING) return undefined;
    throw e;
  }
  last = { key, compiled };
  return compiled;
}

// The last context, parsed: a bundle's templates render with the same context,
// so it is reused until a render changes it in place (`list.append`, `dict.update`).
type ParsedContext = { json: string; value: Map<unknown, unknown>; markers: boolean };
let lastContext: ParsedContext | null = null;

function context(json: string, exactNumbers: boolean): ParsedContext {
  if (lastContext?.json === json) return lastContext;
  // Let go of the old one first: a fleet's pipeline context is large, and two need twice the memory.
  lastContext = null;
  const value = parseJson(json, exactNumbers);
  return { json, value: value instanceof Map ? value : new Map(), markers: hasMarkers(json) };
}

/**
 * The reply when there is no memory left to build one: QuickJS throws null when it cannot
 * allocate even the error object, and encoding a failure needs memory too. Built at load.
 */
const OUT_OF_MEMORY_REPLY = JSON.stringify({ ok: false, error: { kind: "memory", message: "out of memory" } });

function render(_name: string, key: number, source: string | null, contextJson: string, exactNumbers?: unknown): string {
  const mutationsBefore = mutationCount();
  const filterCallsBefore = externalFilterCalls();
  let ctx: ParsedContext | null = null;
  try {
    const compiled = compile(String(key), typeof source === "string" ? source : null);
    if (!compiled) return GUEST_NEED_SOURCE;
    if (!compiled.ok) return JSON.stringify({ ok: false, error: compiled.error });
    ctx = context(contextJson, exactNumbers === true);
    let output = compiled.render(ctx.value);
    // Markers come from proton_cfn_* filters (or, unusually, the inputs); scanning
    // every output for them would cost more than a typical render.
    if (externalFilterCalls() !== filterCallsBefore || compiled.markers || ctx.markers) output = applyBlockIndentation(output);
    // Not JSON: encoding the output here and decoding it in the host costs more than the render's tail.
    // A NUL would cut the reply short on its way out of QuickJS; JSON escapes it.
    return output.indexOf("\u0000") === -1 ? GUEST_OK_PREFIX + output : JSON.stringify({ ok: true, output });
  } catch (e) {
    if (e === null) return OUT_OF_MEMORY_REPLY; // nothing else in the guest throws null
    try {
      return JSON.stringify({ ok: false, error: toRenderError(e) });
    } catch {
      return OUT_OF_MEMORY_REPLY;
    }
  } finally {
    // No allocation here: a finally that throws would replace the reply.
    lastContext = ctx && mutationCount() === mutationsBefore ? ctx : null;
  }
}

(globalThis as Record<string, unknown>).__baryon = { render };
lockdown([runtime, GLOBALS]);
