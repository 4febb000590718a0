// The GitHub Action (action.yml): `baryon check` on a workflow's checkout, for
// teams that cannot install the app. The review goes to the job summary, in the
// pull request comment's own Markdown; each problem becomes an annotation in
// GitHub's workflow-command format (`::error file=…,line=…::…`), so it shows at
// its line in the pull request's files. Exit 1 when the review has errors.
import { appendFileSync, readFileSync } from "node:fs";
import { relative, resolve } from "node:path";
import type { Diagnostic } from "../bundle/diagnostics.js";
import { renderMarkdown } from "../present/review-markdown.js";
import { allDiagnostics } from "../present/review-report.js";
import { reviewCheckout } from "./cli/check-command.js";
import { stderr, stdout, type Out } from "./cli/output.js";

/** GitHub's runner environment: inputs as INPUT_<NAME>, the event payload's file, the summary's file. */
export type ActionEnv = Record<string, string | undefined>;

export async function runAction(env: ActionEnv, out: Out, err: Out): Promise<number> {
  const workspace = resolve(env.GITHUB_WORKSPACE ?? process.cwd());
  const dir = resolve(workspace, input(env, "path") || ".");
  const base = input(env, "base") || baseOfEvent(env.GITHUB_EVENT_PATH);
  const templates = input(env, "templates");
  const review = await reviewCheckout(dir, { ...(base ? { base } : {}), ...(templates ? { templates } : {}) }, err);
  const problems = [...review.diagnostics, ...(review.report ? allDiagnostics(review.report) : [])];
  for (const d of problems) out.write(annotation(d, relative(workspace, review.top)));
  const summary = review.report
    ? renderMarkdown(review.report)
    : `## Baryon\n\n\`.github/baryon.yml\` does not pass Baryon's check; nothing was reviewed:\n\n${problems.map((d) => `- \`${d.file}${d.line ? `:${d.line}` : ""}\`: ${d.message}`).join("\n")}\n`;
  if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, `${summary}\n`);
  else out.write(summary);
  return review.failed ? 1 : 0;
}

/** The runner's entry (bin/baryon-action.js): an error that is not the review's fails the step, saying why. */
export async function actionMain(): Promise<void> {
  try {
    process.exitCode = await runAction(process.env, stdout(), stderr());
  } catch (error) {
    process.stdout.write(`::error title=Baryon::${escapeData((error as Error).message)}\n`);
    process.exitCode = 2;
  }
}

/** An input as the runner passes it: `with: { path: x }` is INPUT_PATH. */
function input(env: ActionEnv, name: string): string {
  return (env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] ?? "").trim();
}

/** A pull request's base commit, from the event that started the workflow; undefined for other events. */
function baseOfEvent(path: string | undefined): string | undefined {
  if (!path) return undefined;
  const event = JSON.parse(readFileSync(path, "utf8")) as { pull_request?: { base?: { sha?: string } } };
  return event.pull_request?.base?.sha;
}

const LEVEL = { error: "error", warning: "warning", notice: "notice" } as const;

/** One workflow command; `prefix` is the repository's folder within the workspace. */
export function annotation(d: Diagnostic, prefix: string): string {
  const file = prefix ? `${prefix.split("\\").join("/")}/${d.file}` : d.file;
  const properties = [`file=${escapeProperty(file)}`, ...(d.line ? [`line=${d.line}`] : []), ...(d.line && d.column ? [`col=${d.column}`] : []), `title=${escapeProperty(`Baryon: ${d.code}`)}`];
  return `::${LEVEL[d.severity]} ${properties.join(",")}::${escapeData(d.message)}\n`;
}

// The runner's own escaping (actions/toolkit, command.ts): data, then properties also escape ':' and ','.
function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}
