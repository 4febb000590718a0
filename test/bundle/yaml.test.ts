import { describe, expect, it } from "vitest";
import { parseYaml } from "../../src/bundle/parse/yaml.js";

describe("parseYaml", () => {
  it("parses values and finds the line of nested nodes", () => {
    const r = parseYaml("a.yaml", "a:\n  b: [1, 2]\n  c:\n    d: 3\n");
    expect(r.diagnostics).toEqual([]);
    expect(r.value).toEqual({ a: { b: [1, 2], c: { d: 3 } } });
    expect(r.positionOf(["a", "c", "d"])).toEqual({ line: 4, column: 8 });
    expect(r.positionOf(["a", "b", 1])).toEqual({ line: 2, column: 10 });
    // A missing key points at its closest parent.
    expect(r.positionOf(["a", "missing"])).toEqual({ line: 2, column: 3 });
  });

  it("reports malformed YAML at its line", () => {
    const r = parseYaml("bad.yaml", "a: 1\nb: [1, 2\nc: 3\n");
    expect(r.value).toBeUndefined();
    expect(r.diagnostics[0]).toMatchObject({ file: "bad.yaml", severity: "error", code: "yaml-syntax" });
    expect(r.diagnostics[0]!.line).toBeGreaterThanOrEqual(2);
  });

  it("refuses duplicate keys", () => {
    const r = parseYaml("dup.yaml", "a: 1\na: 2\n");
    expect(r.diagnostics[0]).toMatchObject({ code: "yaml-syntax", line: 2 });
    expect(r.diagnostics[0]!.message).toMatch(/unique/i);
  });

  it("refuses an alias bomb without expanding it", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(", ")}]`);
    }
    const r = parseYaml("bomb.yaml", levels.join("\n") + "\n");
    expect(r.value).toBeUndefined();
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ code: "yaml-alias-bomb", file: "bomb.yaml" });
  });
});
