// YAML that Proton's reader took, or that used to leak the engine's words
// (issue 9, causes 6 and 16): a key given twice with the same value, and nesting
// deep enough to blow the parser's stack.
import { describe, expect, it } from "vitest";
import { validateRepository } from "../../src/bundle/check/validate.js";
import type { Diagnostic } from "../../src/bundle/diagnostics.js";
import { parseRepository } from "../../src/bundle/parse/repository.js";
import { MAX_YAML_DEPTH, parseYaml } from "../../src/bundle/parse/yaml.js";
import { envTemplate, snapshot } from "../support/snapshot.js";

const SPEC = "env/spec/spec.yaml";
const where = (diagnostics: Diagnostic[]) => diagnostics.map((d) => `${d.file}:${d.line} ${d.severity} ${d.code}: ${d.message}`);
const validate = (spec: string) => validateRepository(parseRepository(snapshot({ ...envTemplate(), [SPEC]: spec })));

describe("a key given twice in one mapping", () => {
  it("with the same value is a warning at the second key, and the spec is used", () => {
    const diagnostics = validate("proton: EnvironmentSpec\nspec:\n  count: 2\n  vpc_cidr: 10.1.0.0/16\n  count: 2\n");
    expect(where(diagnostics)).toEqual([
      `${SPEC}:5 warning yaml-duplicate-key: "count" is given twice in this mapping (also on line 3), with the same value; Proton's reader accepted that: remove one`,
    ]);
  });

  it("with different values stays an error at the second key", () => {
    const diagnostics = validate("proton: EnvironmentSpec\nspec:\n  count: 2\n  count: 3\n");
    expect(where(diagnostics)).toEqual([
      `${SPEC}:4 error yaml-syntax: invalid YAML: Map keys must be unique; "count" is also on line 3, with a different value: keep one`,
    ]);
  });

  it("compares whole values: equal mappings warn, 1.0 and 1 differ", () => {
    expect(parseYaml("a.yaml", "a: {x: [1, 2]}\nb: 0\na:\n  x: [1, 2]\n").diagnostics).toMatchObject([{ severity: "warning", line: 3 }]);
    expect(parseYaml("a.yaml", "a: 1.0\na: 1\n").diagnostics).toMatchObject([{ severity: "error", line: 2 }]);
    expect(parseYaml("a.yaml", "a: 1\na: 1\n").value).toEqual({ a: 1 });
  });
});

describe("deep nesting", () => {
  const deepBlock = (levels: number) => Array.from({ length: levels }, (_, i) => `${" ".repeat(i)}k:\n`).join("");

  it("is refused at the line where it passes the limit, in words, for block and flow style", () => {
    const block = parseYaml("deep.yaml", deepBlock(2000));
    expect(block.value).toBeUndefined();
    expect(block.diagnostics).toEqual([{
      file: "deep.yaml", severity: "error", code: "yaml-too-deep", line: MAX_YAML_DEPTH + 1, column: MAX_YAML_DEPTH + 1,
      message: `mappings and lists nested deeper than ${MAX_YAML_DEPTH} levels; no spec or schema needs that many: flatten it`,
    }]);
    const flow = parseYaml("deep.yaml", "a: 1\nb: " + "[".repeat(10_000) + "]".repeat(10_000) + "\n");
    expect(flow.diagnostics).toMatchObject([{ code: "yaml-too-deep", line: 2 }]);
    expect(JSON.stringify(flow.diagnostics)).not.toMatch(/call stack/i);
  });

  it(`is read up to ${MAX_YAML_DEPTH} levels`, () => {
    expect(parseYaml("ok.yaml", deepBlock(MAX_YAML_DEPTH) + `${" ".repeat(MAX_YAML_DEPTH)}leaf\n`).diagnostics).toEqual([]);
  });

  it("in a spec file is reported at the spec's line, not as a stack overflow", () => {
    const diagnostics = validate("proton: EnvironmentSpec\nspec:\n  count: 2\n  tags: " + "[".repeat(5000) + "]".repeat(5000) + "\n");
    expect(where(diagnostics)).toEqual([
      `${SPEC}:4 error yaml-too-deep: mappings and lists nested deeper than ${MAX_YAML_DEPTH} levels; no spec or schema needs that many: flatten it`,
    ]);
  });
});
