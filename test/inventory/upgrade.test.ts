// Spec files upgraded to a new major, as text: the reference bumped, new required
// inputs filled from defaults or left as TODOs, and every other byte kept.
import { describe, expect, it } from "vitest";
import type { Bundle } from "../../src/bundle/model.js";
import { parseRepository } from "../../src/bundle/parse/repository.js";
import { catalogOf, type CatalogEntry } from "../../src/inventory/catalog.js";
import { checkInventory } from "../../src/inventory/check-inventory.js";
import { upgradeSpecFiles, type UpgradeTarget } from "../../src/inventory/upgrade.js";
import { CATALOG_FILES } from "../support/inventory.js";
import { ENV_SCHEMA, snapshot } from "../support/snapshot.js";

/** net v2 needs two inputs v1 did not: `zone` (no default) and `replicas` (default 2.0). */
const NET2_SCHEMA = ENV_SCHEMA.replace("      required: [count]", [
  "        zone:",
  "          type: string",
  "        replicas:",
  "          type: number",
  "          default: 2.0",
  "      required: [count, zone, replicas]",
].join("\n"));

/** api v2: instances need `region` (no default) and `memory` (default 512); the pipeline needs `repo`. */
const API2_SCHEMA = CATALOG_FILES["api/v1/schema/schema.yaml"]!
  .replace("      required: [image]", "        region:\n          type: string\n        memory:\n          type: number\n          default: 512\n      required: [image, region, memory]")
  .replace("          default: main\n", "          default: main\n        repo:\n          type: string\n      required: [repo]\n");

const FILES = {
  ...CATALOG_FILES,
  "net/v2/schema/schema.yaml": NET2_SCHEMA,
  ...Object.fromEntries(Object.entries(CATALOG_FILES).filter(([p]) => p.startsWith("api/v1/")).map(([p, t]) => [p.replace("api/v1/", "api/v2/"), t])),
  "api/v2/schema/schema.yaml": API2_SCHEMA,
};
const repo = parseRepository(snapshot(FILES));
const bundle = (template: string, major: number): Bundle => repo.templates.find((t) => t.name === template)!.bundles.find((b) => b.major === major)!;
const target = (template: string, major: number): UpgradeTarget => ({ template, kind: bundle(template, major).kind, major, minor: 0, schema: bundle(template, major).schema });
const NET2 = target("net", 2);
const upgrade = (files: Record<string, string>, to = NET2) => upgradeSpecFiles(Object.entries(files).map(([file, text]) => ({ file, text })), to);
const TODO = "# baryon: required by net 2.0; set it before merging";

