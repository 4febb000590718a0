// RepositorySource on GitHub: the config through Probot's loader (which follows
// `_extends` to another repository, such as the organisation's .github), then
// each side of the change as one tarball, kept only under the config's
// `templates:` folder. Requests: one per config file, one per side, each made once.
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type { ProbotOctokit } from "probot";
import { errorAt } from "../../bundle/diagnostics.js";
import type { Snapshot } from "../../bundle/files.js";
import { checkMergedConfig, configFromText } from "../../config/read-config.js";
import { CONFIG_PATH, type ConfigResult } from "../../config/repo-config.js";
import type { RepositorySource } from "../../ports/repository-source.js";
import { readTarball, type TarballOptions } from "./tarball.js";

export interface GitHubRepositoryRef {
  owner: string;
  repo: string;
  /** The side before the change (a pull request's base, a push's `before`); without it the base is empty. */
  baseSha?: string;
  headSha: string;
  /** The templates folder when the caller knows it already; else the config's `templates:` decides. */
  templates?: string;
  /** With `templates`: the inventory folders to keep too (none when not given). */
  inventory?: readonly string[];
}

const EMPTY: Snapshot = { files: new Map(), symlinks: new Map() };

export function githubRepositorySource(octokit: ProbotOctokit, ref: GitHubRepositoryRef): RepositorySource {
  const { owner, repo } = ref;
  const config = once(() => readConfig(octokit, owner, repo));
  // The tarball filter needs the templates folder, so the config comes first;
  // an invalid config keeps the whole repository (the review reports the config).
  const folders = async (): Promise<TarballOptions> => {
    // A caller that knows the folders spares the config request.
    if (ref.templates !== undefined) return { templates: ref.templates, inventory: ref.inventory ?? [] };
    const result = await config();
    const templates = ref.templates ?? (result.ok ? result.config.templates : undefined);
    const inventory = result.ok ? result.config.inventory.filter((l) => !l.repository).map((l) => l.path) : [];
    return { ...(templates !== undefined ? { templates } : {}), inventory };
  };
  const snapshot = (sha: string) => once(async () => downloadSnapshot(octokit, owner, repo, sha, await folders()));
  const head = snapshot(ref.headSha);
  const base = ref.baseSha ? snapshot(ref.baseSha) : async () => EMPTY;
  return {
    baseName: ref.baseSha ? `${owner}/${repo}@${ref.baseSha.slice(0, 7)}` : "no base",
    headName: `${owner}/${repo}@${ref.headSha.slice(0, 7)}`,
    config,
    base,
    head,
  };
}

/** The default branch's config; the file's own text is read only when it is invalid, to point at lines. */
/** A repository's .github/baryon.yml on its default branch, checked (Probot's loader: `_extends` merged). */
export async function readConfig(octokit: ProbotOctokit, owner: string, repo: string): Promise<ConfigResult> {
  let loaded: Awaited<ReturnType<ProbotOctokit["config"]["get"]>>;
  try {
    loaded = await octokit.config.get({ owner, repo, path: CONFIG_PATH });
  } catch (error) {
    // An HTTP failure is GitHub's (retry); anything else is the loader refusing the
    // YAML, ours or that of the file `_extends` names.
    if (typeof (error as { status?: unknown }).status === "number") throw error;
    const own = configFromText(await readConfigText(octokit, owner, repo));
    if (!own.ok) return own;
    const message = error instanceof Error ? error.message.replace(/^\[@probot\/octokit-plugin-config\] /, "") : String(error);
    return { ok: false, diagnostics: [errorAt(CONFIG_PATH, "config-invalid", `${CONFIG_PATH}: ${message}`, { line: 1 })] };
  }
  const merged: Record<string, unknown> = loaded.files.some((f) => f.config !== null) ? { ...loaded.config } : {};
  const result = checkMergedConfig(merged);
  if (result.ok) return result;
  return checkMergedConfig(merged, await readConfigText(octokit, owner, repo));
}

async function readConfigText(octokit: ProbotOctokit, owner: string, repo: string): Promise<string | undefined> {
  try {
    const { data } = await octokit.rest.repos.getContent({ owner, repo, path: CONFIG_PATH });
    return "content" in data && typeof data.content === "string" ? Buffer.from(data.content, "base64").toString("utf8") : undefined;
  } catch {
    return undefined; // the lines are a help, not a need
  }
}

/** One request however many files; a fork's commits are reachable from the base repository, so both sides come from there. */
async function downloadSnapshot(octokit: ProbotOctokit, owner: string, repo: string, ref: string, folders: TarballOptions): Promise<Snapshot> {
  const response = await octokit.request("GET /repos/{owner}/{repo}/tarball/{ref}", {
    owner, repo, ref,
    request: { parseSuccessResponseBody: false },
  });
  const body = response.data as unknown;
  const stream = body instanceof ReadableStream ? Readable.fromWeb(body as WebReadableStream) : (body as Readable | Uint8Array | ArrayBuffer);
  return readTarball(stream instanceof ArrayBuffer ? new Uint8Array(stream) : stream, folders);
}

/** The first call reads; every later or concurrent call shares its promise. */
function once<T>(read: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => (promise ??= read());
}
