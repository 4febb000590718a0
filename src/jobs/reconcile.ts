// The `reconcile` job: bring the owner's deployments in line with the inventory
// after a push to the default branch (or a `/baryon confirm-delete` command).
//   1. read the config; on a push, stop when it changed neither the config nor an inventory file
//   2. find the merged pull request the commit belongs to (to answer there, and name its author)
//   3. read the inventory at the default branch's head: this repository's folders and
//      other repositories' (`<repo>:<folder>`) default branches, through the installation
//   4. reconcile (src/flows/reconcile-inventory.ts), queue a deploy job per deployment recorded
//   5. answer on the pull request: one comment per commit (per command), edited on a retry;
//      a direct push has no pull request: its commit gets a check run instead
import { isDeepStrictEqual } from "node:util";
import { errorAt, hasErrors, type Diagnostic } from "../bundle/diagnostics.js";
import type { Snapshot } from "../bundle/files.js";
import { CONFIG_PATH, type InventoryLocation, type RepoConfig } from "../config/repo-config.js";
import { reconcileInventory } from "../flows/reconcile-inventory.js";
import { bundleLoader } from "../flows/stored-bundle.js";
import type { InventoryFile } from "../inventory/check-inventory.js";
import { isFinished } from "../inventory/deployment-status.js";
import { inventoryFiles } from "../inventory/inventory-files.js";
import type { RequestedBy } from "../ports/deployment-store.js";
import type { Owner } from "../ports/registry.js";
import { commandReply } from "../present/command-replies.js";
import { inventoryReply } from "../present/inventory-reply.js";
import { githubRepositorySource } from "../adapters/github/repository-source.js";
import { checkRunReporter, pullRequestReporter } from "../adapters/github/reporter.js";
import { inventoryPushReport } from "../present/check-run.js";
import { enqueueDeployment } from "./lanes.js";
import { githubFor, type JobKind } from "./job-kind.js";
import { publishJob } from "./publish.js";

type Octokit = Awaited<ReturnType<typeof githubFor>>;

export interface ReconcileJobData {
  installationId: number;
  owner: string;
  repo: string;
  /** The pushed commit (a push), or the merged pull request's merge commit (a command). */
  commit: string;
  /** A push's `before`: the job compares it with `commit` to skip pushes that touch no inventory. */
  baseCommit?: string;
  defaultBranch: string;
  /** Who pushed: the actor of a direct push. */
  pusher?: string;
  trigger: "push" | "command";
  /** For a command: the pull request and comment that gave it, so each command is its own job and its reply quotes it. */
  pullRequest?: number;
  commentId?: number;
  commentUrl?: string;
  command?: { text: string; author: string };
  /** Resource keys a person confirmed for deletion. */
  confirmedDeletes?: string[];
}

/** The check run a direct push's reconcile reports in. */
export const INVENTORY_CHECK = "baryon / inventory";

export const reconcileJobId = (d: ReconcileJobData) => `reconcile:${d.owner}/${d.repo}@${d.commit}${d.commentId !== undefined ? `:${d.commentId}` : ""}`;

/**
 * A reconcile shares its repository's publish key: it runs after the publishes queued before it,
 * in any process, so an inventory that names a template its own push adds finds it published.
 */
