// Terminal output shared by CLI commands: diagnostics as `file:line:col: severity: message`,
// coloured only when the stream is a terminal (picocolors honours NO_COLOR/FORCE_COLOR).
import pc from "picocolors";
import { formatDiagnostic, type Diagnostic } from "../../bundle/diagnostics.js";

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
