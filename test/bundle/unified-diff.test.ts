import { applyPatch, createTwoFilesPatch } from "diff";
import { describe, expect, it } from "vitest";
import { unifiedDiff } from "../../src/bundle/diff/unified.js";

/** What jsdiff writes for the whole files: the diff a reader has always seen. */
function wholeFileDiff(path: string, a: string, b: string): string {
  const patch = createTwoFilesPatch(`a/${path}`, `b/${path}`, a, b, undefined, undefined, { context: 3 });
  return patch.slice(patch.indexOf("---"));
}

describe("unifiedDiff", () => {
  it("diffs a long render with one changed line as jsdiff diffs the whole file, line numbers included", () => {
    const lines = Array.from({ length: 400 }, (_, i) => `  Line${i}: value-${i}`);
    const a = `${lines.join("\n")}\n`;
    const b = a.replace("Line200: value-200", "Line200: changed");
    const diff = unifiedDiff("cloudformation.yaml", a, b);
    expect(diff.patch).toBe(wholeFileDiff("cloudformation.yaml", a, b));
    expect(diff.patch).toContain("@@ -198,7 +198,7 @@");
    expect(diff).toMatchObject({ additions: 1, deletions: 1 });
  });

  it("keeps full context where the diff may place a change at the edge of the changed lines", () => {
    // Inserting "a" before "x" or replacing the first "x" are the same size of edit.
    const a = "x\nx\na\na\nc\nx\nx\nx";
    const b = "a\nx\na\na\nc\nx\nx\nx";
    expect(unifiedDiff("f", a, b).patch).toBe(wholeFileDiff("f", a, b));
  });

  it("marks a last line without a newline, and files added or removed against /dev/null", () => {
    expect(unifiedDiff("f", "a\nb", "a\nc").patch).toBe(wholeFileDiff("f", "a\nb", "a\nc"));
    expect(unifiedDiff("f", undefined, "n\n")).toEqual({ patch: "--- /dev/null\n+++ b/f\n@@ -0,0 +1,1 @@\n+n\n", additions: 1, deletions: 0 });
    expect(unifiedDiff("f", "o\n", undefined).patch).toBe("--- a/f\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-o\n");
  });

  it("writes what jsdiff writes for the whole files, over thousands of random edits", () => {
    let seed = 7;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n);
    const words = ["a", "b", "", "x: 1", "  - y"];
    let compared = 0;
    for (let round = 0; round < 5000; round++) {
      const before = Array.from({ length: random(40) }, () => words[random(words.length)]!);
      const after = before.slice();
      for (let edits = random(6); edits >= 0; edits--) {
        const at = random(after.length + 1);
        const op = random(3);
        if (op === 0) after.splice(at, 0, words[random(words.length)]!);
        else if (op === 1) after.splice(at, 1);
        else after[at] = words[random(words.length)]!;
      }
      const a = before.join("\n") + (random(2) ? "\n" : "");
      const b = after.join("\n") + (random(2) ? "\n" : "");
      if (a === b) continue;
      const { patch } = unifiedDiff("f", a, b);
      expect(patch, JSON.stringify({ a, b })).toBe(wholeFileDiff("f", a, b));
      expect(applyPatch(a, patch)).toBe(b);
      compared++;
    }
    expect(compared).toBeGreaterThan(4000);
  });
});
