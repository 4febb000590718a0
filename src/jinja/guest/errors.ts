// Errors a render can raise, shaped after Jinja2's exception classes so the
// contract in index.ts can map them onto RenderError kinds.

/** Base class: carries the 1-based template line once known. */
export class TemplateError extends Error {
  lineno: number | undefined;
  constructor(message: string, lineno?: number) {
    super(message);
    this.lineno = lineno;
  }
}

/** The template does not parse (also Jinja2's TemplateAssertionError). */
export class TemplateSyntaxError extends TemplateError {
  column: number | undefined;
  constructor(message: string, lineno?: number, column?: number) {
    super(message, lineno);
    this.column = column;
  }
}

/** StrictUndefined was printed, iterated, compared, or had an attribute read. */
export class UndefinedError extends TemplateError {}

/** Jinja2's TemplateRuntimeError and FilterArgumentError. */
export class TemplateRuntimeError extends TemplateError {}

/** A Python exception a template raised (TypeError, ValueError, ZeroDivisionError…). */
export class PyError extends TemplateError {
  constructor(
    readonly pyType: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * QuickJS's longest string (JS_STRING_LEN_MAX), and so the longest output a
 * render can have: a string joined to itself in a loop reaches it with little memory.
 */
export const MAX_OUTPUT_CHARS = 2 ** 30 - 1;
/** V8's longest string on 64-bit platforms (String::kMaxLength), the V8 engine's limit instead. */
const V8_MAX_STRING_CHARS = 2 ** 29 - 24;

/** The engine's refusal of a string too long (QuickJS's InternalError, V8's RangeError), in words about the render; undefined for any other error. */
export function outputTooLong(e: unknown): string | undefined {
  if (!(e instanceof Error)) return undefined;
  const quickjs = e.name === "InternalError" && /string too long/i.test(e.message);
  const v8 = e instanceof RangeError && e.message === "Invalid string length";
  if (!quickjs && !v8) return undefined;
  const limit = quickjs ? MAX_OUTPUT_CHARS : V8_MAX_STRING_CHARS;
  return `render output too long: text longer than ${limit} characters, the sandbox's limit for the output and any string in it`;
}

export const typeError = (message: string): PyError => new PyError("TypeError", message);
export const valueError = (message: string): PyError => new PyError("ValueError", message);
export const zeroDivision = (message: string): PyError => new PyError("ZeroDivisionError", message);
