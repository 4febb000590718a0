import { describe, expect, it } from "vitest";
import type { DiffGroup, FileDiff } from "../../src/bundle/diff/diff.js";
import { commitFileUrl, MARKDOWN_BUDGET, renderMarkdown } from "../../src/present/review-markdown.js";
import type { ReviewReport, TemplateReview } from "../../src/present/review-report.js";

function patch(lines: number, tag: string, path = "instance_infrastructure/cloudformation.yaml"): FileDiff {
  const body = Array.from({ length: lines }, (_, i) => `+  Line${i}: ${tag} ${"x".repeat(40)}`).join("\n");
  return { path, patch: `--- a/${path}\n+++ b/${path}\n@@ -1,0 +1,${lines} @@\n${body}\n`, additions: lines, deletions: 0 };
}

function template(name: string, groups: DiffGroup[], extra: Partial<TemplateReview> = {}): TemplateReview {
  return {
    name, kind: "service", dir: `${name}/v1`, major: 1, status: "modified", change: "minor", version: "1.4",
    reasons: [{ path: "service_instance.inputs.port", change: "optional input added", breaking: false }],
    diagnostics: [], diff: { groups, total: 120, changed: groups.reduce((n, g) => n + g.labels.length, 0) }, ...extra,
  };
}

const report = (templates: TemplateReview[]): ReviewReport => ({ baseName: "main", headName: "pr", templates, unbundledFiles: [], diagnostics: [] });

describe("renderMarkdown", () => {
  it("summarises each template in a table and folds its details", () => {
    const labels = Array.from({ length: 37 }, (_, i) => `spec/fleet.yaml › svc-${i}`);
    const md = renderMarkdown(report([template("web-svc", [{ labels, diffs: [patch(3, "a")] }])]));
    expect(md).toContain("| `web-svc` v1 | service | minor | Will publish 1.4 | 37 of 120 service instances and pipelines | 0 | 0 |");
    expect(md).toContain("<details><summary><b>web-svc 1.4</b> — minor, 37 of 120 rendered service instances and pipelines changed</summary>");
    expect(md).toContain("Same change for 37 service instances: `spec/fleet.yaml › svc-0`, `spec/fleet.yaml › svc-1`");
    expect(md).toContain("`spec/fleet.yaml › svc-9` and 27 more — `instance_infrastructure/cloudformation.yaml` (+3 −0)");
    expect(md).toMatch(/```diff\n--- a\/instance_infrastructure\/cloudformation.yaml/);
  });

  it("stays under the budget with huge diffs, cutting the largest first and saying so", () => {
    const groups = Array.from({ length: 40 }, (_, i) => ({ labels: [`spec/s${i}.yaml › app`], diffs: [patch(i === 7 ? 5 : 400, `g${i}`)] }));
    const md = renderMarkdown(report([template("big-svc", groups)]));
    expect(md.length).toBeLessThanOrEqual(MARKDOWN_BUDGET);
    expect(md).toContain("diff cut to fit GitHub's comment limit");
    // The small diff survives; the comment is still a well-formed summary.
    expect(md).toContain("Line4: g7");
    expect(md.match(/<details/g)?.length).toBe(md.match(/<\/details>/g)?.length);
    expect((md.match(/```/g)?.length ?? 0) % 2).toBe(0);
  });

  it("says when a change touches no template", () => {
    expect(renderMarkdown({ ...report([]), unbundledFiles: ["README.md"] })).toContain("touches no template bundle");
  });

  it("uses a longer fence when a diff contains backticks, and escapes HTML from templates", () => {
    const diff: FileDiff = { path: "x.yaml", patch: "--- a/x.yaml\n+++ b/x.yaml\n@@ -1 +1 @@\n-a\n+```<script>\n", additions: 1, deletions: 1 };
    const md = renderMarkdown(report([template("t", [{ labels: ["s › e"], diffs: [diff] }], {
      diagnostics: [{ file: "t/v1/x.yaml", line: 1, severity: "error", code: "c", message: "bad <b>html</b>" }],
    })]));
    expect(md).toContain("````diff");
    expect(md).toContain("bad &lt;b&gt;html&lt;/b&gt;");
  });
});

