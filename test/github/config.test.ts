import { describe, expect, it } from "vitest";
import { configEditProblems } from "../../src/config/read-config.js";
import { checkConfig, CONFIG_PATH, DEFAULT_CONFIG } from "../../src/config/repo-config.js";
import { DEFAULT_STAGE } from "../../src/rollout/policy.js";

describe("checkConfig", () => {
  it("fills in the defaults for an empty or missing config", () => {
    expect(checkConfig(undefined)).toEqual({ ok: true, config: DEFAULT_CONFIG, diagnostics: [] });
    expect(checkConfig({})).toEqual({ ok: true, config: DEFAULT_CONFIG, diagnostics: [] });
  });

  it("reads templates, publish and rollout", () => {
    expect(checkConfig({ templates: "platform/templates/", publish: "draft", rollout: { stages: [{ name: "dev" }, { name: "prod", gate: "comment" }] } })).toEqual({
      ok: true,
      config: {
        templates: "platform/templates", publish: "draft",
        rollout: { stages: [{ ...DEFAULT_STAGE, name: "dev" }, { ...DEFAULT_STAGE, name: "prod", gate: "comment" }], autoRollback: false },
        inventory: [{ path: "platform/inventory" }], provisioners: {},
      },
      diagnostics: [],
    });
  });

  it("reports mistakes at their line in .github/baryon.yml", () => {
    const source = "templates: templates\npublish: later\nrollout:\n  stages:\n    - name: test\n      gates: comment\n";
    const result = checkConfig({ templates: "templates", publish: "later", rollout: { stages: [{ name: "test", gates: "comment" }] } }, source);
    expect(result.ok).toBe(false);
    const diagnostics = result.ok ? [] : result.diagnostics;
    expect(diagnostics.map((d) => [d.file, d.line, d.message])).toEqual(expect.arrayContaining([
      [".github/baryon.yml", 2, ".github/baryon.yml: publish must be one of published, draft"],
      [".github/baryon.yml", 6, '.github/baryon.yml: unknown setting "gates" in rollout.stages.0'],
    ]));
  });

  it("reads inventory folders, here or in another repository of the owner, and provisioners by name", () => {
    const provisioners = {
      local: { kind: "command", deploy: "./deploy.sh", destroy: "./destroy.sh", timeout: "15m", env: ["AWS_PROFILE"] },
      aws: { kind: "cloudformation", region: "eu-west-1", roleArn: "arn:aws:iam::123456789012:role/deployer" },
      infra: { kind: "pull-request", repository: "infrastructure", check: "terraform apply" },
    };
    const result = checkConfig({ inventory: ["inventory/", "platform-inventory:environments"], provisioners });
    expect(result).toMatchObject({ ok: true, config: { inventory: [{ path: "inventory" }, { repository: "platform-inventory", path: "environments" }], provisioners } });
    expect(checkConfig({ inventory: "fleet" })).toMatchObject({ ok: true, config: { inventory: [{ path: "fleet" }] } });
  });

  it("reports a provisioner's mistakes at their line, and only those", () => {
    const source = [
      "provisioners:",
      "  local:",
      "    kind: command",
      "    destroy: ./destroy.sh",
      "    timeout: soon",
      "  aws:",
      "    kind: cloudformation",
      "    region: eu-west-1",
      "    stack: my-stack",
      "  other:",
      "    kind: terraform-cloud",
      "",
    ].join("\n");
    const value = {
      provisioners: {
        local: { kind: "command", destroy: "./destroy.sh", timeout: "soon" },
        aws: { kind: "cloudformation", region: "eu-west-1", stack: "my-stack" },
        other: { kind: "terraform-cloud" },
      },
    };
    const result = checkConfig(value, source);
    const shown = result.ok ? [] : result.diagnostics.map((d) => [d.line, d.message]);
    expect(shown).toEqual(expect.arrayContaining([
      [2, ".github/baryon.yml: provisioners.local must have required property 'deploy'"],
      [9, '.github/baryon.yml: unknown setting "stack" in provisioners.aws'],
      [11, ".github/baryon.yml: provisioners.other.kind must be one of command, cloudformation, pull-request"],
    ]));
    expect(shown.some(([, message]) => /"then"|"if"/.test(String(message)))).toBe(false);
    expect(shown.filter(([line]) => line === 5)).toEqual([[5, expect.stringMatching(/provisioners\.local\.timeout must match pattern/)]]);
  });

  it("refuses a stage listed twice", () => {
    const result = checkConfig({ rollout: { stages: [{ name: "prod" }, { name: "prod" }] } });
    expect(result.ok ? "" : result.diagnostics[0]!.message).toMatch(/stage "prod" is listed twice/);
  });
});

describe("the repository's own example .github/baryon.yml", () => {
  it("is valid against schema/baryon.schema.json", async () => {
    const { readFile } = await import("node:fs/promises");
    const { parseYaml } = await import("../../src/bundle/parse/yaml.js");
    const text = await readFile(new URL("../../.github/baryon.yml", import.meta.url), "utf8");
    const result = checkConfig(parseYaml(".github/baryon.yml", text).value, text);
    expect(result).toEqual({
      ok: true,
      config: {
        templates: "examples/templates", publish: "published",
        rollout: { stages: [{ ...DEFAULT_STAGE, name: "test" }, { ...DEFAULT_STAGE, name: "prod", gate: "comment" }], autoRollback: false },
        inventory: [{ path: "examples/inventory" }],
        provisioners: { local: { kind: "command", deploy: expect.stringContaining("outputs.json"), destroy: expect.any(String), timeout: "1m" } },
      },
      diagnostics: [],
    });
  });
});

describe("configEditProblems", () => {
  const snapshot = (config?: string) => ({ files: new Map(config === undefined ? [] : [[CONFIG_PATH, new TextEncoder().encode(config)]]) });

  it("says nothing when the change leaves the config alone, or removes it", () => {
    expect(configEditProblems(snapshot("publish: later\n"), snapshot("publish: later\n"))).toEqual([]);
    expect(configEditProblems(snapshot("publish: draft\n"), snapshot())).toEqual([]);
  });

  it("points at the line of each mistake an edit makes", () => {
    const problems = configEditProblems(snapshot(), snapshot("templates: templates\nrollout:\n  stages:\n    - name: Prod\n"));
    expect(problems.map((d) => [d.file, d.line, d.severity])).toEqual([[CONFIG_PATH, 4, "error"]]);
    expect(configEditProblems(snapshot("publish: draft\n"), snapshot("publish: [\n"))[0]).toMatchObject({ code: "yaml-syntax", line: 2 });
  });
});
