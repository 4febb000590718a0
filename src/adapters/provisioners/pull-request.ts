// The pull-request provisioner: a deployment is a pull request on the owner's
// infrastructure repository that holds the rendered folder and
// `.baryon/deployment.json`; that repository's CI applies it after the merge and
// reports back (a check run or commit status on the merge commit, or the callback).
//   deploy/destroy  1. find the deployment's pull request (branch baryon/deploy-<id>); a closed one is answered as it ended
//                   2. build the folder's tree on the base branch (Git Data API), commit it unless the branch has it already
//                   3. open the pull request unless it is open; answer in progress with its handle
//   status          the callback's report if one came; else the pull request: merged and the check done, closed, or open
import type { ProbotOctokit } from "probot";
import type { DeploymentRequest, DriftReport, Provisioner, ProvisionResult } from "../../ports/provisioner.js";
import { folderDrift } from "./pull-request-drift.js";
import { callbackToken, callbackUrl, type CallbackSettings } from "./pull-request-callback.js";
import {
  branchOf, decodeHandle, DEPLOYMENT_FILE, encodeHandle, folderOf, parsePullRequestConfig, type PullRequestConfig, type PullRequestHandle,
} from "./pull-request-config.js";

export interface PullRequestProvisionerOptions {
  name?: string;
  /** The GitHub App's client for an owner's installation; absent outside `baryon serve` (the CLI). */
  github?: (owner: string) => Promise<ProbotOctokit>;
  /** Written into `.baryon/deployment.json` so the repository's CI can report back; absent without BARYON_CALLBACK_SECRET. */
  callback?: CallbackSettings;
}

type PullRequest = Awaited<ReturnType<ProbotOctokit["rest"]["pulls"]["get"]>>["data"];
type Repo = { owner: string; repo: string };

