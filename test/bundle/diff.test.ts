import { describe, expect, it } from "vitest";
import { byResource, diffRenders, diffResource } from "../../src/bundle/diff/diff.js";

const file = (content: string) => ({ path: "infrastructure/cloudformation.yaml", content });

describe("diffResource", () => {
  it("gives a unified diff with counts of added and removed lines", () => {
    const [d] = diffResource({ label: "a", files: [file("a: 1\nb: 2\nc: 3\n")] }, { label: "a", files: [file("a: 1\nb: 20\nc: 3\nd: 4\n")] });
    expect(d).toMatchObject({ path: "infrastructure/cloudformation.yaml", additions: 2, deletions: 1 });
    expect(d!.patch).toBe("--- a/infrastructure/cloudformation.yaml\n+++ b/infrastructure/cloudformation.yaml\n@@ -1,3 +1,4 @@\n a: 1\n-b: 2\n+b: 20\n c: 3\n+d: 4\n");
  });

  it("shows added and removed files against /dev/null, and nothing for identical files", () => {
    const diffs = diffResource({ label: "a", files: [file("x\n"), { path: "old.txt", content: "o\n" }] }, { label: "a", files: [file("x\n"), { path: "new.txt", content: "n\n" }] });
    expect(diffs.map((d) => [d.path, d.additions, d.deletions, d.patch.split("\n").slice(0, 2).join(" ")])).toEqual([
      ["new.txt", 1, 0, "--- /dev/null +++ b/new.txt"],
      ["old.txt", 0, 1, "--- a/old.txt +++ /dev/null"],
    ]);
  });
});

describe("diffRenders", () => {
  it("groups identical diffs, largest group first, and counts unchanged resources in the total", () => {
    const side = (v: string, n: number) => Array.from({ length: n }, (_, i) => ({ label: `spec ${i}`, files: [file(i < 2 ? `v: ${v}\n` : i < 5 ? `w: ${v}\n` : "same\n")] }));
    const result = diffRenders(side("1", 7), side("2", 7));
    expect(result).toMatchObject({ total: 7, changed: 5 });
    expect(result.groups.map((g) => g.labels)).toEqual([["spec 2", "spec 3", "spec 4"], ["spec 0", "spec 1"]]);
  });

  it("reports a resource whose head fails to render", () => {
    const result = diffRenders([{ label: "s", files: [file("a\n")] }], [{ label: "s", files: [], failure: "undefined variable" }]);
    expect(result.groups).toEqual([{ labels: ["s"], diffs: [], headFailure: "undefined variable" }]);
  });
});

describe("byResource", () => {
  it("splits rendered paths by their first segment", () => {
    const r = byResource([{ path: "dev/instance_infrastructure/a.yaml", content: "1" }, { path: "pipeline/pipeline_infrastructure/a.yaml", content: "2" }], "spec.yaml");
    expect(r).toEqual([
      { label: "spec.yaml › dev", files: [{ path: "instance_infrastructure/a.yaml", content: "1" }] },
      { label: "spec.yaml › pipeline", files: [{ path: "pipeline_infrastructure/a.yaml", content: "2" }] },
    ]);
  });
});
