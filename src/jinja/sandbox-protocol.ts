// Messages between the render pool (pool.ts) and its child processes
// (sandbox-host.ts), and the checks both sides apply to what they receive: the
// child's reply comes from the guest, which runs template code, so neither side
// trusts its shape.
import type { RenderError, RenderErrorKind, RenderResult } from "../ports/renderer.js";
import { GUEST_OK_PREFIX } from "./guest-contract.js";

/** Limits the pool hands each child on its command line. */
export interface SandboxLimits {
  deadlineMs: number;
  memoryLimitBytes: number;
}

/**
 * One render. A template source crosses the IPC channel once per child: the
 * first request for it carries `source`, later ones only its `key` (null
 * source). Pool and child each keep a {@link SourceCache} per child and apply
 * the same additions in the same order, so they evict the same keys and agree
 * on what the child holds; a restarted child starts empty on both sides.
 */
export interface RenderRequestMessage {
  type: "render";
  id: number;
  name: string;
  /** The pool's number for this source: never reused for another source. */
  key: number;
  /** The source, when the pool has not sent this key to this child yet (or the child evicted it). */
  source: string | null;
  contextJson: string;
  /**
   * True when contextJson has numbers JSON.parse would lose (`5.0`, integers
   * beyond 2^53): the guest then reads numbers as Python's json does.
   */
  exactNumbers?: boolean;
}

/** One render of a batch: a RenderRequestMessage without the message's own fields. */
export type RenderItem = Omit<RenderRequestMessage, "type" | "id">;

/**
 * Several renders in one message (see sandbox-batch.ts), answered by one
 * "results" reply. Sources follow the same rule as in RenderRequestMessage,
 * applied render by render in order: a source sent with one render is named by
 * key in a later render of the same batch. A lone render is sent as a
 * RenderRequestMessage.
 */
export interface RenderBatchMessage {
  type: "batch";
  id: number;
  renders: RenderItem[];
}

/** How many sources a child holds at most, and how many characters in all (the newest is always kept). */
export const SOURCE_CACHE_ENTRIES = 64;
export const SOURCE_CACHE_CHARS = 8 * 1024 * 1024;

/**
 * A first-in-first-out map bounded by entry count and total size. Deterministic:
 * the same sequence of add() calls evicts the same keys, which is what keeps the
 * pool's record of a child's sources in step with the child's own copy. Lookups
 * do not reorder entries.
 */
export class SourceCache<K, V> {
  private readonly entries = new Map<K, { value: V; size: number }>();
  private total = 0;

  constructor(
    private readonly maxEntries = SOURCE_CACHE_ENTRIES,
    private readonly maxSize = SOURCE_CACHE_CHARS,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  get(key: K): V | undefined {
    return this.entries.get(key)?.value;
  }

  keys(): K[] {
    return [...this.entries.keys()];
  }

  /** Adds (or replaces, as the newest) `key`, then evicts the oldest entries while over either bound. */
  add(key: K, value: V, size: number): void {
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.total -= old.size;
    }
    this.entries.set(key, { value, size });
    this.total += size;
    while (this.entries.size > 1 && (this.entries.size > this.maxEntries || this.total > this.maxSize)) {
      const [oldest, entry] = this.entries.entries().next().value as [K, { value: V; size: number }];
      this.entries.delete(oldest);
      this.total -= entry.size;
    }
  }
}

/**
 * Records the sources a request carries in a child's cache, render by render in
 * order as the pool recorded them, and returns the source each render names
 * (undefined where pool and child disagree, a bug the child reports).
 */
export function holdSources(sources: SourceCache<number, string>, renders: readonly RenderItem[]): (string | undefined)[] {
  return renders.map((item) => {
    if (item.source !== null) sources.add(item.key, item.source, item.source.length);
    return sources.get(item.key);
  });
}

export type ChildMessage =
  | { type: "ready" }
  | { type: "failed"; message: string }
  /**
   * Answers to the renders of request `id`, in order. Fewer than were sent means
   * the child stopped early (see sandbox-batch.ts): the rest were not started.
   * `retiring`: the child exits after this reply and must not be given another render.
   */
  | { type: "results"; id: number; results: RenderResult[]; retiring: boolean };

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
    Number.isSafeInteger(m.key) &&
    (m.source === null || typeof m.source === "string") &&
    typeof m.contextJson === "string" &&
    (m.exactNumbers === undefined || typeof m.exactNumbers === "boolean")
  );
}

/** The renders of a request message (one for a RenderRequestMessage), or undefined if it is neither kind. */
export function requestedRenders(value: unknown): { id: number; renders: RenderItem[] } | undefined {
  if (isRenderRequestMessage(value)) return { id: value.id, renders: [value] };
  const m = value as Partial<RenderBatchMessage> | null;
  if (typeof m !== "object" || m === null || m.type !== "batch" || typeof m.id !== "number") return undefined;
  const { renders } = m;
  if (!Array.isArray(renders) || renders.length === 0) return undefined;
  for (const item of renders as unknown[]) {
    if (!isRenderRequestMessage({ ...(item as object), type: "render", id: m.id })) return undefined;
  }
  return { id: m.id, renders };
}

export function parseChildMessage(value: unknown): ChildMessage | undefined {
  const m = value as { type?: unknown; id?: unknown; message?: unknown; results?: unknown; retiring?: unknown } | null;
  if (typeof m !== "object" || m === null) return undefined;
  if (m.type === "ready") return { type: "ready" };
  if (m.type === "failed" && typeof m.message === "string") return { type: "failed", message: m.message };
  if (m.type === "results" && typeof m.id === "number" && Array.isArray(m.results) && m.results.length > 0) {
    const results: RenderResult[] = [];
    for (const value of m.results as unknown[]) {
      const result = toRenderResult(value);
      if (!result) return undefined;
      results.push(result);
    }
    return { type: "results", id: m.id, results, retiring: m.retiring === true };
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

/** A guest's reply, checked: the output after GUEST_OK_PREFIX, or a JSON RenderResult field by field; undefined when it is neither. */
export function parseGuestReply(reply: unknown): RenderResult | undefined {
  if (typeof reply !== "string") return undefined;
  if (reply.startsWith(GUEST_OK_PREFIX)) return { ok: true, output: reply.slice(GUEST_OK_PREFIX.length) };
  try {
    return toRenderResult(JSON.parse(reply));
  } catch {
    return undefined;
  }
}

/** A child's message to the pool; a child started without an IPC channel has no pool, and exits. */
export function sendToPool(message: ChildMessage, then?: (error: Error | null) => void): void {
  if (!process.send) process.exit(1);
  process.send(message, undefined, undefined, then);
}

export function failure(kind: RenderErrorKind, message: string): RenderResult {
  return { ok: false, error: { kind, message } };
}

export function timeoutMessage(deadlineMs: number): string {
  return `render exceeded its ${deadlineMs} ms deadline`;
}

/** How the engines and the guest word running out of memory, in an error they throw or a failure they reply. */
export const OUT_OF_MEMORY = /\bout of memory\b/i;

/** A render whose recursion or nesting ran the engine's stack out: named with the memory limits. */
export const STACK_MESSAGE = "render exceeded the sandbox's stack: recursion or nesting is too deep";

export function memoryMessage(memoryLimitBytes: number): string {
  const mb = memoryLimitBytes / (1024 * 1024);
  return `render exceeded its ${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB memory cap`;
}

function isPositive(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value > 0;
}
