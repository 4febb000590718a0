// `rollout:` in .github/baryon.yml as a platform engineer writes it: defaults,
// each setting, each mistake at its line, the deprecated top-level `stages:`,
// and the policy a config without the section gets.
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/bundle/diagnostics.js";
import { configEditProblems, configFromText } from "../../src/config/read-config.js";
import { CONFIG_PATH } from "../../src/config/repo-config.js";
import { batchSize, DEFAULT_STAGE, defaultRolloutPolicy, toleratedFailures } from "../../src/rollout/policy.js";

const read = (...lines: string[]) => configFromText([...lines, ""].join("\n"));
const rolloutOf = (...lines: string[]) => {
  const result = read(...lines);
  expect(result.diagnostics).toEqual([]);
  return result.ok ? result.config.rollout : undefined;
};
const shown = (ds: Diagnostic[]) => ds.map((d) => [d.line, d.severity, d.message.replace(`${CONFIG_PATH}: `, "")]);

describe("rollout: in .github/baryon.yml", () => {
  it("is absent without the section: the rollout derives its stages from the inventory", () => {
    expect(rolloutOf("publish: draft")).toBeUndefined();
    const none = configFromText(undefined);
    expect(none.ok && Object.keys(none.config)).toEqual(["publish", "inventory", "provisioners"]);
  });

  it("gives every stage the defaults: all at once, no soak, no failure tolerated, no gate", () => {
    expect(rolloutOf("rollout:", "  stages:", "    - name: test", "    - name: prod")).toEqual({
      stages: [
        { name: "test", batch: { percent: 100 }, soakMs: 0, failureTolerance: { count: 0 }, gate: "auto", approvers: { teams: [] }, authorMayApprove: false },
        { ...DEFAULT_STAGE, name: "prod" },
      ],
      autoRollback: false,
    });
  });

  it("reads the issue's example, every setting", () => {
    expect(rolloutOf(
      "rollout:",
      "  stages:",
      "    - name: test",
      "      batch: 50%",
      "      soak: 10m",
      "      failureTolerance: 0",
      "      verify: { command: ./smoke.sh }",
      "    - name: prod",
      "      gate: comment",
      "      approvers: [acme/platform-team]",
      "      authorMayApprove: false",
      "      batch: 2",
      "      soak: 30m",
      "  autoRollback: true",
    )).toEqual({
      stages: [
        { ...DEFAULT_STAGE, name: "test", batch: { percent: 50 }, soakMs: 600_000, verify: { command: "./smoke.sh", timeoutMs: 600_000 } },
        { ...DEFAULT_STAGE, name: "prod", gate: "comment", approvers: { teams: ["acme/platform-team"] }, batch: { count: 2 }, soakMs: 1_800_000 },
      ],
      autoRollback: true,
    });
  });

  it("reads durations, percents, probes, permissions and teams as written", () => {
    const rollout = rolloutOf(
      "rollout:",
      "  stages:",
      "    - name: staging",
      "      soak: 1h30m",
      "      failureTolerance: 10%",
      "      verify: { http: 'https://staging.example.com/health' }",
      "    - name: canary",
      "      soak: 90",
      "      failureTolerance: 1",
      "      verify: { http: 'http://canary.internal:8080/ready', expect: 204, timeout: 5s }",
      "    - name: prod",
      "      gate: comment",
      "      approvers: [Acme/SRE, maintain]",
      "      authorMayApprove: true",
      "      verify: { command: ./check.sh, timeout: 1h }",
    );
    expect(rollout?.stages.map(({ name, soakMs, failureTolerance, verify }) => ({ name, soakMs, failureTolerance, verify }))).toEqual([
      { name: "staging", soakMs: 5_400_000, failureTolerance: { percent: 10 }, verify: { http: "https://staging.example.com/health", expect: 200, timeoutMs: 30_000 } },
      { name: "canary", soakMs: 90_000, failureTolerance: { count: 1 }, verify: { http: "http://canary.internal:8080/ready", expect: 204, timeoutMs: 5_000 } },
      { name: "prod", soakMs: 0, failureTolerance: { count: 0 }, verify: { command: "./check.sh", timeoutMs: 3_600_000 } },
    ]);
    // GitHub's team slugs are lower-case; a team, a permission, or both.
    expect(rollout?.stages[2]).toMatchObject({ approvers: { teams: ["acme/sre"], permission: "maintain" }, authorMayApprove: true });
  });

  // Each case: the stage's lines (under `rollout:\n  stages:\n    - name: test`, so the stage's
  // settings start at line 4), and the one diagnostic expected: line, severity, message.
  const MISTAKES: [string, string[], [number, string, RegExp]][] = [
    ["a duration in words", ["      soak: 10 minutes"], [4, "error", /^rollout\.stages\.0\.soak: "10 minutes" is not a duration: write it like 90s, 10m, 1h30m or a number of seconds$/]],
    ["a negative soak", ["      soak: -5"], [4, "error", /^rollout\.stages\.0\.soak must be >= 0$/]],
    ["a batch of 0%", ["      batch: 0%"], [4, "error", /^rollout\.stages\.0\.batch: "0%" is not a batch size: a count \(1 or more\) or a percent from 1% to 100%$/]],
    ["a batch over 100%", ["      batch: 150%"], [4, "error", /"150%" is not a batch size/]],
    ["a batch of none", ["      batch: 0"], [4, "error", /^rollout\.stages\.0\.batch must be >= 1$/]],
    ["a percent without its sign", ["      failureTolerance: '5'"], [4, "error", /^rollout\.stages\.0\.failureTolerance: "5" is not a failure tolerance: a count \(0 or more\) or a percent from 0% to 100%$/]],
    ["a tolerance over 100%", ["      failureTolerance: 101%"], [4, "error", /"101%" is not a failure tolerance/]],
    ["two permission words", ["      gate: comment", "      approvers: [write, acme/sre, admin]"], [5, "error", /^rollout\.stages\.0\.approvers\.2: "admin" is a second permission after "write": give at most one/]],
    ["an approver that is neither", ["      gate: comment", "      approvers: [platform-team]"], [5, "error", /approvers\.0: "platform-team" is not an approver: a team as org\/team, or one of the permissions read, triage, write, maintain, admin/]],
    ["a verify timeout over a day", ["      verify: { command: ./smoke.sh, timeout: 25h }"], [4, "error", /^rollout\.stages\.0\.verify\.timeout "25h" must be between 1s and 24h$/]],
    ["a verify with both kinds", ["      verify: { command: ./smoke.sh, http: 'https://x.example.com' }"], [4, "error", /^rollout\.stages\.0\.verify needs either command \(a command to run\) or http \(a URL to probe\), not both$/]],
    ["a verify with neither", ["      verify: { timeout: 1m }"], [4, "error", /verify needs either command/]],
    ["a probe that is no URL", ["      verify: { http: example.com/health }"], [4, "error", /verify\.http: "example\.com\/health" is not a URL: write it as https:\/\/host\/path/]],
    ["an unknown setting", ["      approver: acme/sre"], [4, "error", /^unknown setting "approver" in rollout\.stages\.0$/]],
    ["an unknown gate", ["      gate: manual"], [4, "error", /^rollout\.stages\.0\.gate must be one of auto, comment$/]],
    ["a stage named like a command", ["    - name: pause"], [4, "error", /^rollout\.stages\.1\.name: "pause" is a word of `\/rollout pause`, not a stage name \(status, pause, resume, abort are reserved\)/]],
    ["a stage name in capitals", ["    - name: Prod"], [4, "error", /^rollout\.stages\.1\.name: "Prod" is not a stage name: lower-case letters, digits/]],
    ["a stage listed twice", ["      batch: 2", "    - name: prod", "    - name: test"], [6, "error", /^rollout\.stages\.2: stage "test" is listed twice$/]],
    ["approvers on an auto stage", ["      approvers: [acme/sre]"], [4, "warning", /^rollout\.stages\.0\.approvers does nothing: stage "test" has gate auto \(add `gate: comment`/]],
    ["authorMayApprove on an auto stage", ["      authorMayApprove: true"], [4, "warning", /^rollout\.stages\.0\.authorMayApprove does nothing: stage "test" has gate auto/]],
  ];

  it.each(MISTAKES)("reports %s at its line", (_, lines, [line, severity, message]) => {
    const result = read("rollout:", "  stages:", "    - name: test", ...lines);
    expect(result.diagnostics.map((d) => d.file)).toEqual([CONFIG_PATH]);
    expect(shown(result.diagnostics)).toEqual([[line, severity, expect.stringMatching(message)]]);
    // A warning leaves the config usable; an error leaves no config at all.
    expect(result.ok).toBe(severity === "warning");
  });

  it("applies a stage's own settings even when it warns", () => {
    const result = read("rollout:", "  stages:", "    - name: test", "      approvers: [acme/sre]");
    expect(result.ok && result.config.rollout?.stages[0]).toMatchObject({ gate: "auto", approvers: { teams: ["acme/sre"] } });
  });

  it("needs its stages", () => {
    expect(shown(read("rollout:", "  autoRollback: true").diagnostics)).toEqual([[1, "error", "rollout must have required property 'stages'"]]);
    expect(shown(read("rollout:", "  stages: []").diagnostics)).toEqual([[2, "error", "rollout.stages must NOT have fewer than 1 items"]]);
  });
});

describe("the deprecated top-level stages:", () => {
  it("still works, as rollout.stages with gate none as auto, with a warning at its line", () => {
    const result = read("templates: templates", "stages:", "  - name: test", "  - name: prod", "    gate: comment", "  - name: qa", "    gate: none");
    expect(shown(result.diagnostics)).toEqual([[2, "warning", expect.stringMatching(/^top-level `stages:` is deprecated: move it under `rollout:`/)]]);
    expect(result.diagnostics[0]!.code).toBe("config-deprecated");
    expect(result.ok && result.config.rollout).toEqual({
      stages: [{ ...DEFAULT_STAGE, name: "test" }, { ...DEFAULT_STAGE, name: "prod", gate: "comment" }, { ...DEFAULT_STAGE, name: "qa" }],
      autoRollback: false,
    });
  });

  it("reports its own mistakes at their line, beside the warning", () => {
    const result = read("stages:", "  - name: prod", "  - name: prod");
    expect(result.ok).toBe(false);
    expect(shown(result.diagnostics)).toEqual([
      [1, "warning", expect.stringMatching(/deprecated/)],
      [3, "error", 'stages.1: stage "prod" is listed twice'],
    ]);
  });

  it("may not stand beside rollout:", () => {
    const result = read("rollout:", "  stages:", "    - name: test", "stages:", "  - name: test");
    expect(result.ok).toBe(false);
    expect(shown(result.diagnostics)).toEqual([[4, "error", "`stages:` and `rollout:` are both given: `rollout.stages` replaces the top-level `stages:`; remove it"]]);
  });

  it("is pointed out on the pull request that writes it, as are settings that do nothing", () => {
    const snapshot = (text?: string) => ({ files: new Map(text === undefined ? [] : [[CONFIG_PATH, new TextEncoder().encode(text)]]) });
    const legacy = configEditProblems(snapshot(), snapshot("_extends: .github\nstages:\n  - name: test\n"));
    expect(legacy.map((d) => [d.line, d.severity, d.code])).toEqual([[2, "warning", "config-deprecated"]]);
  });
});

describe("without rollout: (defaultRolloutPolicy)", () => {
  it("orders the inventory's stage labels test, staging, prod, then the rest alphabetically, each once", () => {
    const policy = defaultRolloutPolicy(["zeta", "prod", "alpha", "test", "staging", "prod", "qa"]);
    expect(policy.stages.map((s) => s.name)).toEqual(["test", "staging", "prod", "alpha", "qa", "zeta"]);
    expect(policy.autoRollback).toBe(false);
  });

  it("gates prod by a comment and nothing else", () => {
    const policy = defaultRolloutPolicy(["dev", "prod", "test"]);
    expect(policy.stages.map((s) => [s.name, s.gate])).toEqual([["test", "auto"], ["prod", "comment"], ["dev", "auto"]]);
    expect(policy.stages[1]).toEqual({ ...DEFAULT_STAGE, name: "prod", gate: "comment" });
  });

  it("has no stages for an empty inventory", () => {
    expect(defaultRolloutPolicy([])).toEqual({ stages: [], autoRollback: false });
  });
});

describe("batch sizes and failure tolerances", () => {
  it("rounds a batch share up and moves at least one, at most the whole stage", () => {
    expect(batchSize({ percent: 50 }, 5)).toBe(3);
    expect(batchSize({ percent: 1 }, 10)).toBe(1);
    expect(batchSize({ percent: 100 }, 7)).toBe(7);
    expect(batchSize({ count: 2 }, 5)).toBe(2);
    expect(batchSize({ count: 10 }, 3)).toBe(3);
  });

  it("rounds a tolerated share down: 10% of 5 is none", () => {
    expect(toleratedFailures({ percent: 10 }, 5)).toBe(0);
    expect(toleratedFailures({ percent: 10 }, 25)).toBe(2);
    expect(toleratedFailures({ percent: 100 }, 4)).toBe(4);
    expect(toleratedFailures({ count: 1 }, 100)).toBe(1);
  });
});
