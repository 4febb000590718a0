// Mistakes a user can fix are data, not exceptions: every check in the bundle
// engine returns Diagnostics, and entry points decide how to show them.

export type Severity = "error" | "warning" | "notice";

export interface Diagnostic {
  /** Repository-relative path with "/" separators. */
  file: string;
  /** 1-based line, when the mistake can be pinned to one. */
  line?: number;
  /** 1-based column. */
  column?: number;
  severity: Severity;
  /** Stable identifier (kebab-case) so tools can filter without parsing messages. */
  code: string;
  message: string;
}

export interface Position {
  line?: number;
  column?: number;
}

export function diagnostic(
  severity: Severity,
  file: string,
  code: string,
  message: string,
  at: Position = {},
): Diagnostic {
  const d: Diagnostic = { file, severity, code, message };
  if (at.line !== undefined) d.line = at.line;
  if (at.column !== undefined) d.column = at.column;
  return d;
}

export const errorAt = (file: string, code: string, message: string, at?: Position): Diagnostic =>
  diagnostic("error", file, code, message, at);

export const warningAt = (file: string, code: string, message: string, at?: Position): Diagnostic =>
  diagnostic("warning", file, code, message, at);

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** `file:line:column: severity: message [code]`, the shape editors and CI logs understand. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = [d.file, d.line, d.line !== undefined ? d.column : undefined]
    .filter((part) => part !== undefined)
    .join(":");
  return `${where}: ${d.severity}: ${d.message} [${d.code}]`;
}

/** Stable order for reports: by file, then line, then column. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0),
  );
}