export function pullRequestProvisioner(settings: unknown, options: PullRequestProvisionerOptions = {}): Provisioner & Required<Pick<Provisioner, "detectDrift">> & { config: PullRequestConfig } {
  const config = parsePullRequestConfig(settings, options.name);

  async function open(request: DeploymentRequest): Promise<{ octokit: ProbotOctokit; repo: Repo } | { failed: string }> {
    if (config.repositoryOwner && config.repositoryOwner.toLowerCase() !== request.owner.toLowerCase()) {
      return { failed: `the infrastructure repository ${config.repositoryOwner}/${config.repository} is not ${request.owner}'s: the pull-request provisioner works within one owner` };
    }
    if (!options.github) return { failed: "the pull-request provisioner needs the GitHub App: deploy with `baryon serve`, not from the command line" };
    return { octokit: await options.github(request.owner), repo: { owner: request.owner, repo: config.repository } };
  }

  async function propose(request: DeploymentRequest, action: "deploy" | "delete"): Promise<ProvisionResult> {
    const folder = folderOf(request.resource, config.path);
    if ("error" in folder) return { status: "failed", reason: folder.error, log: `failed: ${folder.error}\n` };
    const refused = action === "deploy" ? refusedPath(request.files.map((f) => f.path)) : undefined;
    if (refused) return { status: "failed", reason: refused, log: `failed: ${refused}\n` };
    const opened = await open(request);
    if ("failed" in opened) return { status: "failed", reason: opened.failed, log: `failed: ${opened.failed}\n` };
    const { octokit, repo } = opened;
    return refusedByGitHub(repo, async () => {
      const log: string[] = [];
      const branch = branchOf(request.id);
      // Asked first: it is the request that tells a missing repository (or one the app cannot see) by a 404.
      const { default_branch: defaultBranch } = (await octokit.rest.repos.get(repo)).data;
      const existing = await findPull(octokit, repo, branch);
      if (existing && existing.state === "closed") return decide(octokit, repo, existing, undefined, [`${existing.html_url} was opened before`]);

      const base = config.branch ?? existing?.base.ref ?? defaultBranch;
      const baseSha = (await octokit.rest.git.getRef({ ...repo, ref: `heads/${base}` })).data.object.sha;
      const baseTree = (await octokit.rest.git.getTree({ ...repo, tree_sha: baseSha, recursive: "1" })).data;
      const prefix = `${folder.path}/`;
      const deployment = { id: request.id, action, resource: request.resource, template: request.template.name, version: request.template.version, inputs: request.inputs, ...callbackOf(request) };
      const files = new Map<string, string>(action === "deploy" ? request.files.map((f) => [prefix + f.path, f.content]) : []);
      // A delete leaves only the deployment's file, so the CI knows what to destroy and whom to tell.
      files.set(prefix + DEPLOYMENT_FILE, `${JSON.stringify(deployment, null, 2)}\n`);
      // GitHub lists at most 100,000 entries: past that, files the render dropped may stay.
      if (baseTree.truncated) log.push(`the tree of ${base} is too large to list whole: files no longer rendered in ${folder.path} may remain`);
      const stale = baseTree.tree.filter((e) => e.type === "blob" && e.path?.startsWith(prefix) && !files.has(e.path)).map((e) => e.path!);
      const { data: tree } = await octokit.rest.git.createTree({
        ...repo, base_tree: baseTree.sha,
        tree: [
          ...[...files].map(([path, content]) => ({ path, mode: "100644" as const, type: "blob" as const, content })),
          ...stale.map((path) => ({ path, mode: "100644" as const, type: "blob" as const, sha: null })),
        ],
      });

      const head = await branchHead(octokit, repo, branch);
      const title = `${action === "deploy" ? "Deploy" : "Delete"} ${describe(request)}`;
      if (head?.tree === tree.sha) log.push(`${branch} already holds this render (${files.size} files in ${folder.path})`);
      else {
        const message = `${title}\n\nBaryon-Deployment: ${request.id}\n`;
        const { data: commit } = await octokit.rest.git.createCommit({ ...repo, message, tree: tree.sha, parents: [baseSha] });
        if (head) await octokit.rest.git.updateRef({ ...repo, ref: `heads/${branch}`, sha: commit.sha, force: true });
        else await octokit.rest.git.createRef({ ...repo, ref: `refs/heads/${branch}`, sha: commit.sha });
        log.push(`committed ${files.size} files${stale.length ? ` and removed ${stale.length}` : ""} in ${folder.path} on ${branch} (${commit.sha.slice(0, 7)}, based on ${base})`);
      }
      const pull = existing ?? (await octokit.rest.pulls.create({ ...repo, head: branch, base, title, body: bodyOf(request, action, folder.path, config) })).data;
      log.push(`${existing ? "pull request is open" : "opened"}: ${pull.html_url}`);
      log.push(waitingFor(config));
      return { status: "in_progress", handle: encodeHandle({ repository: `${repo.owner}/${repo.repo}`, pullRequest: pull.number }), log: lines(log) };
    });
  }

  async function detectDrift(request: DeploymentRequest): Promise<DriftReport> {
    const folder = folderOf(request.resource, config.path);
    if ("error" in folder) return { state: "unknown", findings: [{ detail: folder.error }] };
    const opened = await open(request);
    if ("failed" in opened) return { state: "unknown", findings: [{ detail: opened.failed }] };
    const { octokit, repo } = opened;
    const branch = config.branch ?? (await octokit.rest.repos.get(repo)).data.default_branch;
    return folderDrift(octokit, repo, branch, folder.path, request.files);
  }

  function callbackOf(request: DeploymentRequest): { callback?: { url: string; token: string } } {
    const settings = options.callback;
    if (!settings?.url) return {};
    return { callback: { url: callbackUrl(settings.url, request.id), token: callbackToken(settings.secret, request.owner, request.id) } };
  }

  async function status(request: DeploymentRequest, raw: string): Promise<ProvisionResult> {
    const handle = decodeHandle(raw);
    if (handle?.callback) {
      const by = `the infrastructure repository's CI reported through the callback`;
      return handle.callback.status === "succeeded"
        ? { status: "succeeded", outputs: handle.callback.outputs, log: `${by}: succeeded with ${Object.keys(handle.callback.outputs).length} outputs\n` }
        : { status: "failed", reason: handle.callback.reason, log: `${by}: failed: ${handle.callback.reason}\n` };
    }
    const opened = await open(request);
    if ("failed" in opened) return { status: "failed", reason: opened.failed, log: `failed: ${opened.failed}\n` };
    const { octokit, repo } = opened;
    return refusedByGitHub(repo, async () => {
      const pull = handle
        ? (await octokit.rest.pulls.get({ ...repo, pull_number: handle.pullRequest })).data
        : await findPull(octokit, repo, branchOf(request.id));
      if (pull) return decide(octokit, repo, pull, handle, []);
      // The worker stopped (or GitHub failed) between committing and opening the pull request: open it from the branch.
      const branch = branchOf(request.id);
      const head = await branchHead(octokit, repo, branch);
      if (!head) {
        const reason = `no pull request was opened for deployment ${request.id} (the worker stopped before it could); deploy the resource again`;
        return { status: "failed", reason, log: `failed: ${reason}\n` };
      }
      const base = config.branch ?? (await octokit.rest.repos.get(repo)).data.default_branch;
      const title = head.message.split("\n")[0]!;
      const folder = folderOf(request.resource, config.path);
      const body = bodyOf(request, request.action, "path" in folder ? folder.path : branch, config);
      const { data: opened } = await octokit.rest.pulls.create({ ...repo, head: branch, base, title, body });
      return decide(octokit, repo, opened, undefined, [`opened ${opened.html_url} from ${branch}, which a previous run had committed`]);
    });
  }

  /** Where a pull request stands: merged and checked, closed, or still open. */
  async function decide(octokit: ProbotOctokit, repo: Repo, pull: PullRequest | PullSummary, handle: PullRequestHandle | undefined, log: string[]): Promise<ProvisionResult> {
    const keep = encodeHandle({ repository: `${repo.owner}/${repo.repo}`, pullRequest: pull.number, ...(handle?.callback ? { callback: handle.callback } : {}) });
    const merged = "merged" in pull ? pull.merged : pull.merged_at !== null;
    if (!merged && pull.state === "closed") {
      const reason = `pull request ${pull.html_url} was closed without being merged`;
      return { status: "cancelled", reason, log: lines([...log, `cancelled: ${reason}`]) };
    }
    if (!merged || !pull.merge_commit_sha) return { status: "in_progress", handle: keep, log: lines([...log, `waiting for ${pull.html_url} to be merged`]) };
    const sha = pull.merge_commit_sha;
    log.push(`${pull.html_url} was merged as ${sha.slice(0, 7)}`);
    if (!config.check) return { status: "in_progress", handle: keep, log: lines([...log, waitingFor(config)]) };
    const check = await checkOn(octokit, repo, sha, config.check);
    if (check.state === "pending") return { status: "in_progress", handle: keep, log: lines([...log, `waiting for ${check.what} on ${sha.slice(0, 7)}`]) };
    if (check.state === "success") return { status: "succeeded", outputs: {}, log: lines([...log, `${check.what} succeeded on ${sha.slice(0, 7)}`]) };
    const reason = `${check.what} on merge commit ${sha.slice(0, 7)} of ${pull.html_url} ${check.detail}`;
    return { status: "failed", reason, log: lines([...log, `failed: ${reason}`]) };
  }

  return { config, deploy: (request) => propose(request, "deploy"), destroy: (request) => propose(request, "delete"), status, detectDrift };
}