export const reconcileJob: JobKind<ReconcileJobData> = {
  name: "reconcile",
  id: reconcileJobId,
  key: publishJob.key!,
  owner: (d) => d.owner,
  async run(data, context) {
    const { owner, repo } = data;
    const octokit = await githubFor(context, data.installationId);
    const source = githubRepositorySource(octokit, { owner, repo, headSha: data.commit, ...(data.baseCommit ? { baseSha: data.baseCommit } : {}) });
    const config = await source.config();
    if (data.trigger === "push" && !(config.ok && (await touchesInventory(source, config.config.inventory)))) {
      return config.ok ? "the push changed no inventory file" : "configuration invalid, nothing reconciled";
    }
    const pull = data.pullRequest !== undefined ? { number: data.pullRequest } : await mergedPullRequest(octokit, data);
    const marker = `<!-- baryon:reconcile ${data.commit}${data.commentId !== undefined ? ` ${data.commentId}` : ""} -->`;
    const reply = async (text: string | undefined, diagnostics: readonly Diagnostic[] = [], snapshot?: Snapshot) => {
      if (text === undefined) return;
      if (pull) {
        await pullRequestReporter(octokit, { owner, repo, number: pull.number })
          .ensureComment(marker, `${marker}\n${data.command ? commandReply(data.command, text) : text}`);
        return;
      }
      const exists = (path: string) => snapshot?.files.has(path) ?? false;
      const appId = context.appId !== undefined ? { appId: context.appId } : {};
      await checkRunReporter(octokit, { owner, repo, ...appId }).ensureCheckRun(inventoryPushReport(INVENTORY_CHECK, data.commit, text, diagnostics, exists));
    };
    if (!config.ok) {
      await reply(`Nothing was reconciled: \`${CONFIG_PATH}\` is invalid (${config.diagnostics.map((d) => `line ${d.line ?? 1}: ${d.message}`).join("; ")}).`);
      return "configuration invalid, nothing reconciled";
    }

    // A late job (a retry, a resync, a command) reconciles what the default branch holds now, never an older inventory.
    const head = await currentHead(octokit, data);
    const snapshot = head === data.commit ? await source.head() : await githubRepositorySource(octokit, { owner, repo, headSha: head }).head();
    const found = await readInventory(octokit, owner, snapshot, config.config.inventory);
    const confirm = data.confirmedDeletes?.[0];
    const ownerRef: Owner = { login: owner, installationId: data.installationId };
    const store = context.adapters.registry.deployments(ownerRef);
    const known = confirm !== undefined && (await store.resource(confirm)) !== undefined;
    if (hasErrors(found.diagnostics)) {
      // A repository Baryon cannot read would look like an inventory that removed all of its resources.
      await reply(inventoryReply({ commit: head, diagnostics: found.diagnostics, deployments: [], ...(confirm ? { confirm: { resource: confirm, known } } : {}) }), found.diagnostics, snapshot);
      return `inventory unreadable (${found.diagnostics.filter((d) => d.severity === "error").length} error(s)), nothing deployed`;
    }

    const requestedBy: RequestedBy = {
      actor: data.command?.author ?? pull?.author ?? data.pusher ?? "baryon",
      reason: data.trigger === "command" ? "confirmed delete" : "inventory change",
      repository: `${owner}/${repo}`,
      ...(pull ? { pullRequest: pull.number } : {}),
      ...(data.commentUrl ? { commentUrl: data.commentUrl } : {}),
    };
    const { adapters } = context;
    const outcome = await reconcileInventory(
      { versions: adapters.registry.versions(ownerRef), bundleOf: bundleLoader(adapters.artifacts), store },
      { source: `${owner}/${repo}`, files: found.files, config: config.config, requestedBy, confirmedDeletes: new Set(data.confirmedDeletes ?? []) },
    );
    for (const deployment of outcome.deployments) await enqueueDeployment(adapters.queue, ownerRef, deployment);
    const diagnostics = [...found.diagnostics, ...outcome.diagnostics];
    // A confirmed delete asked for already (a second command) is not recorded again: say it is under way.
    const [latest] = confirm ? await store.deploymentsOf(confirm, 1) : [];
    const underway = latest?.action === "delete" && !isFinished(latest.status);
    await reply(inventoryReply({
      commit: head, diagnostics, deployments: outcome.deployments,
      ...(outcome.plan ? { plan: outcome.plan } : {}), ...(confirm ? { confirm: { resource: confirm, known, underway } } : {}),
    }), diagnostics, snapshot);
    if (!outcome.plan) return `inventory has ${diagnostics.filter((d) => d.severity === "error").length} error(s), nothing deployed`;
    return `${outcome.plan.actions.length} action(s), ${outcome.deployments.length} deployment(s) queued`;
  },
};

/**
 * Whether the push changed the config or an inventory file of this repository. Both sides are
 * read with the current config's folders, and any config change counts (it may move `inventory:`
 * or point it at another repository), so a skip is never wrong.
 */
async function touchesInventory(source: ReturnType<typeof githubRepositorySource>, locations: readonly InventoryLocation[]): Promise<boolean> {
  const [base, head] = await Promise.all([source.base(), source.head()]);
  if (!isDeepStrictEqual(base.files.get(CONFIG_PATH), head.files.get(CONFIG_PATH))) return true;
  const local = locations.filter((l) => !l.repository);
  const files = (s: Snapshot) => inventoryFiles(s, local).files;
  return !isDeepStrictEqual(files(base), files(head));
}

/** The merged pull request whose merge commit this is, with its author; undefined for a direct push. */
async function mergedPullRequest(octokit: Octokit, data: ReconcileJobData): Promise<{ number: number; author?: string } | undefined> {
  const { data: pulls } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({ owner: data.owner, repo: data.repo, commit_sha: data.commit });
  const pull = pulls.find((p) => p.merged_at && p.merge_commit_sha === data.commit);
  return pull ? { number: pull.number, ...(pull.user?.login ? { author: pull.user.login } : {}) } : undefined;
}

async function currentHead(octokit: Octokit, data: ReconcileJobData): Promise<string> {
  const { data: ref } = await octokit.rest.git.getRef({ owner: data.owner, repo: data.repo, ref: `heads/${data.defaultBranch}` });
  return ref.object.sha;
}

/** This repository's inventory files, then each other repository's, read from its default branch. */
async function readInventory(octokit: Octokit, owner: string, snapshot: Snapshot, locations: RepoConfig["inventory"]): Promise<{ files: InventoryFile[]; diagnostics: Diagnostic[] }> {
  const own = inventoryFiles(snapshot, locations.filter((l) => !l.repository));
  const files = [...own.files];
  const diagnostics = [...own.diagnostics];
  const byRepository = new Map<string, InventoryLocation[]>();
  for (const l of locations) if (l.repository) byRepository.set(l.repository, [...(byRepository.get(l.repository) ?? []), l]);
  for (const [repository, wanted] of byRepository) {
    let branch: string;
    try {
      branch = (await octokit.rest.repos.get({ owner, repo: repository })).data.default_branch;
    } catch (error) {
      if ((error as { status?: number }).status !== 404) throw error;
      diagnostics.push(errorAt(CONFIG_PATH, "inventory-unreachable",
        `inventory ${repository}:${wanted.map((l) => l.path).join(", ")}: Baryon cannot read ${owner}/${repository}: it does not exist, or the app is not installed on it (add it to the installation's repositories)`, { line: 1 }));
      continue;
    }
    const paths = wanted.map((l) => l.path);
    // The first folder stands in for the templates folder: only the inventory folders are downloaded.
    const other = await githubRepositorySource(octokit, { owner, repo: repository, headSha: branch, templates: paths[0]!, inventory: paths }).head();
    const found = inventoryFiles(other, wanted, repository);
    files.push(...found.files);
    diagnostics.push(...found.diagnostics);
  }
  return { files, diagnostics };
}
