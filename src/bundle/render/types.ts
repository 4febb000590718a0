// The Renderer port: turn one Jinja template + context into text. The only
// production adapter is the sandboxed pool (pool.ts); nothing else may evaluate
// template code, because templates come from pull requests and are untrusted.

export type RenderErrorKind =
  /** The template does not parse. */
  | "syntax"
  /** A name or attribute the template reads is not defined (Jinja2 StrictUndefined). */
  | "undefined"
  /** Anything else the template raised: a bad filter argument, a type error, a failed proton_cfn_sanitize. */
  | "runtime"
  /** The render ran past its deadline. */
  | "timeout"
  /** The render went over its memory cap. */
  | "memory"
  /** The sandbox itself failed (child process died, bad reply); the pool replaces it. */
  | "sandbox";

export interface RenderError {
  kind: RenderErrorKind;
  message: string;
  /** 1-based line in the template source, when known. */
  line?: number;
  /** 1-based column, when known. */
  column?: number;
}

export type RenderResult = { ok: true; output: string } | { ok: false; error: RenderError };

export interface RenderRequest {
  /** The template's path, used in error messages (e.g. `fargate/v1/infrastructure/cloudformation.yaml`). */
  name: string;
  /** Jinja source text. */
  source: string;
  /** The render context: plain JSON-compatible data (see context.ts for Proton's shape). */
  context: unknown;
}

export interface Renderer {
  render(request: RenderRequest): Promise<RenderResult>;
  /** Stop the renderer's processes; later renders fail. */
  close(): Promise<void>;
}

/**
 * The contract between the host and the guest script (dist/sandbox/guest.js)
 * evaluated inside QuickJS: the guest defines `globalThis.__baryon.render(name,
 * key, source, contextJson)`, frozen by lockdown, and it must never throw.
 *
 * - `key` (a number) names the template source; the host never gives one key
 *   to two different sources, so the guest may cache compiled templates by key.
 * - `source` is the Jinja source, or null when the host expects the guest to
 *   know the key already. A guest that does not (it evicted it, or it is a fresh
 *   runtime) returns {@link GUEST_NEED_SOURCE}, and the host calls again, once,
 *   with the source, under the same deadline.
 * - The reply is a string: {@link GUEST_OK_PREFIX} followed by the output, or a
 *   JSON-encoded RenderResult (failures; a JSON `ok: true` result is accepted
 *   too). The host checks the reply's shape: template code can make the guest
 *   return anything.
 */
export const GUEST_GLOBAL = "__baryon";
/**
 * Starts a successful reply; everything after it is the output, verbatim. The
 * host reads a reply as a C string, which ends at the first NUL: an output that
 * contains one must be sent as JSON instead.
 */
export const GUEST_OK_PREFIX = "ok:";
/** The whole reply of a guest asked to render a key it does not hold, with a null source. */
export const GUEST_NEED_SOURCE = "source?";
