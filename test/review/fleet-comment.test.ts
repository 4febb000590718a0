// What a reader of the pull request comment sees for a fleet: one group for the
// change most instances make, whose diff is one real instance's, the outliers
// apart, and a comment that fits GitHub's limit however many changes there are.
import { describe, expect, it } from "vitest";
import { diffRenders, type RenderedDiff, type ResourceRender } from "../../src/bundle/diff/diff.js";
import { MARKDOWN_BUDGET, renderMarkdown } from "../../src/present/review-markdown.js";
import type { ReviewReport, TemplateReview } from "../../src/present/review-report.js";
import { renderText } from "../../src/present/review-text.js";

const PATH = "instance_infrastructure/cloudformation.yaml";
const names = (n: number) => Array.from({ length: n }, (_, i) => `svc-${String(i).padStart(4, "0")}`);

/** An instance as the template renders it: its log group and service carry its own names. */
function render(name: string, i: number, extra = ""): ResourceRender {
  const environment = `env-${i % 20}`;
  const content = `Resources:\n  LogGroup:\n    Properties:\n      LogGroupName: '/baryon/api/${name}'\n${extra}  Service:\n    Properties:\n      Cluster: ${environment}-cluster\n      ServiceName: api-${name}\n`;
  return { label: `fleet.yaml › ${name}`, names: { name, environment, service: "api" }, files: [{ path: PATH, content }] };
}

/** `count` instances; head sets the retention of each, 30 days unless `retention` says otherwise. */
function fleet(count: number, retention: (i: number) => number = () => 30): RenderedDiff {
  const all = names(count);
  return diffRenders(all.map((n, i) => render(n, i)), all.map((n, i) => render(n, i, `      RetentionInDays: ${retention(i)}\n`)));
}

function report(diff: RenderedDiff, fleetDiff?: RenderedDiff): ReviewReport {
  const template: TemplateReview = {
    name: "api", kind: "service", dir: "api/v1", major: 1, status: "modified", change: "minor", version: "1.4",
    reasons: [], diagnostics: [], diff, ...(fleetDiff ? { fleet: fleetDiff } : {}),
  };
  return { baseName: "main", headName: "pr", templates: [template], unbundledFiles: [], diagnostics: [] };
}

const fences = (md: string) => md.match(/^```diff$/gm)?.length ?? 0;

describe("the review comment for a fleet", () => {
  const outliers = new Map([[7, 90], [500, 1]]);
  const diff = fleet(1000, (i) => outliers.get(i) ?? 30);

  it("shows one group for the change 998 instances make, with one real instance's diff, and the two outliers apart", () => {
    const md = renderMarkdown(report(diff));
    expect(md).toContain("1000 of 1000 rendered service instances and pipelines changed");
    expect(md).toContain(
      "Same change for 998 service instances, each with its own names (shown for `fleet.yaml › svc-0000`): " +
      "`fleet.yaml › svc-0000`, `fleet.yaml › svc-0001`, `fleet.yaml › svc-0002`, `fleet.yaml › svc-0003`, `fleet.yaml › svc-0004`, " +
      "`fleet.yaml › svc-0005`, `fleet.yaml › svc-0006`, `fleet.yaml › svc-0008`, `fleet.yaml › svc-0009`, `fleet.yaml › svc-0010` and 988 more " +
      "— `instance_infrastructure/cloudformation.yaml` (+1 −0)",
    );
    // The representative's own diff, as it renders: no placeholder, no other instance's name.
    expect(md).toContain("```diff\n--- a/instance_infrastructure/cloudformation.yaml\n+++ b/instance_infrastructure/cloudformation.yaml\n@@ -2,6 +2,7 @@\n   LogGroup:\n     Properties:\n       LogGroupName: '/baryon/api/svc-0000'\n+      RetentionInDays: 30\n");
    expect(md).not.toContain("'/baryon/api/svc-0001'");
    expect(md).not.toContain("\0");
    // Each outlier is its own group, with its own diff.
    expect(md).toContain("`fleet.yaml › svc-0007` — `instance_infrastructure/cloudformation.yaml` (+1 −0)");
    expect(md).toContain("       LogGroupName: '/baryon/api/svc-0007'\n+      RetentionInDays: 90\n");
    expect(md).toContain("`fleet.yaml › svc-0500` — `instance_infrastructure/cloudformation.yaml` (+1 −0)");
    expect(md).toContain("+      RetentionInDays: 1\n");
    expect(fences(md)).toBe(3);
  });

  it("says the same in a terminal", () => {
    const text = renderText(report(diff), false);
    expect(text).toContain("same change for 998 service instances, each with its own names (shown for fleet.yaml › svc-0000): fleet.yaml › svc-0000, fleet.yaml › svc-0001, fleet.yaml › svc-0002, fleet.yaml › svc-0003, fleet.yaml › svc-0004 and 993 more instance_infrastructure/cloudformation.yaml (+1 -0)");
    expect(text).toContain("  fleet.yaml › svc-0007 instance_infrastructure/cloudformation.yaml (+1 -0)");
    expect(text.match(/^ {4}\+ {6}RetentionInDays/gm)).toHaveLength(3);
  });

  it("writes a count as a reader reads it", () => {
    const md = renderMarkdown(report(fleet(1200)));
    expect(md).toContain("Same change for 1,200 service instances, each with its own names (shown for `fleet.yaml › svc-0000`)");
    expect(md).toContain("and 1,190 more");
  });
});

