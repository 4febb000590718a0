import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/bundle/diagnostics.js";
import { annotations, checkOutcome, checkRunReport, TITLE_LENGTH } from "../../src/present/check-run.js";
import type { ReviewReport, TemplateReview } from "../../src/present/review-report.js";

const error = (file: string, line?: number): Diagnostic => ({ file, ...(line ? { line } : {}), severity: "error", code: "bad", message: "bad thing" });
const warning = (file: string): Diagnostic => ({ file, line: 2, severity: "warning", code: "meh", message: "meh" });

function template(name: string, major: number, extra: Partial<TemplateReview> = {}): TemplateReview {
  return {
    name, kind: "service", dir: `t/${name}/v${major}`, major, status: "modified", change: "minor", version: `${major}.1`,
    reasons: [], diagnostics: [], diff: { groups: [], total: 1, changed: 1 }, ...extra,
  };
}
const report = (templates: TemplateReview[], diagnostics: Diagnostic[] = []): ReviewReport => ({ baseName: "main", headName: "pr", templates, unbundledFiles: [], diagnostics });

describe("checkOutcome", () => {
  it("names the template an error is in", () => {
    expect(checkOutcome(report([template("vpc-env", 2, { diagnostics: [error("t/vpc-env/v2/schema/schema.yaml", 3)] }), template("web-svc", 1)])))
      .toEqual({ conclusion: "failure", title: "1 error in vpc-env v2" });
  });

  it("counts and lists the templates when errors are in several", () => {
    const templates = [
      template("vpc-env", 2, { diagnostics: [error("a"), error("b")] }),
      template("web-svc", 1, { diagnostics: [error("c")] }),
      template("db-env", 1, { diagnostics: [error("d")] }),
      template("clean-svc", 1),
    ];
    expect(checkOutcome(report(templates)).title).toBe("4 errors in 3 templates: vpc-env v2, web-svc v1, db-env v1");
  });

  it("names the file of an error outside any template", () => {
    expect(checkOutcome(report([template("web-svc", 1)], [error(".github/baryon.yml", 3)])).title).toBe("1 error in .github/baryon.yml");
    expect(checkOutcome(report([template("web-svc", 1, { diagnostics: [error("x")] })], [error(".github/baryon.yml", 3)])).title)
      .toBe("2 errors in 2 places: web-svc v1, .github/baryon.yml");
  });

  it("stays under the title length with many templates, saying how many more", () => {
    const many = Array.from({ length: 30 }, (_, i) => template(`template-number-${i}`, 1, { diagnostics: [error(`f${i}`)] }));
    const { title } = checkOutcome(report(many));
    expect(title.length).toBeLessThanOrEqual(TITLE_LENGTH);
    expect(title).toMatch(/^30 errors in 30 templates: template-number-0 v1(, template-number-\d+ v1)* and \d+ more$/);
  });

  it("says what a clean change will publish, with its warnings; and what has no new version", () => {
    expect(checkOutcome(report([template("vpc-env", 2, { version: "2.0", diagnostics: [warning("x")] }), template("web-svc", 1)])))
      .toEqual({ conclusion: "success", title: "Will publish vpc-env 2.0, web-svc 1.1 (1 warning)" });
    const { version: _, ...docsOnly } = template("web-svc", 1, { change: "none" });
    expect(checkOutcome(report([docsOnly])).title).toBe("No new version for web-svc v1");
    expect(checkOutcome(report([]))).toEqual({ conclusion: "neutral", title: "No template changes" });
  });
});

describe("checkRunReport", () => {
  it("annotates only files of the head commit and links the summary's problems", () => {
    const r = report([template("web-svc", 1, { diagnostics: [error("t/web-svc/v1/schema/schema.yaml", 7), error("t/web-svc/v1")] })]);
    const exists = (path: string) => path.endsWith(".yaml");
    const run = checkRunReport(r, { name: "baryon / templates", headSha: "abc", exists, fileUrl: (path, line) => (exists(path) ? `https://gh/x/blob/abc/${path}#L${line}` : undefined) });
    expect(run).toMatchObject({ name: "baryon / templates", headSha: "abc", conclusion: "failure", title: "2 errors in web-svc v1" });
    expect(run.annotations).toEqual(annotations(r, exists));
    expect(run.annotations).toEqual([{ path: "t/web-svc/v1/schema/schema.yaml", startLine: 7, endLine: 7, level: "failure", title: "bad", message: "bad thing" }]);
    expect(run.summary).toContain("[t/web-svc/v1/schema/schema.yaml:7](https://gh/x/blob/abc/t/web-svc/v1/schema/schema.yaml#L7)");
    expect(run.summary).toContain("- ❌ t/web-svc/v1: error: bad thing");
  });
});
