// The `command` provisioner, Baryon's embedded default: a configured command run
// with the rendered files in a fresh work folder. docs/provisioners.md is the
// user's side of this file. One run:
// 1. refuse rendered paths that would leave the work folder;
// 2. build the environment (command-env.ts): nothing of Baryon's beyond what `env:` lists;
// 3. write the files and `baryon-deployment.json` into a new folder under the work root;
// 4. run the command there (run-command.ts), stopped with its whole process group on timeout or abort;
// 5. exit code 0 succeeds, with `outputs.json` read back (deploys only); anything else fails;
// 6. remove the folder (kept when BARYON_KEEP_WORK is set, for debugging a command).
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import type { DeploymentFile, DeploymentOutputs, DeploymentRequest, DriftReport, ProvisionResult, Provisioner } from "../../ports/provisioner.js";
import { parseCommandConfig, type CommandConfig } from "./command-config.js";
import { formatDuration } from "../../config/duration.js";
import { commandEnvironment } from "./command-env.js";
import { runCommand, type RunOutcome } from "./run-command.js";

export const DEPLOYMENT_FILE = "baryon-deployment.json";
export const OUTPUTS_FILE = "outputs.json";
const DEFAULT_LOG_LIMIT = 1024 * 1024;
const DEFAULT_KILL_GRACE_MS = 5000;

export interface CommandProvisionerOptions {
  /** Baryon's environment, where PATH, HOME and the `env:` variables come from (default process.env). */
  env?: Record<string, string | undefined>;
  /** Where work folders are made (default the OS's temporary folder). */
  workRoot?: string;
  /** The provisioner's name in the config, for error messages. */
  name?: string;
  /** Milliseconds, for the time a run took in its log (default Date.now). */
  now?: () => number;
  /** Between SIGTERM and SIGKILL when a command is stopped (default 5s). */
  killGraceMs?: number;
  /** The log keeps its head and tail within this many bytes (default 1 MiB). */
  logLimitBytes?: number;
}

type Verb = "deploy" | "destroy" | "drift";

/** A drift command's first lines of output are its findings; a page of them is plenty. */
const MAX_FINDINGS = 50;

/** Throws ProvisionerConfigError when the settings are refused. */
export function commandProvisioner(settings: unknown, options: CommandProvisionerOptions = {}): Provisioner & { config: CommandConfig } {
  const config = parseCommandConfig(settings, options.name);
  const base = options.env ?? process.env;
  const workRoot = options.workRoot ?? tmpdir();
  const now = options.now ?? Date.now;
  const keepWork = Boolean(base.BARYON_KEEP_WORK);
  const failed = (reason: string, log = "", took = ""): ProvisionResult => ({ status: "failed", reason, log: withTrailer(log, reason + took) });

  /** Runs `command` in a work folder holding the request's files; `after` reads the outcome (and the folder) before it goes. */
  async function inWorkFolder<T>(command: string, request: DeploymentRequest, signal: AbortSignal | undefined, refused: (why: string) => T,
    after: (outcome: RunOutcome, folder: string, took: string) => Promise<T>): Promise<{ result: T; kept?: string }> {
    const problem = refusedPath(request.files);
    if (problem) return { result: refused(problem) };
    const environment = commandEnvironment(request, config.env, base);
    if ("error" in environment) return { result: refused(environment.error) };
    const started = now();
    const folder = await mkdtemp(join(workRoot, "baryon-work-"));
    try {
      await writeWorkFolder(folder, request);
      const outcome = await runCommand({
        command, cwd: folder, env: environment.env, timeoutMs: config.timeoutMs, killGraceMs: options.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
        logLimitBytes: options.logLimitBytes ?? DEFAULT_LOG_LIMIT, ...(signal ? { signal } : {}),
      });
      return { result: await after(outcome, folder, ` (ran ${((now() - started) / 1000).toFixed(1)}s)`), ...(keepWork ? { kept: folder } : {}) };
    } finally {
      if (!keepWork) await rm(folder, { recursive: true, force: true });
    }
  }

  async function run(verb: Verb, command: string, request: DeploymentRequest, signal?: AbortSignal): Promise<ProvisionResult> {
    if (signal?.aborted) return failed(`${verb} command was not started: aborted`);
    const { result, kept } = await inWorkFolder(command, request, signal, (why) => failed(why), async (outcome, folder, took) => {
      if (outcome.ended !== "exited" || outcome.code !== 0) return failed(failure(verb, outcome, config.timeoutMs), outcome.log, took);
      const outputs = verb === "deploy" ? await readOutputs(folder) : { outputs: {} };
      const log = withTrailer(outcome.log, `${verb} command exited with code 0${took}`);
      return "error" in outputs ? failed(outputs.error, log) : { status: "succeeded" as const, outputs: outputs.outputs, log };
    });
    return kept ? { ...result, log: withTrailer(result.log, `BARYON_KEEP_WORK is set: work folder kept at ${kept}`) } : result;
  }

  /** `drift:` exits 0 when the infrastructure matches the files, 1 when it does not (its output says how), anything else when it cannot tell. */
  async function drift(command: string, request: DeploymentRequest): Promise<DriftReport> {
    const unknown = (detail: string): DriftReport => ({ state: "unknown", findings: [{ detail }] });
    const { result } = await inWorkFolder(command, request, undefined, unknown, async (outcome) => {
      if (outcome.ended === "exited" && outcome.code === 0) return { state: "in_sync" as const, findings: [] };
      if (outcome.ended !== "exited" || outcome.code !== 1) return unknown(failure("drift", outcome, config.timeoutMs));
      const lines = outcome.log.split("\n").map((l) => l.trim()).filter(Boolean).slice(0, MAX_FINDINGS);
      return { state: "drifted" as const, findings: lines.length ? lines.map((detail) => ({ detail })) : [{ detail: "the drift command exited 1 without saying what differs" }] };
    });
    return result;
  }

  return {
    config,
    deploy: (request, signal) => run("deploy", config.deploy, request, signal),
    destroy: async (request, signal) => config.destroy === undefined
      ? failed(`provisioner "${options.name ?? "command"}" has no \`destroy:\` command, so it cannot delete ${request.resource.name}`)
      : run("destroy", config.destroy, request, signal),
    // deploy and destroy finish within the call, so they never hand out a handle. A
    // deployment recorded as in progress means the worker running its command stopped
    // (and the command with it, or it is orphaned): that is what a resync finds.
    status: async () => ({ status: "failed", reason: "the worker running this deployment's command stopped before it finished", log: "" }),
    ...(config.drift !== undefined ? { detectDrift: (request: DeploymentRequest) => drift(config.drift!, request) } : {}),
  };
}

