// Drift of a resource the pull-request provisioner deploys: its folder on the
// infrastructure repository's branch against Baryon's render of its last
// successful deployment. Git names a file's content by its blob hash, so the
// branch's tree is compared without downloading a file: changed, missing and
// extra files are the findings (the deployment's own file is Baryon's note, not
// infrastructure, and is left out).
import { createHash } from "node:crypto";
import type { ProbotOctokit } from "probot";
import type { DeploymentFile, DriftFinding, DriftReport } from "../../ports/provisioner.js";
import { DEPLOYMENT_FILE } from "./pull-request-config.js";

export async function folderDrift(octokit: ProbotOctokit, repo: { owner: string; repo: string }, branch: string, folder: string, files: readonly DeploymentFile[]): Promise<DriftReport> {
  const sha = (await octokit.rest.git.getRef({ ...repo, ref: `heads/${branch}` })).data.object.sha;
  const { data: tree } = await octokit.rest.git.getTree({ ...repo, tree_sha: sha, recursive: "1" });
  const prefix = `${folder}/`;
  const committed = new Map(tree.tree.filter((e) => e.type === "blob" && e.path?.startsWith(prefix)).map((e) => [e.path!.slice(prefix.length), e.sha!]));
  committed.delete(DEPLOYMENT_FILE);
  const where = `${repo.owner}/${repo.repo}@${branch}`;
  const findings: DriftFinding[] = [];
  for (const file of files) {
    const found = committed.get(file.path);
    if (found === undefined) findings.push({ subject: `${prefix}${file.path}`, detail: `missing from ${where}` });
    else if (found !== blobSha(file.content)) findings.push({ subject: `${prefix}${file.path}`, detail: `differs from Baryon's render on ${where}` });
    committed.delete(file.path);
  }
  for (const path of committed.keys()) findings.push({ subject: `${prefix}${path}`, detail: `on ${where}, but not rendered by Baryon` });
  if (tree.truncated) findings.push({ detail: `the tree of ${where} is too large to list whole: some files may not have been compared` });
  if (findings.length === 0) return { state: "in_sync", findings: [] };
  return { state: findings.every((f) => f.subject === undefined) ? "unknown" : "drifted", findings };
}

/** Git's name for a file's content: SHA-1 of `blob <size>\0<bytes>`. */
function blobSha(content: string): string {
  const bytes = Buffer.from(content, "utf8");
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}
