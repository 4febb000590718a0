import { describe, expect, it } from "vitest";
import { configEditProblems } from "../../src/config/read-config.js";
import { checkConfig, CONFIG_PATH, DEFAULT_CONFIG } from "../../src/config/repo-config.js";

describe("checkConfig", () => {
  it("fills in the defaults for an empty or missing config", () => {
    expect(checkConfig(undefined)).toEqual({ ok: true, config: DEFAULT_CONFIG, diagnostics: [] });
    expect(checkConfig({})).toEqual({ ok: true, config: DEFAULT_CONFIG, diagnostics: [] });
  });

  it("reads templates, publish and stages", () => {
    expect(checkConfig({ templates: "platform/templates/", publish: "draft", stages: [{ name: "dev" }, { name: "prod", gate: "comment" }] })).toEqual({
      ok: true,
      config: { templates: "platform/templates", publish: "draft", stages: [{ name: "dev", gate: "none" }, { name: "prod", gate: "comment" }] },
      diagnostics: [],
    });
  });

  it("reports mistakes at their line in .github/baryon.yml", () => {
    const source = "templates: templates\npublish: later\nstages:\n  - name: test\n    gates: comment\n";
    const result = checkConfig({ templates: "templates", publish: "later", stages: [{ name: "test", gates: "comment" }] }, source);
    expect(result.ok).toBe(false);
    const diagnostics = result.ok ? [] : result.diagnostics;
    expect(diagnostics.map((d) => [d.file, d.line, d.message])).toEqual(expect.arrayContaining([
      [".github/baryon.yml", 2, ".github/baryon.yml: publish must be one of published, draft"],
      [".github/baryon.yml", 5, '.github/baryon.yml: unknown setting "gates" in stages.0'],
    ]));
  });

  it("refuses a stage listed twice", () => {
    const result = checkConfig({ stages: [{ name: "prod" }, { name: "prod" }] });
    expect(result.ok ? "" : result.diagnostics[0]!.message).toMatch(/stage "prod" is listed twice/);
  });
});

describe("the repository's own example .github/baryon.yml", () => {
  it("is valid against schema/baryon.schema.json", async () => {
    const { readFile } = await import("node:fs/promises");
    const { parseYaml } = await import("../../src/bundle/parse/yaml.js");
    const text = await readFile(new URL("../../.github/baryon.yml", import.meta.url), "utf8");
    const result = checkConfig(parseYaml(".github/baryon.yml", text).value, text);
    expect(result).toEqual({ ok: true, config: { templates: "examples/templates", publish: "published", stages: [{ name: "test", gate: "none" }, { name: "prod", gate: "comment" }] }, diagnostics: [] });
  });
});

describe("configEditProblems", () => {
  const snapshot = (config?: string) => ({ files: new Map(config === undefined ? [] : [[CONFIG_PATH, new TextEncoder().encode(config)]]) });

  it("says nothing when the change leaves the config alone, or removes it", () => {
    expect(configEditProblems(snapshot("publish: later\n"), snapshot("publish: later\n"))).toEqual([]);
    expect(configEditProblems(snapshot("publish: draft\n"), snapshot())).toEqual([]);
  });

  it("points at the line of each mistake an edit makes", () => {
    const problems = configEditProblems(snapshot(), snapshot("templates: templates\nstages:\n  - name: Prod\n"));
    expect(problems.map((d) => [d.file, d.line, d.severity])).toEqual([[CONFIG_PATH, 3, "error"]]);
    expect(configEditProblems(snapshot("publish: draft\n"), snapshot("publish: [\n"))[0]).toMatchObject({ code: "yaml-syntax", line: 2 });
  });
});
