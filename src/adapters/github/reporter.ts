// Reporter on GitHub: one check run per (name, head SHA) and one living comment
// per pull request, found again by a hidden marker.
import type { ProbotOctokit } from "probot";
import type { Annotation, CheckRunReport, CheckRunStart, CommentOutcome, Reporter } from "../../ports/reporter.js";

/** GitHub accepts at most 50 annotations per check run request. */
export const ANNOTATIONS_PER_REQUEST = 50;
/** GitHub's limits on check run output text. */
const MAX_OUTPUT = 65_535;

export interface RepositoryTarget {
  owner: string;
  repo: string;
  /** This GitHub App's id: only its own check runs are found again (another app or a workflow may use the same name). */
  appId?: number;
}

export interface PullRequestTarget extends RepositoryTarget {
  number: number;
}

export function pullRequestReporter(octokit: ProbotOctokit, target: PullRequestTarget): Reporter {
  const { owner, repo } = target;
  return {
    ...checkRunReporter(octokit, target),

    async ensureComment(marker, body, options = {}): Promise<CommentOutcome> {
      const mine = await findComment(marker);
      if (!mine) {
        if (options.createIfMissing === false) return "skipped";
        await octokit.rest.issues.createComment({ owner, repo, issue_number: target.number, body });
        return "created";
      }
      if (mine.body === body) return "unchanged";
      if (options.keep?.(mine.body ?? "")) return "skipped";
      await octokit.rest.issues.updateComment({ owner, repo, comment_id: mine.id, body });
      return "updated";
    },

    async editComment(marker, edit): Promise<CommentOutcome> {
      const mine = await findComment(marker);
      if (!mine) return "skipped";
      const body = edit(mine.body ?? "");
      if (body === mine.body) return "unchanged";
      await octokit.rest.issues.updateComment({ owner, repo, comment_id: mine.id, body });
      return "updated";
    },
  };

  /** The app's own comment carrying the marker (a person quoting the marker does not count). */
  async function findComment(marker: string) {
    const comments = await octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: target.number, per_page: 100 });
    return comments.find((c) => c.body?.includes(marker) && c.user?.type === "Bot");
  }
}

/** The check-run half of a reporter: enough for a commit that no pull request shows (a direct push). */
export function checkRunReporter(octokit: ProbotOctokit, target: RepositoryTarget): Pick<Reporter, "startCheckRun" | "ensureCheckRun"> {
  const { owner, repo } = target;
  /** Runs this reporter started, by name and SHA: completing one needs no second lookup. */
  const started = new Map<string, number>();
  const key = (name: string, headSha: string) => `${name}\n${headSha}`;

  return {
    async startCheckRun(start: CheckRunStart): Promise<void> {
      const output = { title: start.title, summary: start.summary.slice(0, MAX_OUTPUT) };
      const latest = await latestRun(start.name, start.headSha);
      // GitHub does not clear a completed run's conclusion when it goes back to in_progress, so only an unfinished run is reused.
      if (latest && latest.status !== "completed") {
        if (latest.status !== "in_progress") {
          await octokit.rest.checks.update({ owner, repo, check_run_id: latest.id, status: "in_progress", started_at: new Date().toISOString(), output });
        }
        started.set(key(start.name, start.headSha), latest.id);
        return;
      }
      const created = await octokit.rest.checks.create({
        owner, repo, name: start.name, head_sha: start.headSha, status: "in_progress", started_at: new Date().toISOString(), output,
      });
      started.set(key(start.name, start.headSha), created.data.id);
    },

    async ensureCheckRun(report: CheckRunReport): Promise<void> {
      const batches = chunk(report.annotations.map(toGitHub), ANNOTATIONS_PER_REQUEST);
      const output = (annotations: ReturnType<typeof toGitHub>[]) => ({
        title: report.title,
        summary: report.summary.slice(0, MAX_OUTPUT),
        annotations,
      });
      // A retried job finds the run it created before instead of adding a second one.
      const fields = { status: "completed" as const, conclusion: report.conclusion, completed_at: new Date().toISOString() };
      const first = batches[0] ?? [];
      let id = started.get(key(report.name, report.headSha)) ?? (await latestRun(report.name, report.headSha))?.id;
      if (id === undefined) {
        id = (await octokit.rest.checks.create({ owner, repo, name: report.name, head_sha: report.headSha, ...fields, output: output(first) })).data.id;
      } else {
        await octokit.rest.checks.update({ owner, repo, check_run_id: id, ...fields, output: output(first) });
      }
      for (const batch of batches.slice(1)) {
        await octokit.rest.checks.update({ owner, repo, check_run_id: id, output: output(batch) });
      }
    },
  };

  /** The newest run of this app with that name on that commit. */
  async function latestRun(name: string, headSha: string) {
    const { data } = await octokit.rest.checks.listForRef({
      owner, repo, ref: headSha, check_name: name, filter: "latest", per_page: 1,
      ...(target.appId !== undefined ? { app_id: target.appId } : {}),
    });
    return data.check_runs[0];
  }
}

function toGitHub(a: Annotation) {
  return {
    path: a.path,
    start_line: a.startLine,
    end_line: a.endLine,
    annotation_level: a.level,
    message: a.message,
    ...(a.title ? { title: a.title } : {}),
  };
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
