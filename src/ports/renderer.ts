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