type PullSummary = Awaited<ReturnType<ProbotOctokit["rest"]["pulls"]["list"]>>["data"][number];

/** The deployment's pull request, open or closed: one per deployment, found by its branch. */
async function findPull(octokit: ProbotOctokit, repo: Repo, branch: string): Promise<PullSummary | undefined> {
  const { data } = await octokit.rest.pulls.list({ ...repo, state: "all", head: `${repo.owner}:${branch}`, per_page: 10 });
  return data[0];
}

async function branchHead(octokit: ProbotOctokit, repo: Repo, branch: string): Promise<{ sha: string; tree: string; message: string } | undefined> {
  try {
    const sha = (await octokit.rest.git.getRef({ ...repo, ref: `heads/${branch}` })).data.object.sha;
    const { data: commit } = await octokit.rest.git.getCommit({ ...repo, commit_sha: sha });
    return { sha, tree: commit.tree.sha, message: commit.message };
  } catch (error) {
    if ((error as { status?: number }).status === 404) return undefined;
    throw error;
  }
}

/** The named check run on the commit (the latest of that name), else the commit status of that context. */
async function checkOn(octokit: ProbotOctokit, repo: Repo, sha: string, name: string): Promise<{ state: "pending" | "success" | "failure"; what: string; detail?: string }> {
  const { data: runs } = await octokit.rest.checks.listForRef({ ...repo, ref: sha, check_name: name, filter: "latest" });
  const run = [...runs.check_runs].sort((a, b) => b.id - a.id)[0];
  if (run) {
    const what = `check run "${name}"`;
    if (run.status !== "completed") return { state: "pending", what };
    if (run.conclusion === "success") return { state: "success", what };
    const summary = run.output.summary?.trim() || run.output.title?.trim();
    return { state: "failure", what, detail: `concluded ${run.conclusion ?? "without a conclusion"}${summary ? `: ${summary}` : ""}` };
  }
  const { data: combined } = await octokit.rest.repos.getCombinedStatusForRef({ ...repo, ref: sha });
  const status = combined.statuses.find((s) => s.context === name);
  if (!status) return { state: "pending", what: `a check run or commit status named "${name}"` };
  const what = `commit status "${name}"`;
  if (status.state === "success") return { state: "success", what };
  if (status.state === "pending") return { state: "pending", what };
  return { state: "failure", what, detail: `is ${status.state}${status.description ? `: ${status.description}` : ""}` };
}

