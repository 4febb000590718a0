// A stage's `verify:` check on one freshly deployed resource (docs/rollouts.md):
//   { command }            exit 0 passed; 75 (EX_TEMPFAIL) inconclusive; other codes failed;
//                          a timeout, a signal or a command that cannot start (126 and 127:
//                          the shell could not run or find it): inconclusive
//   { http, expect }       the expected status passed; another status failed;
//                          unreachable or timed out: inconclusive
// The command runs like a provisioner's: in an empty folder of its own, with the
// resource's BARYON_* variables and outputs, PATH and HOME, and none of Baryon's secrets.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatDuration } from "../../config/duration.js";
import type { Verifier, VerifyRequest, VerifyResult } from "../../ports/verifier.js";
import { runCommand } from "../provisioners/run-command.js";

const EX_TEMPFAIL = 75;
/** The shell's own statuses: it found the command but could not run it (126), or did not find it (127). */
const NOT_RUNNABLE = new Set([126, 127]);
const LOG_LIMIT = 64 * 1024;
/** What a verdict's detail quotes of the command's output: its last lines. */
const DETAIL_CHARS = 300;

export interface VerifierOptions {
  env?: Record<string, string | undefined>;
  killGraceMs?: number;
  fetch?: typeof fetch;
}

export function createVerifier(options: VerifierOptions = {}): Verifier {
  const base = options.env ?? process.env;
  const doFetch = options.fetch ?? fetch;
  return {
    async verify(request, signal) {
      const { check } = request;
      if ("command" in check) return verifyCommand(request, check, base, options.killGraceMs ?? 2000, signal);
      return verifyHttp(request, check, doFetch, signal);
    },
  };
}

async function verifyCommand(request: VerifyRequest, check: { command: string; timeoutMs: number }, base: Record<string, string | undefined>, killGraceMs: number, signal?: AbortSignal): Promise<VerifyResult> {
  const folder = await mkdtemp(join(tmpdir(), "baryon-verify-"));
  try {
    const outcome = await runCommand({
      command: check.command, cwd: folder, env: environment(request, base), timeoutMs: check.timeoutMs, killGraceMs,
      logLimitBytes: LOG_LIMIT, ...(signal ? { signal } : {}),
    });
    const said = lastWords(outcome.log);
    switch (outcome.ended) {
      case "exited":
        if (outcome.code === 0) return { verdict: "passed", detail: `\`${check.command}\` exited with 0${said}` };
        if (NOT_RUNNABLE.has(outcome.code)) return { verdict: "inconclusive", detail: notRunnable(check.command, outcome.code, said) };
        return { verdict: outcome.code === EX_TEMPFAIL ? "inconclusive" : "failed", detail: `\`${check.command}\` exited with ${outcome.code}${said}` };
      case "timed_out": return { verdict: "inconclusive", detail: `\`${check.command}\` timed out after ${formatDuration(check.timeoutMs)}${said}` };
      case "killed": return { verdict: "inconclusive", detail: `\`${check.command}\` was killed by ${outcome.signal}${said}` };
      case "aborted": return { verdict: "inconclusive", detail: `\`${check.command}\` was stopped: ${outcome.why}` };
      case "not_started": return { verdict: "inconclusive", detail: `\`${check.command}\` could not start: ${outcome.error}` };
    }
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

async function verifyHttp(request: VerifyRequest, check: { http: string; expect: number; timeoutMs: number }, doFetch: typeof fetch, signal?: AbortSignal): Promise<VerifyResult> {
  const url = expandUrl(check.http, request);
  if ("missing" in url) return { verdict: "inconclusive", detail: `${check.http}: ${url.missing}` };
  const timeout = AbortSignal.timeout(check.timeoutMs);
  try {
    const response = await doFetch(url.text, { redirect: "manual", signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    await response.body?.cancel();
    if (response.status === check.expect) return { verdict: "passed", detail: `GET ${url.text} answered ${response.status}` };
    return { verdict: "failed", detail: `GET ${url.text} answered ${response.status}, expected ${check.expect}` };
  } catch (error) {
    const why = timeout.aborted ? `no answer within ${formatDuration(check.timeoutMs)}` : messageOf(error);
    return { verdict: "inconclusive", detail: `GET ${url.text}: ${why}` };
  }
}

/**
 * `{resource}`, `{service}`, `{environment}` and `{outputs.Name}` in a probe's URL, from the
 * resource just deployed. A value inside the URL is encoded as one path segment or query value;
 * one that starts the URL is the URL itself (a stack's `ServiceUrl` output), taken as it is.
 */
function expandUrl(pattern: string, request: VerifyRequest): { text: string } | { missing: string } {
  let missing: string | undefined;
  const text = pattern.replace(/\{(resource|service|environment|outputs\.([\w.-]+))\}/g, (whole, name: string, output: string | undefined, at: number) => {
    const value = output !== undefined ? request.outputs[output] : name === "resource" ? request.resource.name : request.resource[name as "service" | "environment"];
    if (value === undefined) missing ??= `${whole} has no value for ${request.resource.key}`;
    return at === 0 ? value ?? "" : encodeURIComponent(value ?? "");
  });
  return missing ? { missing } : { text };
}

function environment(request: VerifyRequest, base: Record<string, string | undefined>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ["PATH", "HOME"]) if (base[name] !== undefined) env[name] = base[name]!;
  const { resource } = request;
  Object.assign(env, {
    BARYON_RESOURCE: resource.name, BARYON_RESOURCE_KIND: resource.kind,
    BARYON_SERVICE: resource.kind === "service_pipeline" ? resource.service ?? resource.name : resource.service ?? "",
    BARYON_ENVIRONMENT: resource.kind === "environment" ? resource.name : resource.environment ?? "",
    BARYON_TEMPLATE: request.template.name, BARYON_VERSION: request.template.version, BARYON_DEPLOYMENT_ID: request.deploymentId,
  });
  // Outputs as BARYON_OUTPUT_<NAME>, named the way inputs are (BARYON_INPUT_<NAME>).
  for (const [name, value] of Object.entries(request.outputs)) env[`BARYON_OUTPUT_${name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`] = value;
  return env;
}

function notRunnable(command: string, code: number, said: string): string {
  return `\`${command}\` could not be found or run (exit ${code}${said}); it runs in an empty folder with the resource's BARYON_* variables, `
    + "so it must be on PATH or an absolute path";
}

function lastWords(log: string): string {
  const text = log.trim();
  if (!text) return "";
  return `: ${text.length > DETAIL_CHARS ? `…${text.slice(-DETAIL_CHARS)}` : text}`;
}

function messageOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
