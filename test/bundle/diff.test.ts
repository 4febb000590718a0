import { describe, expect, it } from "vitest";
import { DiffStream, diffRenders, diffResource } from "../../src/bundle/diff/diff.js";

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

describe("DiffStream", () => {
  const side = (v: string) => (label: string, i: number) => ({ label, files: [file(i % 2 ? `odd: ${v}\n` : `even: ${v}\n`)] });
  const labels = ["r0", "r1", "r2", "r3", "r4", "r5"];

  it("groups the same way whichever side renders first, the first resource given heading each group", () => {
    const results = [0, 1, 2].map((interleave) => {
      const stream = new DiffStream();
      const bases = labels.map(side("1"));
      const heads = labels.map(side("2"));
      heads.forEach((head, i) => {
        // Bases ahead of heads, behind them, or all at the end.
        if (interleave === 0) stream.base(bases[i]!);
        stream.head(head);
        if (interleave === 1) stream.base(bases[i]!);
      });
      if (interleave === 2) bases.reverse().forEach((b) => stream.base(b));
      stream.baseDone();
      return stream.result();
    });
    expect(results[0]!.groups.map((g) => g.labels)).toEqual([["r0", "r2", "r4"], ["r1", "r3", "r5"]]);
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
  });

  it("diffs two head resources that share a label against their base, whenever it comes", () => {
    const stream = new DiffStream();
    stream.head({ label: "twin", files: [file("a: 2\n")] });
    stream.head({ label: "twin", files: [file("a: 3\n")] });
    stream.base({ label: "twin", files: [file("a: 1\n")] });
    stream.baseDone();
    expect(stream.result()).toMatchObject({ total: 2, changed: 2 });
  });

  it("diffs a head resource without a base as new once the base side is done, and leaves out a base without a head", () => {
    const stream = new DiffStream();
    const told: string[] = [];
    const withFirsts = new DiffStream((base, head) => told.push(`${base?.label ?? "none"}→${head.label}`));
    for (const s of [stream, withFirsts]) {
      s.base({ label: "gone", files: [file("old\n")] });
      s.head({ label: "new", files: [file("fresh\n")] });
      expect(() => s.result()).toThrow(/base side is not done/);
      s.baseDone();
    }
    expect(stream.result()).toMatchObject({ total: 1, changed: 1, groups: [{ labels: ["new"], diffs: [{ path: "infrastructure/cloudformation.yaml", additions: 1, deletions: 0 }] }] });
    expect(withFirsts.result().groups).toHaveLength(1);
    expect(told).toEqual(["none→new"]);
  });
});
