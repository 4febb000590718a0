import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/bundle/diagnostics.js";
import { checkInventory, type InventoryFile } from "../../src/inventory/check-inventory.js";
import { testCatalog } from "../support/inventory.js";

const catalog = testCatalog();
const settings = { provisioners: ["local"], stages: ["test", "prod"] };
const check = (files: Record<string, string>, s = settings) =>
  checkInventory(Object.entries(files).map(([file, text]): InventoryFile => ({ file, text })), catalog, s);
const shown = (ds: Diagnostic[]) => ds.map((d) => [d.file, d.line, d.severity, d.message]);

const ENV = "proton: EnvironmentSpec\ntemplate: net@1\nstage: test\nspec:\n  count: 2\n";
const SVC = [
  "proton: ServiceSpec",
  "template: api@1",
  "pipeline:",
  "  branch: release",
  "instances:",
  "  - name: api-test",
  "    environment: dev",
  "    spec:",
  "      image: nginx",
  "",
].join("\n");

describe("checkInventory", () => {
  it("reads environments, instances and pipelines with their versions, stages and provisioners", () => {
    const { inventory, diagnostics } = check({ "inventory/dev.yaml": ENV, "inventory/shop.yaml": SVC });
    expect(diagnostics).toEqual([]);
    expect(inventory.resources.map((r) => ({
      key: r.key, kind: r.kind, version: `${r.version.major}.${r.version.minor}`, provisioner: r.provisioner,
      stage: "stage" in r ? r.stage : undefined, inputs: r.inputs, at: `${r.declared.file}:${r.declared.line}`,
    }))).toEqual([
      { key: "dev", kind: "environment", version: "1.1", provisioner: "local", stage: "test", inputs: { count: 2 }, at: "inventory/dev.yaml:1" },
      { key: "shop/api-test", kind: "service_instance", version: "1.0", provisioner: "local", stage: "test", inputs: { image: "nginx" }, at: "inventory/shop.yaml:6" },
      { key: "shop/pipeline", kind: "service_pipeline", version: "1.0", provisioner: "local", stage: undefined, inputs: { branch: "release" }, at: "inventory/shop.yaml:3" },
    ]);
  });

  it("pins a minor, names a resource with `name:`, and adopts a stack", () => {
    const env = "proton: EnvironmentSpec\nname: payments-prod\ntemplate: net@1.0\nstage: prod\nstack: proton-payments\nspec:\n  count: 1\n";
    const { inventory, diagnostics } = check({ "other-repo:envs/whatever.yml": env });
    expect(diagnostics).toEqual([]);
    expect(inventory.resources).toMatchObject([{ key: "payments-prod", version: { major: 1, minor: 0 }, stack: "proton-payments", template: { name: "net", major: 1, minor: 0 } }]);
  });

  it("leaves a service template without a pipeline part with instances only", () => {
    const worker = SVC.replace("api@1", "worker@1").replace("pipeline:\n  branch: release\n", "");
    const { inventory, diagnostics } = check({ "inventory/dev.yaml": ENV, "inventory/jobs.yaml": worker });
    expect(diagnostics).toEqual([]);
    expect(inventory.resources.map((r) => r.key)).toEqual(["dev", "jobs/api-test"]);
  });
});

