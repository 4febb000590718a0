// Terminal output shared by CLI commands: diagnostics as `file:line:col: severity: message`,
// coloured only when the stream is a terminal (picocolors honours NO_COLOR/FORCE_COLOR).
import pc from "picocolors";
import { formatDiagnostic, type Diagnostic } from "../../bundle/diagnostics.js";
import { RegistryTooNewError, RegistryUnreachableError, RegistryUnreadableError } from "../../adapters/registry/registry-errors.js";

/** Every command's exit codes (README.md, "Exit codes", lists them). */
export const EXIT = {
  ok: 0,
  /** The templates, specs or config have errors (reported as diagnostics). */
  problems: 1,
  /** Bad arguments, not a git checkout, or a setting missing. */
  usage: 2,
  /** The embedded registry's data directory is damaged or not a registry. */
  registryUnreadable: 3,
  /** The Postgres of DATABASE_URL cannot be reached. */
  registryUnreachable: 4,
  /** The registry was migrated by a newer Baryon. */
  registryTooNew: 5,
} as const;

/** Bad arguments, not a git checkout, or a setting missing: said in one line, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The exit code for a registry that cannot be used at all; undefined for any other error. */
export function registryExitCode(error: unknown): number | undefined {
  if (error instanceof RegistryUnreadableError) return EXIT.registryUnreadable;
  if (error instanceof RegistryUnreachableError) return EXIT.registryUnreachable;
  if (error instanceof RegistryTooNewError) return EXIT.registryTooNew;
  return undefined;
}

export interface Out {
  write(text: string): void;
  color: boolean;
}

export function stdout(): Out {
  return { write: (t) => void process.stdout.write(t), color: pc.isColorSupported && process.stdout.isTTY === true };
}

export function stderr(): Out {
  return { write: (t) => void process.stderr.write(t), color: pc.isColorSupported && process.stderr.isTTY === true };
}

export function printDiagnostic(out: Out, d: Diagnostic): void {
  const line = formatDiagnostic(d);
  if (!out.color) return out.write(`${line}\n`);
  const paint = d.severity === "error" ? pc.red : d.severity === "warning" ? pc.yellow : pc.cyan;
  out.write(`${line.replace(`${d.severity}:`, paint(`${d.severity}:`))}\n`);
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
