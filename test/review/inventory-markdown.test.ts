// The inventory part of the review comment for a large fleet: the plan is
// capped, identical diffs are one group, and the comment stays under GitHub's limit.
import { describe, expect, it } from "vitest";
import type { FileDiff } from "../../src/bundle/diff/diff.js";
import type { InventoryReview } from "../../src/present/inventory-review.js";
import { MARKDOWN_BUDGET, renderMarkdown } from "../../src/present/review-markdown.js";
import { checkOutcome } from "../../src/present/check-run.js";

function patch(lines: number, tag: string): FileDiff {
  const body = Array.from({ length: lines }, (_, i) => `+  Line${i}: ${tag} ${"x".repeat(40)}`).join("\n");
  return { path: "infrastructure/cloudformation.yaml", patch: `--- /dev/null\n+++ b/infrastructure/cloudformation.yaml\n@@ -0,0 +1,${lines} @@\n${body}\n`, additions: lines, deletions: 0 };
}

const fleet = (n: number): InventoryReview => {
  const keys = Array.from({ length: n }, (_, i) => `env-${i}`);
  return {
    files: keys.map((k) => `inventory/${k}.yaml`), diagnostics: [],
    plan: [...keys.map((key) => ({ action: "create" as const, key, text: `create ${key} at net 1.0` })), { action: "delete", key: "old", text: "delete old: waits for confirmation", waiting: true }],
    unchanged: 3,
    diff: {
      // 900 environments render the same; 100 each differently and at length.
      groups: [{ labels: keys.slice(0, 900), diffs: [patch(5, "same")] }, ...keys.slice(900).map((k) => ({ labels: [k], diffs: [patch(300, k)] }))],
      total: n, changed: n,
    },
  };
};

describe("the inventory review in Markdown", () => {
  it("keeps a 1,000-environment plan bounded: a capped plan, grouped diffs, under the budget", () => {
    const md = renderMarkdown({ baseName: "main", headName: "pr", templates: [], unbundledFiles: [], diagnostics: [], inventory: fleet(1000) });
    expect(md.length).toBeLessThanOrEqual(MARKDOWN_BUDGET);
    expect(md).toContain("**Inventory**: 1000 inventory files changed; a merge would deploy: 1000 to create, 1 delete waiting for confirmation (3 unchanged).");
    // The delete that waits for a person comes first, whatever the fleet's size.
    expect(md).toContain("**Plan** (carried out when this merges)\n\n- ⏸️ delete old: waits for confirmation\n- ➕ create env-0 at net 1.0");
    expect(md).toContain("- ➕ create env-98 at net 1.0");
    expect(md).not.toContain("create env-99 at");
    expect(md).toContain("- …and 901 more");
    expect(md).toContain("Same change for 900 environments: `env-0`, `env-1`");
    expect(md).toContain("Line4: same");
    expect(md).toContain("diff cut to fit GitHub's comment limit");
    expect(md.match(/<details/g)?.length).toBe(md.match(/<\/details>/g)?.length);
  });

  it("gives the check run a title that counts the plan", () => {
    const report = { baseName: "main", headName: "pr", templates: [], unbundledFiles: [], diagnostics: [], inventory: fleet(2) };
    expect(checkOutcome(report)).toEqual({ conclusion: "success", title: "Inventory: 2 to create, 1 delete waiting for confirmation" });
  });
});