/** Baryon's own last line of a log, set apart from the command's output. */
function withTrailer(log: string, text: string): string {
  return `${log}${log && !log.endsWith("\n") ? "\n" : ""}[baryon] ${text}\n`;
}

function failure(verb: Verb, outcome: RunOutcome, timeoutMs: number): string {
  switch (outcome.ended) {
    case "exited": return `${verb} command exited with code ${outcome.code}`;
    case "killed": return `${verb} command was killed by ${outcome.signal}`;
    case "timed_out": return `${verb} command timed out after ${formatDuration(timeoutMs)}`;
    case "aborted": return `${verb} command was stopped: ${outcome.why}`;
    case "not_started": return `${verb} command could not be started: ${outcome.error}`;
  }
}

/** Why the rendered files cannot be written as they are, or undefined when they can. */
function refusedPath(files: readonly DeploymentFile[]): string | undefined {
  const paths = new Set<string>();
  for (const { path } of files) {
    const parts = path.split("/");
    if (!path || isAbsolute(path) || path.includes("\\") || path.includes("\0") || parts.some((p) => p === ".." || p === "." || p === "")) {
      return `rendered file path ${JSON.stringify(path)} is refused: paths are relative, inside the work folder, with no "..", "." or empty parts`;
    }
    if (path === DEPLOYMENT_FILE || path === OUTPUTS_FILE) return `rendered file ${path} is refused: that name is kept for Baryon and the command`;
    if (paths.has(path)) return `rendered file ${path} appears twice`;
    paths.add(path);
  }
  for (const path of paths) {
    const parts = path.split("/");
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join("/");
      if (paths.has(parent)) return `rendered file ${parent} is also the folder of ${path}`;
    }
  }
  return undefined;
}

async function writeWorkFolder(folder: string, request: DeploymentRequest): Promise<void> {
  for (const file of request.files) {
    const target = join(folder, file.path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.content);
  }
  const { id, resource, template, inputs } = request;
  const deployment = { id, resource, template: template.name, version: template.version, inputs };
  await writeFile(join(folder, DEPLOYMENT_FILE), `${JSON.stringify(deployment, null, 2)}\n`);
}

/** `outputs.json`, when the command wrote one: a flat mapping of names to strings, numbers or booleans. */
async function readOutputs(folder: string): Promise<{ outputs: DeploymentOutputs } | { error: string }> {
  let text: string;
  try {
    text = await readFile(join(folder, OUTPUTS_FILE), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { outputs: {} };
    return { error: `${OUTPUTS_FILE} could not be read: ${(error as Error).message}` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { error: `${OUTPUTS_FILE} is not valid JSON: ${(error as Error).message}` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { error: `${OUTPUTS_FILE} must be a JSON object of output names to strings, numbers or booleans (got ${describe(value)})` };
  }
  const outputs: DeploymentOutputs = {};
  for (const [name, v] of Object.entries(value)) {
    if (typeof v === "string") outputs[name] = v;
    else if (typeof v === "number" || typeof v === "boolean") outputs[name] = String(v);
    else return { error: `${OUTPUTS_FILE}: output "${name}" is ${describe(v)}; outputs are strings, numbers or booleans` };
  }
  return { outputs };
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : typeof value;
}
