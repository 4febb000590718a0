// How template-controlled text enters generated code: as a string literal.

/**
 * `s` as a JavaScript string literal. Besides JSON's escapes, `<`, `>` and the
 * "i" of "import" are written as \u escapes: SES (the V8 engine's compartment)
 * refuses any source text containing `<!--`, `-->` or `import(`, even inside a
 * string, and a template's text must not decide whether its code compiles.
 */
export function jsString(s: string): string {
  return JSON.stringify(s)
    .replace(/[<>]/g, (c) => (c === "<" ? "\\u003c" : "\\u003e"))
    .replace(/import/g, "\\u0069mport");
}

/** A literal for a JSON value (null, boolean, finite number, string, or an array or object of them), strings as {@link jsString}. */
export function jsLiteral(value: unknown): string {
  if (typeof value === "string") return jsString(value);
  if (Array.isArray(value)) return `[${value.map(jsLiteral).join(", ")}]`;
  if (typeof value === "object" && value !== null) {
    return `{${Object.entries(value).map(([k, v]) => `${jsString(k)}: ${jsLiteral(v)}`).join(", ")}}`;
  }
  return JSON.stringify(value);
}