describe("renderMarkdown with hostile text from a pull request", () => {
  it("keeps spec keys, file names and messages inert: no headings, links, mentions or HTML", () => {
    const hostile = "x\n\n## ✅ Approved by Baryon @acme/platform [merge now](https://evil.example)";
    const md = renderMarkdown(report([template("t", [{ labels: ["s › e"], diffs: [{ path: "x</details>`.yaml", patch: "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n", additions: 1, deletions: 1 }] }], {
      reasons: [{ path: "service_instance.inputs.`x`\n# y", change: hostile, breaking: false }],
      diagnostics: [{ file: "t/spec/spec.yaml", line: 3, severity: "warning", code: "spec-input-unknown", message: `"${hostile}" is not an input` }],
    })]));
    expect(md).not.toMatch(/^## /m);
    expect(md).not.toMatch(/(?<!\\)\]\(https:\/\/evil/); // only escaped brackets: no link
    expect(md).not.toMatch(/@acme\/platform/);
    // A file name stays inside its code span, where CommonMark reads no HTML.
    expect(md).toContain("`x</details>'.yaml`");
    const outsideCode = md.replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "");
    expect(outsideCode.match(/<\/details>/g)?.length).toBe(1);
  });
});

describe("renderMarkdown says what it counts and where problems are", () => {
  it("counts an environment template's rendered environments, and explains the column", () => {
    const md = renderMarkdown(report([template("vpc-env", [{ labels: ["vpc-env/spec/a.yaml › environment"], diffs: [patch(1, "a", "infrastructure/cloudformation.yaml")] }], { kind: "environment", diff: { groups: [], total: 2, changed: 1 } })]));
    expect(md).toContain("| environment | minor | Will publish 1.4 | 1 of 2 environments | 0 | 0 |");
    expect(md).toContain("— minor, 1 of 2 rendered environments changed</summary>");
    expect(md).toContain("_Rendered changes_: of the resources rendered from each template's specs (an environment, each service instance, a pipeline)");
  });

  it("lists changed example specs with their template, never as files outside every bundle", () => {
    const md = renderMarkdown({
      ...report([template("vpc-env", [], { kind: "environment" })]),
      specFiles: [{ template: "vpc-env", path: "vpc-env/spec/spec.yaml" }, { template: "other-env", path: "other-env/spec/prod.yaml" }],
      unbundledFiles: ["README.md"],
    });
    expect(md).toContain("Changed example specs (rendered below): `vpc-env/spec/spec.yaml`.");
    expect(md).toContain("Example specs changed, of templates whose bundles did not change (not rendered; they make no version): `other-env/spec/prod.yaml`.");
    expect(md).toContain("Files outside every bundle (they make no version): `README.md`.");
    expect(md).not.toMatch(/outside every bundle[^\n]*spec\.yaml/);
  });

  const problems = report([template("t", [], {
    diagnostics: [
      { file: "t/v1/schema/schema.yaml", line: 12, severity: "error", code: "breaking-change-in-major", message: "breaking [x](y)" },
      { file: "t/v1", severity: "warning", code: "folder", message: "a folder problem" },
    ],
  })]);

  it("links each problem's file and line on the head commit when given a file URL", () => {
    const fileUrl = commitFileUrl("https://github.example.com/acme/templates/", "abc123");
    const md = renderMarkdown(problems, { fileUrl: (path, line) => (path.endsWith(".yaml") ? fileUrl(path, line) : undefined) });
    expect(md).toContain("- ❌ [t/v1/schema/schema.yaml:12](https://github.example.com/acme/templates/blob/abc123/t/v1/schema/schema.yaml#L12): error: breaking \\[x\\](y) \\[breaking-change-in-major\\]");
    // What the URL function cannot show (a folder) stays plain text.
    expect(md).toContain("- ⚠️ t/v1: warning: a folder problem \\[folder\\]");
  });

  it("keeps problems plain without a file URL (baryon check --format markdown)", () => {
    const md = renderMarkdown(problems);
    expect(md).toContain("- ❌ t/v1/schema/schema.yaml:12: error: breaking");
    expect(md).not.toMatch(/(?<!\\)\]\(/); // no link: only the message's escaped brackets
  });

  it("encodes file names so a link cannot be broken out of", () => {
    const url = commitFileUrl("https://github.com/acme/t", "abc")("t/v1/a b)(<x>.yaml", 3);
    expect(url).toBe("https://github.com/acme/t/blob/abc/t/v1/a%20b)(%3Cx%3E.yaml#L3");
    const md = renderMarkdown(report([template("t", [], { diagnostics: [{ file: "t/v1/a b)(<x>.yaml", line: 3, severity: "error", code: "c", message: "m" }] })]), { fileUrl: () => url });
    expect(md).toContain("](https://github.com/acme/t/blob/abc/t/v1/a%20b%29%28%3Cx%3E.yaml#L3): error: m");
  });
});