describe("the review comment with more distinct changes than fit", () => {
  // Each instance keeps its logs a different number of days: 3,000 distinct changes.
  const many = fleet(3000, (i) => i + 1);

  it("stays under GitHub's limit, cut diffs first, then says how many changes it leaves out", () => {
    const md = renderMarkdown(report(many));
    expect(many.groups).toHaveLength(3000);
    expect(md.length).toBeLessThanOrEqual(MARKDOWN_BUDGET);
    const shown = md.match(/^`fleet\.yaml › svc-\d{4}` — /gm)?.length ?? 0;
    const left = /^…and (\d+|\d{1,3}(?:,\d{3})+) more changes, to (\S+) resources, left out to fit GitHub's comment limit; run `baryon check` to see them\.$/m.exec(md);
    expect(left).not.toBeNull();
    expect(shown).toBeGreaterThan(100);
    expect(shown + Number(left![1]!.replace(/,/g, ""))).toBe(3000);
    expect(left![2]).toBe(left![1]);
    // Every group still shown is cut to one line; none is lost without being counted.
    expect(fences(md)).toBe(0);
    expect(md.match(/diff cut to fit GitHub's comment limit/g)).toHaveLength(shown);
    // The comment is composed, not truncated: it ends its section, and uses the room it has.
    expect(md).not.toContain("too long for one comment");
    expect(md.endsWith("</details>\n")).toBe(true);
    expect(md.length).toBeGreaterThan(MARKDOWN_BUDGET - 1000);
  });

  it("keeps the largest group of each place diffs are shown, leaving out the groups for the fewest resources", () => {
    const mostlySame = fleet(3000, (i) => (i < 1000 ? 30 : i + 1));
    const md = renderMarkdown(report(mostlySame, fleet(3000, (i) => (i < 500 ? 7 : i + 1))));
    expect(md.length).toBeLessThanOrEqual(MARKDOWN_BUDGET);
    expect(md.match(/^…and [\d,]+ more changes, to [\d,]+ resources, left out/gm)).toHaveLength(2);
    // The change 1,000 specs make and the one 500 deployed instances make keep their diffs, paid for by leaving out more single ones.
    expect(md).toContain("Same change for 1,000 service instances, each with its own names (shown for `fleet.yaml › svc-0000`): `fleet.yaml › svc-0000`, `fleet.yaml › svc-0001`, `fleet.yaml › svc-0002`, `fleet.yaml › svc-0003`, `fleet.yaml › svc-0004`, `fleet.yaml › svc-0005`, `fleet.yaml › svc-0006`, `fleet.yaml › svc-0007`, `fleet.yaml › svc-0008`, `fleet.yaml › svc-0009` and 990 more — `instance_infrastructure/cloudformation.yaml` (+1 −0)\n\n```diff\n");
    expect(md).toContain("Same change for 500 service instances, each with its own names (shown for `fleet.yaml › svc-0000`): `fleet.yaml › svc-0000`, `fleet.yaml › svc-0001`, `fleet.yaml › svc-0002`, `fleet.yaml › svc-0003`, `fleet.yaml › svc-0004`, `fleet.yaml › svc-0005`, `fleet.yaml › svc-0006`, `fleet.yaml › svc-0007`, `fleet.yaml › svc-0008`, `fleet.yaml › svc-0009` and 490 more — `instance_infrastructure/cloudformation.yaml` (+1 −0)\n\n```diff\n");
    expect(fences(md)).toBe(2);
    expect(md).toContain("+      RetentionInDays: 30\n");
    expect(md).toContain("+      RetentionInDays: 7\n");
    expect(md).not.toContain("too long for one comment");
  });

  it("leaves nothing out when cutting diffs is enough", () => {
    const md = renderMarkdown(report(fleet(200, (i) => i + 1)), { budget: 60_000 });
    expect(md.length).toBeLessThanOrEqual(60_000);
    expect(md).not.toContain("left out");
    expect(md.match(/^`fleet\.yaml › svc-\d{4}` — /gm)).toHaveLength(200);
    // The largest diffs are cut first; with room left, some stay whole.
    expect(fences(md)).toBeGreaterThan(0);
    expect(md).toContain("diff cut to fit GitHub's comment limit");
  });
});
