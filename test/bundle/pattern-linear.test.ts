// Schema patterns come from pull requests and are matched in the host process:
// they run in linear time (RE2), and what RE2 cannot run is a diagnostic at the
// pattern's line. (The same through the GitHub App: test/github/hostile-pattern.test.ts.)
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/bundle/diagnostics.js";
import { parseRepository } from "../../src/bundle/parse/repository.js";
import { compilePattern } from "../../src/bundle/parse/schema.js";
import { validateRepository } from "../../src/bundle/check/validate.js";
import { ENV_SCHEMA, envTemplate, snapshot } from "../support/snapshot.js";

const SCHEMA = "env/v1/schema/schema.yaml";
const SPEC = "env/spec/spec.yaml";

/** ENV_SCHEMA with a `name` input carrying `lines` (indented under `name:`) after `vpc_cidr`. */
const withName = (...lines: string[]) =>
  ENV_SCHEMA.replace("        size:", () => ["        name:", "          type: string", ...lines.map((l) => `          ${l}`), "        size:"].join("\n"));
/** Line of the first line of `text` containing `needle` (1-based). */
const lineOf = (text: string, needle: string) => text.split("\n").findIndex((l) => l.includes(needle)) + 1;

function check(schema: string, name?: string): Diagnostic[] {
  const spec = `proton: EnvironmentSpec\nspec:\n  count: 1\n${name === undefined ? "" : `  name: ${JSON.stringify(name)}\n`}`;
  return validateRepository(parseRepository(snapshot(envTemplate({ [SCHEMA]: schema, [SPEC]: spec }))));
}
const errors = (diagnostics: Diagnostic[]) => diagnostics.filter((d) => d.severity === "error");

function timed<T>(run: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = run();
  return { value, ms: performance.now() - start };
}

describe("a hostile pattern cannot stall validation", () => {
  // With JavaScript's backtracking RegExp, 40 characters took hours (2^39 paths) before the fix.
  it.each([["40 characters", 39], ["100,000 characters", 99_999]])("^(a+)+$ against a non-matching value of %s", (_label, as) => {
    const value = "a".repeat(as) + "!";
    const { value: diagnostics, ms } = timed(() => check(withName("pattern: '^(a+)+$'"), value));
    expect(ms).toBeLessThan(2000);
    const problem = errors(diagnostics).find((d) => d.file === SPEC);
    expect(problem).toMatchObject({ code: "spec-invalid", line: 4, message: expect.stringContaining('name must match pattern "^(a+)+$"') });
  });

  it("the same pattern still accepts a matching value", () => {
    expect(errors(check(withName("pattern: '^(a+)+$'"), "a".repeat(40)))).toEqual([]);
  });
});

describe("patterns RE2 cannot run are a diagnostic at their line", () => {
  it.each([
    ["a backreference", "pattern: '^(a)\\1$'", /pattern uses a backreference, which Baryon does not support: it matches patterns in linear time .* Spell out the repeated part/],
    ["a named backreference", "pattern: '^(?<x>a)\\k<x>$'", /pattern uses a named backreference/],
    ["a lookahead", "pattern: '^(?=.*[0-9]).{8,}$'", /pattern uses a lookahead, .* Use `allOf` with one `pattern` per condition/],
    ["a negative lookahead", "pattern: '^(?!admin$)'", /pattern uses a lookahead, .*`not: \{pattern: \.\.\.\}`/],
    ["a repeat count above 1000", "pattern: '^a{2000}$'", /pattern uses a repeat count above 1000, .*`minLength`\/`maxLength`/],
    ["a control escape", "pattern: '\\cA'", /pattern uses the escape `\\c`, .*Write the character as `\\u\{hex\}`/],
  ])("%s", (_feature, line, message) => {
    const schema = withName(line);
    const diagnostics = check(schema, "a");
    const found = errors(diagnostics).find((d) => d.file === SCHEMA && /pattern uses/.test(d.message));
    expect(found, JSON.stringify(diagnostics, null, 2)).toMatchObject({ code: "schema-invalid", line: lineOf(schema, "pattern:") });
    expect(found!.message).toMatch(/^EnvInput\.properties\.name: /);
    expect(found!.message).toMatch(message);
  });

  it("inside allOf too, which Ajv evaluates as well", () => {
    const schema = withName("allOf:", "  - pattern: '^[a-z]+$'", "  - pattern: '(x)\\1'");
    const found = errors(check(schema, "a")).find((d) => d.file === SCHEMA && /backreference/.test(d.message));
    expect(found).toMatchObject({ code: "schema-invalid", line: lineOf(schema, "(x)"), message: expect.stringMatching(/^EnvInput\.properties\.name\.allOf\.1: /) });
  });

  it("a typo is still a typo, not an unsupported feature", () => {
    const schema = withName("pattern: '([0-9'");
    const found = errors(check(schema)).find((d) => d.file === SCHEMA && d.code === "schema-invalid");
    expect(found).toMatchObject({ line: lineOf(schema, "pattern:"), message: expect.stringMatching(/pattern is not a valid regular expression/) });
  });
});

describe("ordinary patterns match exactly as JavaScript's RegExp did", () => {
  // The example templates' patterns, JSON-Schema-style idioms, and the JavaScript
  // escapes RE2 spells differently (\uXXXX), each against values on both sides.
  const table: [string, string[]][] = [
    ["([0-9]{1,3}\\.){3}[0-9]{1,3}($|/(16|24))", ["10.0.0.0/16", "10.0.1.0/24", "10.0.0.0/8", "10.0.0.0", "10.0.0", "x", "1.2.3.4/245"]],
    ["^/", ["/health", "health", ""]],
    ["^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", ["my-svc", "-svc", "svc-", "a", "MySvc"]],
    ["^arn:aws:iam::\\d{12}:role/[\\w+=,.@-]+$", ["arn:aws:iam::123456789012:role/deploy", "arn:aws:iam::1234:role/x"]],
    ["^\\S+@\\S+$", ["a@b", "a @b", "@"]],
    ["^caf\\u00e9$", ["café", "cafe"]],
    ["^\\u{1F600}$", ["😀", "x"]],
    ["^\\uD83D\\uDE00$", ["😀", "x"]],
    ["(?<=v)\\d+", ["v12", "12"]],
    ["^(?<major>\\d+)\\.\\d+$", ["1.2", "1"]],
  ];
  it.each(table)("%s", (pattern, values) => {
    const compiled = compilePattern(pattern);
    expect(compiled.ok).toBe(true);
    if (!compiled.ok) return;
    for (const value of values) expect([value, compiled.test(value)]).toEqual([value, new RegExp(pattern, "u").test(value)]);
  });
});
