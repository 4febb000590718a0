// InventoryWriter on GitHub: spec files read from a repository's default branch,
// and a change proposed as one commit on a branch (Git Data API: a tree on the
// default branch's, a commit, the ref) with one pull request from it, found
// again by its branch, so a retry or a redelivery never opens a second. While the
// pull request is open and its branch still holds only Baryon's commit, that commit
// is brought up to date; once someone else has committed to it, the branch is theirs.
import type { ProbotOctokit } from "probot";
import type { InventoryWriter, Refused, RepositoryFile } from "../../ports/inventory-writer.js";

type Repo = { owner: string; repo: string };

/** In the commit message: how Baryon knows a branch's head commit as its own (named when upgrades were its only use: branches out there carry it). */
const TRAILER = "Baryon-Upgrade:";

export function githubInventoryWriter(octokit: ProbotOctokit): InventoryWriter {
  return {
    readFiles: (repository, paths) => refusedByGitHub(repository, async (repo) => {
      const branch = (await octokit.rest.repos.get(repo)).data.default_branch;
      const sha = (await octokit.rest.git.getRef({ ...repo, ref: `heads/${branch}` })).data.object.sha;
      const files: RepositoryFile[] = [];
      for (const path of paths) {
        const text = await fileAt(octokit, repo, path, sha);
        if (text !== undefined) files.push({ path, text });
      }
      return files;
    }),

    proposeChange: (repository, branch, files, title, body) => refusedByGitHub(repository, async (repo) => {
      const existing = await findPull(octokit, repo, branch);
      const found = existing && { url: existing.html_url, number: existing.number, created: false };
      // Merged or closed: the owner has decided.
      if (found && existing.state !== "open") return found;
      const head = await branchHead(octokit, repo, branch);
      const ours = head?.message.includes(`${TRAILER} ${branch}`) ?? false;
      // Someone committed to it (filled a TODO, merged the default branch): the branch is theirs now.
      if (found && !ours) return found;
      if (head && !ours) return { refused: `a branch ${branch} exists in ${repository} and Baryon did not make it: delete or rename it, and Baryon opens the pull request on its next run` };

      const base = (await octokit.rest.repos.get(repo)).data.default_branch;
      const baseSha = (await octokit.rest.git.getRef({ ...repo, ref: `heads/${base}` })).data.object.sha;
      const baseTree = (await octokit.rest.git.getCommit({ ...repo, commit_sha: baseSha })).data.tree.sha;
      const { data: tree } = await octokit.rest.git.createTree({
        ...repo, base_tree: baseTree,
        tree: files.map((f) => ({ path: f.path, mode: "100644" as const, type: "blob" as const, content: f.text })),
      });
      if (head?.tree !== tree.sha) {
        const message = `${title}\n\n${TRAILER} ${branch}\n`;
        const { data: commit } = await octokit.rest.git.createCommit({ ...repo, message, tree: tree.sha, parents: [baseSha] });
        if (head) await octokit.rest.git.updateRef({ ...repo, ref: `heads/${branch}`, sha: commit.sha, force: true });
        else await octokit.rest.git.createRef({ ...repo, ref: `refs/heads/${branch}`, sha: commit.sha });
      }
      if (found) return found;
      const { data: pull } = await octokit.rest.pulls.create({ ...repo, head: branch, base, title, body });
      return { url: pull.html_url, number: pull.number, created: true };
    }),
  };
}

/** A file's text at a commit; undefined when there is no file at that path. */
async function fileAt(octokit: ProbotOctokit, repo: Repo, path: string, ref: string): Promise<string | undefined> {
  try {
    const { data } = await octokit.rest.repos.getContent({ ...repo, path, ref });
    if (Array.isArray(data) || data.type !== "file") return undefined;
    // Past 1 MB the contents API leaves the content out: the blob has it.
    const content = "content" in data && data.encoding === "base64" ? data.content
      : (await octokit.rest.git.getBlob({ ...repo, file_sha: data.sha })).data.content;
    return Buffer.from(content, "base64").toString("utf8");
  } catch (error) {
    if ((error as { status?: number }).status === 404) return undefined;
    throw error;
  }
}

type PullSummary = Awaited<ReturnType<ProbotOctokit["rest"]["pulls"]["list"]>>["data"][number];

/** The newest pull request from the branch, open or not. */
async function findPull(octokit: ProbotOctokit, repo: Repo, branch: string): Promise<PullSummary | undefined> {
  const { data } = await octokit.rest.pulls.list({ ...repo, state: "all", head: `${repo.owner}:${branch}`, per_page: 10 });
  return data[0];
}

async function branchHead(octokit: ProbotOctokit, repo: Repo, branch: string): Promise<{ tree: string; message: string } | undefined> {
  try {
    const sha = (await octokit.rest.git.getRef({ ...repo, ref: `heads/${branch}` })).data.object.sha;
    const { data: commit } = await octokit.rest.git.getCommit({ ...repo, commit_sha: sha });
    return { tree: commit.tree.sha, message: commit.message };
  } catch (error) {
    if ((error as { status?: number }).status === 404) return undefined;
    throw error;
  }
}

/** GitHub refusing (no such repository, no access, a protected branch) is an answer; anything else is thrown and retried. */
async function refusedByGitHub<T>(repository: string, work: (repo: Repo) => Promise<T | Refused>): Promise<T | Refused> {
  const [owner = "", repo = ""] = repository.split("/");
  try {
    return await work({ owner, repo });
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status !== 403 && status !== 404 && status !== 422) throw error;
    const hint = status === 404 ? " (does it exist, and is the app installed on it?)" : "";
    return { refused: `GitHub refused a request on ${repository}${hint}: ${status} ${(error as Error).message}` };
  }
}
