import { describe, expect, it } from "vitest";
import { renderMarkdown } from "../../src/present/review-markdown.js";
import { markPublished } from "../../src/present/merge-header.js";
import type { ReviewReport, TemplateReview } from "../../src/present/review-report.js";

function template(name: string, major: number, version: string | undefined): TemplateReview {
  return {
    name, kind: "environment", dir: `${name}/v${major}`, major, status: "modified", change: "minor", ...(version ? { version } : {}),
    reasons: [], diagnostics: [], diff: { groups: [], total: 2, changed: 1 },
  };
}

const report: ReviewReport = {
  baseName: "main", headName: "pr", unbundledFiles: [], diagnostics: [],
  templates: [template("vpc-env", 1, "1.1"), template("vpc-env", 2, "2.0"), template("web-svc", 1, "1.4")],
};
const review = renderMarkdown(report, { preamble: "<!-- baryon:review -->\n<!-- baryon:updated 2026-01-05T09:00:00Z -->" });

describe("markPublished", () => {
  it("adds the merge header after the hidden markers and marks what was published in the table", () => {
    const body = markPublished(review, [{ template: "vpc-env", version: "1.1", draft: false }, { template: "web-svc", version: "1.4", draft: true }], 1);
    const lines = body.split("\n");
    expect(lines.slice(0, 3)).toEqual([
      "<!-- baryon:review -->",
      "<!-- baryon:updated 2026-01-05T09:00:00Z -->",
      "<!-- baryon:published -->**Merged.** Published vpc-env 1.1, web-svc 1.4 (draft). 1 bundle was not published: see the reply below.",
    ]);
    expect(body).toContain("| `vpc-env` v1 | environment | minor | Published 1.1 |");
    expect(body).toContain("| `web-svc` v1 | environment | minor | Saved 1.4 as draft |");
    // The refused major keeps its plan.
    expect(body).toContain("| `vpc-env` v2 | environment | minor | Will publish 2.0 |");
    expect(body).not.toContain("Will publish 1.1");
  });

  it("is idempotent, and a later merge job replaces the header instead of adding one", () => {
    const published = [{ template: "vpc-env", version: "1.1", draft: false }];
    const once = markPublished(review, published, 0);
    expect(markPublished(once, published, 0)).toBe(once);
    const again = markPublished(once, [...published, { template: "vpc-env", version: "2.0", draft: false }], 0);
    expect(again.match(/baryon:published/g)).toHaveLength(1);
    expect(again).toContain("**Merged.** Published vpc-env 1.1, vpc-env 2.0.");
    expect(again).toContain("| `vpc-env` v2 | environment | minor | Published 2.0 |");
  });

  it("says nothing was published when every bundle was refused, and leaves the body alone when nothing happened", () => {
    expect(markPublished(review, [], 2)).toContain("**Merged.** Nothing was published. 2 bundles were not published: see the reply below.");
    expect(markPublished(review, [], 0)).toBe(review);
  });

  it("marks only the row of the published version, not one that merely names it", () => {
    const body = markPublished(review, [{ template: "vpc-env", version: "1.4", draft: false }], 0);
    expect(body).toContain("| `web-svc` v1 | environment | minor | Will publish 1.4 |");
    expect(body).toContain("| `vpc-env` v1 | environment | minor | Will publish 1.1 |");
  });
});
