// Keeps a repository's drift issue in step: opened when something drifted,
// edited in place (never a second one), closed when everything is in sync. Its
// own issue is the open one carrying Baryon's label and marker.
import type { ProbotOctokit } from "probot";
import { DRIFT_ISSUE_MARKER, DRIFT_LABEL } from "../../present/drift-issue.js";

export type DriftIssueOutcome = "opened" | "updated" | "unchanged" | "closed" | "none";

export async function syncDriftIssue(octokit: ProbotOctokit, repo: { owner: string; repo: string }, issue: { title: string; body: string } | undefined): Promise<DriftIssueOutcome> {
  const open = await octokit.paginate(octokit.rest.issues.listForRepo, { ...repo, state: "open", labels: DRIFT_LABEL, per_page: 100 });
  const ours = open.find((i) => !i.pull_request && (i.body ?? "").startsWith(DRIFT_ISSUE_MARKER));
  if (!issue) {
    if (!ours) return "none";
    await octokit.rest.issues.update({ ...repo, issue_number: ours.number, state: "closed", state_reason: "completed" });
    return "closed";
  }
  if (!ours) {
    await octokit.rest.issues.create({ ...repo, title: issue.title, body: issue.body, labels: [DRIFT_LABEL] });
    return "opened";
  }
  if (ours.body === issue.body && ours.title === issue.title) return "unchanged";
  await octokit.rest.issues.update({ ...repo, issue_number: ours.number, title: issue.title, body: issue.body });
  return "updated";
}
