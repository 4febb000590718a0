// Messages between the render pool (pool.ts) and its child processes
// (sandbox-host.ts), and the checks both sides apply to what they receive: the
// child's reply comes from the guest, which runs template code, so neither side
// trusts its shape.
import type { RenderError, RenderErrorKind, RenderResult } from "./types.js";

/** Limits the pool hands each child on its command line. */
export interface SandboxLimits {
  deadlineMs: number;
  memoryLimitBytes: number;
}

export interface RenderRequestMessage {
  type: "render";
  id: number;
  name: string;
  source: string;
  contextJson: string;
}

export type ChildMessage =
  | { type: "ready" }
  | { type: "failed"; message: string }
  /** `retiring`: the child exits after this reply and must not be given another render. */
  | { type: "result"; id: number; result: RenderResult; retiring: boolean };

const KINDS: ReadonlySet<string> = new Set<RenderErrorKind>([
  "syntax",
  "undefined",
  "runtime",
  "timeout",
  "memory",
  "sandbox",
]);

/** Kinds after which the child throws its QuickJS runtime away before the next render. */
export const POISONING_KINDS: ReadonlySet<RenderErrorKind> = new Set(["timeout", "memory", "sandbox"]);

export function parseLimits(text: string | undefined): SandboxLimits | undefined {
  try {
    const value = JSON.parse(text ?? "") as Partial<SandboxLimits>;
    if (isPositive(value.deadlineMs) && isPositive(value.memoryLimitBytes)) {
      return { deadlineMs: value.deadlineMs, memoryLimitBytes: value.memoryLimitBytes };
    }
  } catch {
    // fall through: a bad argument is reported by the caller
  }
  return undefined;
}

export function isRenderRequestMessage(value: unknown): value is RenderRequestMessage {
  const m = value as Partial<RenderRequestMessage> | null;
  return (
    typeof m === "object" &&
    m !== null &&
    m.type === "render" &&
    typeof m.id === "number" &&
    typeof m.name === "string" &&
    typeof m.source === "string" &&
    typeof m.contextJson === "string"
  );
}

export function parseChildMessage(value: unknown): ChildMessage | undefined {
  const m = value as { type?: unknown; id?: unknown; message?: unknown; result?: unknown; retiring?: unknown } | null;
  if (typeof m !== "object" || m === null) return undefined;
  if (m.type === "ready") return { type: "ready" };
  if (m.type === "failed" && typeof m.message === "string") return { type: "failed", message: m.message };
  if (m.type === "result" && typeof m.id === "number") {
    const result = toRenderResult(m.result);
    if (result) return { type: "result", id: m.id, result, retiring: m.retiring === true };
  }
  return undefined;
}

/** Checks a value claimed to be a RenderResult and rebuilds it with only the known fields. */
export function toRenderResult(value: unknown): RenderResult | undefined {
  const r = value as { ok?: unknown; output?: unknown; error?: unknown } | null;
  if (typeof r !== "object" || r === null) return undefined;
  if (r.ok === true) return typeof r.output === "string" ? { ok: true, output: r.output } : undefined;
  if (r.ok !== false) return undefined;
  const e = r.error as { kind?: unknown; message?: unknown; line?: unknown; column?: unknown } | null;
  if (typeof e !== "object" || e === null) return undefined;
  if (typeof e.kind !== "string" || !KINDS.has(e.kind) || typeof e.message !== "string") return undefined;
  const error: RenderError = { kind: e.kind as RenderErrorKind, message: e.message };
  if (isPositive(e.line)) error.line = e.line;
  if (isPositive(e.column)) error.column = e.column;
  return { ok: false, error };
}

export function failure(kind: RenderErrorKind, message: string): RenderResult {
  return { ok: false, error: { kind, message } };
}

export function timeoutMessage(deadlineMs: number): string {
  return `render exceeded its ${deadlineMs} ms deadline`;
}

export function memoryMessage(memoryLimitBytes: number): string {
  const mb = memoryLimitBytes / (1024 * 1024);
  return `render exceeded its ${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB memory cap`;
}

function isPositive(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value > 0;
}
