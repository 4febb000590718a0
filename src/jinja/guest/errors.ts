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

export const typeError = (message: string): PyError => new PyError("TypeError", message);
export const valueError = (message: string): PyError => new PyError("ValueError", message);
export const zeroDivision = (message: string): PyError => new PyError("ZeroDivisionError", message);
