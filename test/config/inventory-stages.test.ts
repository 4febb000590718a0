// Which `stage:` labels an inventory may use, as the config decides: the stages of
// `rollout:` when it has one, otherwise any well-formed label (the rollout then
// derives its stages from the labels it finds).
import { describe, expect, it } from "vitest";
import { configFromText } from "../../src/config/read-config.js";
import { checkInventory } from "../../src/inventory/check-inventory.js";
import { testCatalog } from "../support/inventory.js";

const catalog = testCatalog();
const env = (stage: string) => `proton: EnvironmentSpec\ntemplate: net@1\nstage: ${stage}\nspec:\n  count: 2\n`;

/** The inventory checked with the settings reconcile gives it from this config text. */
function check(configText: string, stages: Record<string, string>) {
  const result = configFromText(configText);
  if (!result.ok) throw new Error(`the test's config is invalid: ${result.diagnostics[0]!.message}`);
  const settings = { provisioners: ["local"], stages: result.config.rollout?.stages.map((s) => s.name) };
  const files = Object.entries(stages).map(([name, stage]) => ({ file: `inventory/${name}.yaml`, text: env(stage) }));
  return checkInventory(files, catalog, settings);
}
const shown = (checked: ReturnType<typeof check>) => checked.diagnostics.map((d) => [d.file, d.line, d.message]);

describe("stage labels of the inventory", () => {
  const ROLLOUT = "rollout:\n  stages:\n    - name: test\n    - name: prod\n      gate: comment\n";

  it("with rollout:, are its stages and nothing else", () => {
    expect(shown(check(ROLLOUT, { dev: "test", live: "prod" }))).toEqual([]);
    expect(shown(check(ROLLOUT, { qa: "qa", live: "prd" }))).toEqual([
      ["inventory/qa.yaml", 3, 'stage "qa" is not a rollout stage; stages: test, prod'],
      ["inventory/live.yaml", 3, 'stage "prd" is not a rollout stage (did you mean "prod"?); stages: test, prod'],
    ]);
  });

  it("without rollout:, are whatever labels the environments use", () => {
    const checked = check("publish: published\n", { a: "canary-eu", b: "qa", c: "prod" });
    expect(shown(checked)).toEqual([]);
    expect(checked.inventory.resources.map((r) => ("stage" in r ? r.stage : undefined))).toEqual(["canary-eu", "qa", "prod"]);
  });

  it("without rollout:, still refuse a label no stage can have, at its line", () => {
    expect(shown(check("publish: published\n", { a: "Prod", b: "pause" }))).toEqual([
      ["inventory/a.yaml", 3, 'stage "Prod" is not a valid stage label (lower-case letters, digits, "-" or "_", starting with a letter or digit)'],
      ["inventory/b.yaml", 3, 'stage "pause" is a word of `/rollout pause`, not a stage label (status, pause, resume, abort are reserved)'],
    ]);
  });

  it("are needed on every environment, naming the stages there are", () => {
    const noStage = [{ file: "inventory/dev.yaml", text: env("test").replace("stage: test\n", "") }];
    const message = (stages?: string[]) => checkInventory(noStage, catalog, { provisioners: ["local"], stages }).diagnostics.map((d) => d.message);
    expect(message(["test", "prod"])).toEqual(["an environment needs `stage:`, the rollout stage it belongs to (test, prod)"]);
    expect(message(undefined)).toEqual(["an environment needs `stage:`, the rollout stage it belongs to (test, staging, prod, …)"]);
  });
});