// Each case: inventory files, and the one diagnostic expected (file, line, message).
const BAD: [string, Record<string, string>, [string, number, RegExp]][] = [
  ["no template", { "i/dev.yaml": ENV.replace("template: net@1\n", "") }, ["i/dev.yaml", 1, /needs|names its template.*template: <template>@<major>/]],
  ["template without a major", { "i/dev.yaml": ENV.replace("net@1", "net") }, ["i/dev.yaml", 2, /"<template>@<major>"/]],
  ["the old colon form", { "i/dev.yaml": ENV.replace("net@1", "net:1") }, ["i/dev.yaml", 2, /"<template>@<major>"/]],
  ["unknown template", { "i/dev.yaml": ENV.replace("net@1", "nett@1") }, ["i/dev.yaml", 2, /no template "nett" is published \(did you mean "net"\?\)/]],
  ["unknown major", { "i/dev.yaml": ENV.replace("net@1", "net@3") }, ["i/dev.yaml", 2, /has no major 3 \(published majors: 1, 2\)/]],
  ["unknown pinned minor", { "i/dev.yaml": ENV.replace("net@1", "net@1.7") }, ["i/dev.yaml", 2, /no version 1\.7 of net \(recommended: 1\.1\)/]],
  ["a service template in an EnvironmentSpec", { "i/dev.yaml": ENV.replace("net@1", "api@1") }, ["i/dev.yaml", 2, /api is a service template/]],
  ["an environment template in a ServiceSpec", { "i/dev.yaml": ENV, "i/shop.yaml": SVC.replace("api@1", "net@1") }, ["i/shop.yaml", 2, /net is a environment template|net is an? environment template/]],
  ["no stage", { "i/dev.yaml": ENV.replace("stage: test\n", "") }, ["i/dev.yaml", 1, /needs `stage:`.*test, prod/]],
  ["unknown stage", { "i/dev.yaml": ENV.replace("stage: test", "stage: tset") }, ["i/dev.yaml", 3, /stage "tset" is not a rollout stage \(did you mean "test"\?\)/]],
  ["stage not a word", { "i/dev.yaml": ENV.replace("stage: test", "stage: [test]") }, ["i/dev.yaml", 3, /`stage` must be a stage name/]],
  ["unknown provisioner", { "i/dev.yaml": ENV + "provisioner: lokal\n" }, ["i/dev.yaml", 6, /unknown provisioner "lokal" \(did you mean "local"\?\)/]],
  ["input of the wrong type", { "i/dev.yaml": ENV.replace("count: 2", "count: two") }, ["i/dev.yaml", 5, /count.*number/]],
  ["required input missing", { "i/dev.yaml": ENV.replace("spec:\n  count: 2\n", "spec: {}\n") }, ["i/dev.yaml", 4, /count/]],
  ["value outside an enum", { "i/dev.yaml": ENV + "  size: huge\n" }, ["i/dev.yaml", 6, /size.*(small|large)/]],
  ["input below its minimum", { "i/dev.yaml": ENV.replace("count: 2", "count: 0") }, ["i/dev.yaml", 5, /count.*>= 1|minimum/]],
  ["instance input missing", { "i/dev.yaml": ENV, "i/shop.yaml": SVC.replace("      image: nginx\n", "      port: 81\n") }, ["i/shop.yaml", 8, /image/]],
  ["unknown environment", { "i/dev.yaml": ENV, "i/shop.yaml": SVC.replace("environment: dev", "environment: dve") }, ["i/shop.yaml", 7, /environment "dve" is not in the inventory \(did you mean "dev"\?\)/]],
  ["incompatible environment", { "i/dev.yaml": ENV.replace("net@1", "net@2"), "i/shop.yaml": SVC }, ["i/shop.yaml", 7, /api@1 is not compatible with environment "dev" \(net@2\); its compatible environments: net@1/]],
  ["environment declared twice", { "i/dev.yaml": ENV, "j/dev.yml": ENV }, ["j/dev.yml", 1, /environment "dev" is declared twice/]],
  ["two files naming one environment", { "i/a.yaml": ENV + "name: dev\n", "i/b.yaml": ENV + "name: dev\n" }, ["i/b.yaml", 6, /environment "dev" is declared twice/]],
  ["service declared twice", { "i/dev.yaml": ENV, "i/shop.yaml": SVC, "j/shop.yaml": SVC }, ["j/shop.yaml", 1, /service "shop" is declared twice/]],
  ["instance named twice", { "i/dev.yaml": ENV, "i/shop.yaml": SVC + "  - name: api-test\n    environment: dev\n    spec:\n      image: x\n" }, ["i/shop.yaml", 10, /instance name "api-test" appears twice/]],
  ["a file name that is no name", { "i/dev env.yaml": ENV }, ["i/dev env.yaml", 1, /file name "dev env" is not a valid environment name/]],
  ["not a spec file", { "i/notes.yaml": "hello: world\n" }, ["i/notes.yaml", 1, /starts with `proton: EnvironmentSpec`/]],
  ["invalid YAML", { "i/dev.yaml": "proton: EnvironmentSpec\ntemplate: [net@1\n" }, ["i/dev.yaml", 3, /invalid YAML/]],
  ["a bad stack name", { "i/dev.yaml": ENV + "stack: 'my stack'\n" }, ["i/dev.yaml", 6, /`stack` must be/]],
  ["instance with a bad stack", { "i/dev.yaml": ENV, "i/shop.yaml": SVC + "    stack: 1\n" }, ["i/shop.yaml", 10, /`stack` must be/]],
];

describe("bad inventory: one clear diagnostic at file and line, and no resource from that file", () => {
  it.each(BAD)("%s", (_, files, [file, line, message]) => {
    const { inventory, diagnostics } = check(files);
    const errors = diagnostics.filter((d) => d.severity === "error");
    expect(shown(errors)).toEqual([[file, line, "error", expect.stringMatching(message)]]);
    const declaredIn = new Set(inventory.resources.map((r) => r.declared.file));
    expect(declaredIn.has(file)).toBe(false);
  });

  it("says so when no provisioner is configured, or several are and the file names none", () => {
    expect(shown(check({ "i/dev.yaml": ENV }, { ...settings, provisioners: [] }).diagnostics)).toEqual([
      ["i/dev.yaml", 1, "error", expect.stringMatching(/no provisioner is configured: add `provisioners:` to \.github\/baryon\.yml/)],
    ]);
    expect(shown(check({ "i/dev.yaml": ENV }, { ...settings, provisioners: ["aws", "local"] }).diagnostics)).toEqual([
      ["i/dev.yaml", 1, "error", expect.stringMatching(/name one with `provisioner:` \(aws, local\)/)],
    ]);
  });

  it("tells an instance whose environment has errors to look there", () => {
    const { diagnostics } = check({ "i/dev.yaml": ENV.replace("count: 2", "count: two"), "i/shop.yaml": SVC });
    expect(shown(diagnostics.filter((d) => d.file === "i/shop.yaml"))).toEqual([
      ["i/shop.yaml", 7, "error", expect.stringMatching(/environment "dev" has errors \(see its file\)/)],
    ]);
  });
});
