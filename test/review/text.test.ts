import { describe, expect, it } from "vitest";
import { renderText } from "../../src/present/review-text.js";
import type { ReviewReport, TemplateReview } from "../../src/present/review-report.js";

const env: TemplateReview = {
  name: "vpc-env", kind: "environment", dir: "vpc-env/v1", major: 1, status: "modified", change: "minor", version: "1.1",
  reasons: [], diagnostics: [],
  diff: { groups: [{ labels: ["vpc-env/spec/a.yaml › environment", "vpc-env/spec/b.yaml › environment"], diffs: [{ path: "cfn.yaml", patch: "--- a/cfn.yaml\n+++ b/cfn.yaml\n@@ -1 +1 @@\n-a\n+b\n", additions: 1, deletions: 1 }] }], total: 3, changed: 2 },
};

describe("renderText", () => {
  it("says what the change count counts: rendered environments, service instances and pipelines", () => {
    const svc: TemplateReview = { ...env, name: "web-svc", kind: "service", dir: "web-svc/v1", diff: { groups: [], total: 1, changed: 0 } };
    const text = renderText({ baseName: "main", headName: "HEAD", templates: [env, svc], unbundledFiles: [], diagnostics: [] }, false);
    expect(text).toContain("vpc-env v1 (environment): minor, would publish 1.1; 2 of 3 rendered environments changed");
    expect(text).toContain("web-svc v1 (service): minor, would publish 1.1; 0 of 1 rendered service instance or pipeline changed");
    expect(text).toContain("same change for 2 resources: vpc-env/spec/a.yaml › environment, vpc-env/spec/b.yaml › environment");
  });

  it("lists changed example specs under their template, apart from files outside every bundle", () => {
    const report: ReviewReport = {
      baseName: "main", headName: "HEAD", templates: [env], diagnostics: [], unbundledFiles: ["README.md"],
      specFiles: [{ template: "vpc-env", path: "vpc-env/spec/a.yaml" }, { template: "db-env", path: "db-env/spec/s.yaml" }],
    };
    const text = renderText(report, false);
    expect(text).toContain("  changed example specs: vpc-env/spec/a.yaml\n");
    expect(text).toContain("Example specs changed, of templates whose bundles did not change (not rendered, no version): db-env/spec/s.yaml\n");
    expect(text).toContain("Files outside every bundle (no version): README.md\n");
  });
});