describe("upgradeSpecFiles", () => {
  it("bumps the template, drops a pin, writes a default and a TODO, and keeps every other byte", () => {
    const text = [
      "# Payments, production.",
      "proton: EnvironmentSpec",
      "template: 'net@1.1'   # pinned while we test",
      "",
      "stage: prod",
      "spec:",
      "  # the VPC",
      "  vpc_cidr:   10.2.0.0/16",
      "  count: 0x2 # hex, as written",
      "provisioner: local",
      "",
    ].join("\n");
    const { files, skipped } = upgrade({ "inventory/prod.yaml": text });
    expect(skipped).toEqual([]);
    expect(files).toHaveLength(1);
    expect(files[0]!.from).toBe("net@1.1");
    expect(files[0]!.text).toBe([
      "# Payments, production.",
      "proton: EnvironmentSpec",
      "template: 'net@2'   # pinned while we test",
      "",
      "stage: prod",
      "spec:",
      "  # the VPC",
      "  vpc_cidr:   10.2.0.0/16",
      "  count: 0x2 # hex, as written",
      `  zone: TODO  ${TODO}`,
      "  replicas: 2.0",
      "provisioner: local",
      "",
    ].join("\n"));
    expect(files[0]!.inputs).toEqual([
      { of: "environment", input: "zone", line: 10, todo: true },
      { of: "environment", input: "replicas", line: 11, todo: false, value: 2 },
    ]);
  });

  it("changes only the reference when the spec already gives every required input", () => {
    const text = "proton: EnvironmentSpec\ntemplate: net@1\nstage: test\nspec:\n  count: 2\n  zone: eu\n  replicas: 3\n";
    const { files } = upgrade({ "inventory/dev.yaml": text });
    expect(files.map((f) => f.text)).toEqual([text.replace("net@1", "net@2")]);
    expect(files[0]!.inputs).toEqual([]);
  });

  it("leaves out files on the new major, of another template, and says why it cannot edit a broken one", () => {
    const env = "proton: EnvironmentSpec\ntemplate: net@1\nstage: test\nspec:\n  count: 2\n";
    const { files, skipped } = upgrade({
      "a.yaml": env.replace("net@1", "net@2"),
      "b.yaml": "proton: ServiceSpec\ntemplate: worker@1\ninstances: []\n",
      "c.yaml": env.replace("stage: test", "stage: [test]"),
    });
    expect(files).toEqual([]);
    expect(skipped).toEqual([{ file: "c.yaml", reason: expect.stringMatching(/^it has an error on line 3: `stage` must be/) }]);
  });

  it("adds a `spec:` to an environment that has none, in the file's own indentation, with every required input it lacks", () => {
    const none = "proton: EnvironmentSpec\ntemplate: net@1\nstage: test\nnested:\n    deep: 1";
    const [file] = upgrade({ "none.yaml": none }).files;
    expect(file!.text).toBe(`proton: EnvironmentSpec\ntemplate: net@2\nstage: test\nnested:\n    deep: 1\nspec:\n    count: TODO  ${TODO}\n    zone: TODO  ${TODO}\n    replicas: 2.0\n`);
  });

  it("writes into a flow mapping with the TODO said on a comment line above it, and keeps CRLF line ends", () => {
    const text = "proton: EnvironmentSpec\r\ntemplate: net@1\r\nstage: test\r\nspec: { count: 2 }\r\n";
    const [file] = upgrade({ "dev.yaml": text }).files;
    expect(file!.text).toBe("proton: EnvironmentSpec\r\ntemplate: net@2\r\nstage: test\r\n# baryon: zone is required by net 2.0; set it before merging\r\nspec: { count: 2, zone: TODO, replicas: 2.0 }\r\n");
  });

  it("writes a `spec:` into an instance written as a flow mapping", () => {
    const text = "proton: ServiceSpec\ntemplate: api@1\npipeline: {repo: shop}\ninstances:\n  - { name: api-dev, environment: dev }\n";
    const [file] = upgrade({ "shop.yaml": text }, target("api", 2)).files;
    expect(file!.text).toBe([
      "proton: ServiceSpec",
      "template: api@2",
      "pipeline: {repo: shop}",
      "instances:",
      "  # baryon: image is required by api 2.0; set it before merging",
      "  # baryon: region is required by api 2.0; set it before merging",
      "  - { name: api-dev, environment: dev, spec: {image: TODO, region: TODO, memory: 512} }",
      "",
    ].join("\n"));
  });

  it("leaves a layout it cannot edit safely to a person, and says so", () => {
    const text = "proton: EnvironmentSpec\ntemplate: net@1\nstage: test\nbase: &base {count: 2}\nspec: *base\n";
    expect(upgrade({ "dev.yaml": text })).toEqual({
      files: [], skipped: [{ file: "dev.yaml", reason: "its layout is one Baryon cannot edit without risk: change `template:` and add the inputs by hand" }],
    });
  });

  it("gives each instance its new inputs and adds the pipeline's, under the instances already there", () => {
    const text = [
      "proton: ServiceSpec",
      "template: api@1",
      "instances:",
      "- name: api-dev",
      "  environment: dev",
      "  spec:",
      "    image: nginx",
      "    region: eu-west-1",
      "- name: api-prod",
      "  environment: prod",
      "",
    ].join("\n");
    const [file] = upgrade({ "shop.yaml": text }, target("api", 2)).files;
    const todo = "# baryon: required by api 2.0; set it before merging";
    expect(file!.text).toBe([
      "proton: ServiceSpec",
      "template: api@2",
      "instances:",
      "- name: api-dev",
      "  environment: dev",
      "  spec:",
      "    image: nginx",
      "    region: eu-west-1",
      "    memory: 512",
      "- name: api-prod",
      "  environment: prod",
      "  spec:",
      `    image: TODO  ${todo}`,
      `    region: TODO  ${todo}`,
      "    memory: 512",
      "pipeline:",
      `  repo: TODO  ${todo}`,
      "",
    ].join("\n"));
    expect(file!.inputs.map((i) => `${i.of} ${i.input} ${i.todo ? "TODO" : String(i.value)} @${i.line}`)).toEqual([
      'instance "api-dev" memory 512 @9',
      'instance "api-prod" image TODO @13',
      'instance "api-prod" region TODO @14',
      'instance "api-prod" memory 512 @15',
      "pipeline repo TODO @17",
    ]);
  });
});

describe("a TODO left by the upgrade", () => {
  const entry = (template: string, major: number): CatalogEntry => ({ template, major, minor: 0, status: "published", bundle: bundle(template, major) });
  const catalog = catalogOf([entry("net", 1), entry("net", 2), entry("api", 1), entry("api", 2)]);
  const settings = { provisioners: ["local"] };

  it("fails the inventory check at its line until it is set, and then passes", () => {
    const text = "proton: EnvironmentSpec\ntemplate: net@1\nstage: test\nspec:\n  count: 2\n";
    const [file] = upgrade({ "inventory/dev.yaml": text }).files;
    const checked = checkInventory([{ file: "inventory/dev.yaml", text: file!.text }], catalog, settings);
    expect(checked.diagnostics.filter((d) => d.severity === "error").map((d) => [d.file, d.line, d.message])).toEqual([
      ["inventory/dev.yaml", 6, "input zone is a TODO left by Baryon's upgrade pull request: set it"],
    ]);
    expect(checked.inventory.resources).toEqual([]);

    const filled = checkInventory([{ file: "inventory/dev.yaml", text: file!.text.replace(/zone: TODO.*/, "zone: eu-west-1") }], catalog, settings);
    expect(filled.diagnostics).toEqual([]);
    expect(filled.inventory.resources).toMatchObject([{ key: "dev", version: { major: 2, minor: 0 }, inputs: { count: 2, zone: "eu-west-1", replicas: 2 } }]);
  });

  it("names the instance or the pipeline whose input it is", () => {
    const env = "proton: EnvironmentSpec\ntemplate: net@1\nstage: test\nspec:\n  count: 2\n";
    const svc = "proton: ServiceSpec\ntemplate: api@1\ninstances:\n  - name: api-dev\n    environment: dev\n    spec:\n      image: nginx\n";
    const [file] = upgrade({ "shop.yaml": svc }, target("api", 2)).files;
    const { diagnostics } = checkInventory([{ file: "dev.yaml", text: env }, { file: "shop.yaml", text: file!.text }], catalog, settings);
    expect(diagnostics.filter((d) => d.code === "inventory-todo").map((d) => [d.line, d.message])).toEqual([
      [8, `input region of instance "api-dev" is a TODO left by Baryon's upgrade pull request: set it`],
      [11, "pipeline input repo is a TODO left by Baryon's upgrade pull request: set it"],
    ]);
  });
});