/** GitHub refusing the request (no such repository, no access, a protected branch) fails the deployment; anything else is thrown and retried. */
async function refusedByGitHub(repo: Repo, work: () => Promise<ProvisionResult>): Promise<ProvisionResult> {
  try {
    return await work();
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status !== 403 && status !== 404 && status !== 422) throw error;
    const hint = status === 404 ? " (does it exist, and is the app installed on it?)" : "";
    const reason = `GitHub refused a request on ${repo.owner}/${repo.repo}${hint}: ${status} ${(error as Error).message}`;
    return { status: "failed", reason, log: `failed: ${reason}\n` };
  }
}

/** A rendered path that would leave the resource's folder, or take the deployment file's place. */
function refusedPath(paths: string[]): string | undefined {
  const bad = paths.find((p) => p.startsWith("/") || p.split("/").some((part) => part === "" || part === "." || part === "..") || p === DEPLOYMENT_FILE);
  return bad === undefined ? undefined : `rendered file path ${JSON.stringify(bad)} is not a plain relative path inside the resource's folder (or is ${DEPLOYMENT_FILE})`;
}

function describe(request: DeploymentRequest): string {
  const { resource, template } = request;
  const name = resource.kind === "service_instance" ? `${resource.service}/${resource.name}` : resource.kind === "service_pipeline" ? `${resource.name} pipeline` : resource.name;
  return `${name}: ${template.name} ${template.version}`;
}

function bodyOf(request: DeploymentRequest, action: "deploy" | "delete", folder: string, config: PullRequestConfig): string {
  return [
    `<!-- baryon-deployment: ${request.id} -->`,
    `Baryon deployment \`${request.id}\` ${action === "deploy" ? "deploys" : "deletes"} **${describe(request)}** in \`${folder}/\`.`,
    "",
    action === "deploy" ? "The rendered files and `.baryon/deployment.json` are in this pull request." : "The rendered files are removed; `.baryon/deployment.json` says which deployment deletes them.",
    `Merging it lets this repository's CI apply it; ${waitingFor(config)}. Closing it without merging cancels the deployment.`,
  ].join("\n");
}

function waitingFor(config: PullRequestConfig): string {
  return config.check
    ? `the deployment succeeds when "${config.check}" succeeds on the merge commit, or the CI calls back`
    : "the deployment succeeds when the CI calls back";
}

const lines = (log: string[]): string => log.map((l) => `${l}\n`).join("");
