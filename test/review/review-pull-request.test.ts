import { afterAll, describe, expect, it } from "vitest";
import { createRenderPool } from "../../src/jinja/pool.js";
import { CHECK_NAME, COMMENT_MARKER, reviewPullRequest } from "../../src/flows/review-pull-request.js";
import type { ChangeSource } from "../../src/ports/change-source.js";
import type { CheckRunReport, CheckRunStart, Reporter } from "../../src/ports/reporter.js";
import { assumeBaseAtZero } from "../../src/ports/version-catalog.js";
import { commitFileUrl } from "../../src/present/review-markdown.js";
import { envTemplate, snapshot } from "../support/snapshot.js";

const renderer = createRenderPool({ size: 1 });
afterAll(() => renderer.close());

type Step = { verb: "read" } | { verb: "start"; start: CheckRunStart } | { verb: "comment"; body: string } | { verb: "check"; report: CheckRunReport };

/** A change source and reporter that record, in order, what the flow did. */
function recorder(base: Record<string, string>, head: Record<string, string>) {
  const steps: Step[] = [];
  const changes: ChangeSource = {
    baseName: "main", headName: "pr",
    base: async () => (steps.push({ verb: "read" }), snapshot(base)),
    head: async () => (steps.push({ verb: "read" }), snapshot(head)),
  };
  const reporter: Reporter = {
    startCheckRun: async (start) => void steps.push({ verb: "start", start }),
    ensureCheckRun: async (report) => void steps.push({ verb: "check", report }),
    ensureComment: async (_marker, body) => (steps.push({ verb: "comment", body }), "created"),
    editComment: async () => "skipped",
  };
  return { steps, ports: { changes, reporter, renderer, versions: assumeBaseAtZero } };
}

const SCHEMA = "env/v1/schema/schema.yaml";
const base = { ...envTemplate(), "env/spec/spec.yaml": "proton: EnvironmentSpec\nspec:\n  count: 2\n" } as Record<string, string>;
const breaking = { ...base, [SCHEMA]: base[SCHEMA]!.replace("enum: [small, large]", "enum: [small]") };

describe("reviewPullRequest", () => {
  it("shows the check run in progress before reading the change, then comments, then completes it", async () => {
    const { steps, ports } = recorder(base, breaking);
    await reviewPullRequest({ headSha: "abc123", pushedAt: "2026-01-05T09:00:00Z", fork: false }, ports);
    expect(steps[0]).toEqual({ verb: "start", start: expect.objectContaining({ name: CHECK_NAME, headSha: "abc123", title: "Reviewing template changes…" }) });
    expect(steps.filter((s) => s.verb !== "read").map((s) => s.verb)).toEqual(["start", "comment", "check"]);
    const check = steps.at(-1) as Extract<Step, { verb: "check" }>;
    expect(check.report).toMatchObject({ name: CHECK_NAME, headSha: "abc123", conclusion: "failure", title: "1 error in env v1" });
    expect(check.report.annotations).toEqual([expect.objectContaining({ path: SCHEMA, startLine: 12, level: "failure" })]);
  });

  it("links problems in files of the head commit, and leaves the rest plain", async () => {
    const { steps, ports } = recorder(base, breaking);
    let startedFirst = false;
    const configProblem = { file: ".github/baryon.yml", line: 2, severity: "error" as const, code: "config", message: "not in head" };
    await reviewPullRequest({
      headSha: "abc123", pushedAt: "2026-01-05T09:00:00Z", fork: false,
      // Read lazily, so the pull request shows the review started before the job reads anything.
      configProblems: async () => (startedFirst = steps[0]?.verb === "start", [configProblem]),
      fileUrl: commitFileUrl("https://github.com/acme/templates", "abc123"),
    }, ports);
    const comment = steps.find((s) => s.verb === "comment") as Extract<Step, { verb: "comment" }>;
    const check = steps.at(-1) as Extract<Step, { verb: "check" }>;
    for (const text of [comment.body, check.report.summary]) {
      expect(text).toContain(`- ❌ [${SCHEMA}:12](https://github.com/acme/templates/blob/abc123/${SCHEMA}#L12): error: breaking change inside v1/`);
      expect(text).toContain("- ❌ .github/baryon.yml:2: error: not in head");
    }
    expect(comment.body.startsWith(COMMENT_MARKER)).toBe(true);
    expect(startedFirst).toBe(true);
  });
});
