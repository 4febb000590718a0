// `baryon import`'s pure part: stacks as AWS Proton tagged them (and exported spec
// files) → inventory files that adopt them, read back by the inventory check.
import { describe, expect, it } from "vitest";
import { parseRepository } from "../../src/bundle/parse/repository.js";
import { checkInventory, type InventoryFile } from "../../src/inventory/check-inventory.js";
import { importTemplateOf, stageFromName } from "../../src/inventory/import-inputs.js";
import { importFromProton, type ImportRequest } from "../../src/inventory/import-proton.js";
import type { DeployedStack } from "../../src/ports/stack-source.js";
import { CATALOG_FILES, testCatalog } from "../support/inventory.js";
import { snapshot } from "../support/snapshot.js";

const ARN = "arn:aws:proton:us-east-1:123456789012";
const templates = parseRepository(snapshot(CATALOG_FILES)).templates.flatMap((t) => t.bundles.map(importTemplateOf));

function stack(name: string, tags: Record<string, string>, parameters: Record<string, string> = {}, status = "CREATE_COMPLETE"): DeployedStack {
  return { name, status, tags, parameters };
}
const environmentStack = (name: string, env: string, template: string, parameters: Record<string, string> = {}) =>
  stack(name, { "aws:proton:environment": `${ARN}:environment/${env}`, "aws:proton:template": `${ARN}:environment-template/${template}` }, parameters);
const instanceStack = (name: string, service: string, instance: string, env: string, template: string, parameters: Record<string, string> = {}) => stack(name, {
  "aws:proton:service": `${ARN}:service/${service}`, "aws:proton:service-instance": `${ARN}:service/${service}/service-instance/${instance}`,
  "aws:proton:environment": `${ARN}:environment/${env}`, "aws:proton:template": `${ARN}:service-template/${template}`,
}, parameters);
const pipelineStack = (name: string, service: string, template: string, parameters: Record<string, string> = {}) =>
  stack(name, { "aws:proton:service": `${ARN}:service/${service}`, "aws:proton:template": `${ARN}:service-template/${template}` }, parameters);

function run(overrides: Partial<ImportRequest>) {
  return importFromProton({
    stacks: [], specs: [], templates, existing: [], folder: "inventory", provisioner: "aws",
    stages: ["test", "prod"], givenStages: new Map(), where: "us-east-1", ...overrides,
  });
}
const check = (files: InventoryFile[]) => checkInventory(files, testCatalog(), { provisioners: ["aws"], stages: ["test", "prod"] });
const asInventory = (files: Array<{ path: string; text: string }>): InventoryFile[] => files.map((f) => ({ file: f.path, text: f.text }));

const SHOP_SPEC = [
  "proton: ServiceSpec",
  "pipeline:",
  "  branch: release",
  "instances:",
  "  - name: shop-prod",
  "    environment: prod",
  "    spec:",
  "      image: nginx:1.21",
  "      port: 8080.0",
  "",
].join("\n");

describe("importFromProton", () => {
  it("writes one file per environment and per service that adopts each stack by name, and the inventory check takes them", () => {
    const result = run({
      stacks: [
        environmentStack("AWSProton-prod-cloudformation-AAAA", "prod", "net:1.1", { Count: "3", VpcCidr: "10.1.0.0/16", Size: "large" }),
        instanceStack("AWSProton-shop-shop-prod-cloudformation-BBBB", "shop", "shop-prod", "prod", "api"),
        pipelineStack("AWSProton-shop-cloudformation-CCCC", "shop", "api"),
        stack("unrelated-network", { team: "core" }),
      ],
      specs: [{ file: "specs/shop.yaml", text: SHOP_SPEC }],
    });
    expect(result.files.map((f) => [f.path, f.summary])).toEqual([
      ["inventory/environments/prod.yaml", "environment prod: net@1, stage prod, stack AWSProton-prod-cloudformation-AAAA"],
      ["inventory/services/shop.yaml", "service shop: api@1, 1 instance, pipeline stack AWSProton-shop-cloudformation-CCCC"],
    ]);
    expect(result.files[0]!.text).toBe([
      "# Imported from AWS Proton by `baryon import`: environment prod, stack AWSProton-prod-cloudformation-AAAA in us-east-1.",
      "# Proton deployed net 1.1.",
      "# Inputs from the stacks' parameters; a TODO where none gave one.",
      "proton: EnvironmentSpec",
      "template: net@1",
      "stage: prod",
      "provisioner: aws",
      "stack: AWSProton-prod-cloudformation-AAAA",
      "spec:",
      "  vpc_cidr: 10.1.0.0/16",
      "  size: large",
      "  count: 3",
      "",
    ].join("\n"));
    // The exported spec's values are kept as written (8080.0 stays a float, as Proton rendered it).
    expect(result.files[1]!.text).toBe([
      "# Imported from AWS Proton by `baryon import`: service shop, stacks AWSProton-shop-shop-prod-cloudformation-BBBB, AWSProton-shop-cloudformation-CCCC in us-east-1.",
      "# Inputs from specs/shop.yaml.",
      "proton: ServiceSpec",
      "template: api@1",
      "provisioner: aws",
      "pipelineStack: AWSProton-shop-cloudformation-CCCC",
      "pipeline:",
      "  branch: release",
      "instances:",
      "  - name: shop-prod",
      "    environment: prod",
      "    stack: AWSProton-shop-shop-prod-cloudformation-BBBB",
      "    spec:",
      "      image: nginx:1.21",
      "      port: 8080.0",
      "",
    ].join("\n"));
    expect(result.todos).toEqual([]);
    expect(result.notes).toEqual(["service shop: the stack's template tag names no version; major 1 is assumed, the only one of api in the template repository"]);
    expect(result.ignored).toEqual([{ stack: "unrelated-network", reason: "no aws:proton: tags" }]);
    expect(result.counts).toEqual({ read: 4, proton: 3 });

    const { inventory, diagnostics } = check(asInventory(result.files));
    expect(diagnostics).toEqual([]);
    expect(inventory.resources.map((r) => [r.key, "stack" in r ? r.stack : undefined])).toEqual([
      ["prod", "AWSProton-prod-cloudformation-AAAA"],
      ["shop/shop-prod", "AWSProton-shop-shop-prod-cloudformation-BBBB"],
      ["shop/pipeline", "AWSProton-shop-cloudformation-CCCC"],
    ]);
  });

  it("leaves every value it could not find as a TODO that the inventory check refuses at its line", () => {
    const result = run({
      stacks: [
        environmentStack("AWSProton-qa-cloudformation-AAAA", "qa", "net:1"),
        instanceStack("AWSProton-shop-shop-qa-cloudformation-BBBB", "shop", "shop-qa", "qa", "api:1", { Port: "9090" }),
        pipelineStack("AWSProton-shop-cloudformation-CCCC", "shop", "api:1"),
      ],
    });
    const env = result.files[0]!.text;
    expect(env).toContain("stage: TODO # baryon import: set the rollout stage of qa (test, prod), or import again with --stage qa=<stage>\n");
    expect(env).toContain("  count: TODO(baryon import) # baryon import: no exported spec or stack parameter gives it: set the value deployed now, or delete the line to take the default\n");
    expect(result.files[1]!.text).toContain("      port: 9090\n      image: TODO(baryon import)");
    expect(result.todos.map((t) => `${t.file}:${t.line}`)).toEqual([
      "inventory/environments/qa.yaml:5", "inventory/environments/qa.yaml:9", "inventory/environments/qa.yaml:10", "inventory/environments/qa.yaml:11",
      "inventory/services/shop.yaml:15", "inventory/services/shop.yaml:8",
    ]);
    expect(result.todos[4]!.message).toBe("instance shop-qa: input image: no exported spec or stack parameter gives it: set the value deployed now, or delete the line to take the default");

    const { diagnostics } = check(asInventory(result.files));
    const refused = diagnostics.filter((d) => d.code === "inventory-todo").map((d) => [d.file, d.line, d.message]);
    expect(refused).toEqual([
      ["inventory/environments/qa.yaml", 9, "input vpc_cidr is a TODO left by `baryon import` (neither an exported spec nor the stack's parameters gave it): set it"],
      ["inventory/environments/qa.yaml", 10, "input size is a TODO left by `baryon import` (neither an exported spec nor the stack's parameters gave it): set it"],
      ["inventory/environments/qa.yaml", 11, "input count is a TODO left by `baryon import` (neither an exported spec nor the stack's parameters gave it): set it"],
      ["inventory/services/shop.yaml", 15, "input image of instance \"shop-qa\" is a TODO left by `baryon import` (neither an exported spec nor the stack's parameters gave it): set it"],
      ["inventory/services/shop.yaml", 8, "pipeline input branch is a TODO left by `baryon import` (neither an exported spec nor the stack's parameters gave it): set it"],
      ["inventory/environments/qa.yaml", 5, "`stage` is a TODO left by `baryon import`: set the rollout stage this environment belongs to (test, prod)"],
    ]);
  });

  it("asks for the major when the tag names no version and the repository has several", () => {
    const result = run({ stacks: [environmentStack("AWSProton-ops-cloudformation-AAAA", "ops", "net", { Count: "1" })], givenStages: new Map([["ops", "prod"]]) });
    expect(result.files[0]!.text).toContain("template: TODO # baryon import: the stack's template tag names no version and the repository has net v1, v2: set the major it was deployed from\nstage: prod\n");
    const { diagnostics } = check(asInventory(result.files));
    expect(diagnostics.map((d) => [d.line, d.message])).toEqual([
      [4, "`template` is a TODO left by `baryon import`: set it to <template>@<major>, the template and major its stacks were deployed from"],
    ]);
  });

  it("never writes over an inventory file, nor declares again what the inventory has", () => {
    const existing: InventoryFile[] = [
      { file: "inventory/environments/prod.yaml", text: "proton: EnvironmentSpec\ntemplate: net@1\nstage: prod\nspec:\n  count: 1\n" },
      { file: "inventory/shared/staging.yaml", text: "proton: EnvironmentSpec\nname: test\ntemplate: net@1\nstage: test\nspec:\n  count: 1\n" },
    ];
    const result = run({
      existing,
      stacks: [
        environmentStack("AWSProton-prod-cloudformation-AAAA", "prod", "net:1", { Count: "3" }),
        environmentStack("AWSProton-test-cloudformation-BBBB", "test", "net:1", { Count: "3" }),
        instanceStack("AWSProton-shop-shop-prod-cloudformation-CCCC", "shop", "shop-prod", "prod", "worker:1", { Image: "nginx" }),
      ],
    });
    expect(result.skipped).toEqual([
      { path: "inventory/environments/prod.yaml", reason: "exists already; it is never overwritten" },
      { path: "inventory/environments/test.yaml", reason: "environment test is declared already in inventory/shared/staging.yaml" },
    ]);
    // The service is new, and its instance's environment is the inventory's own.
    expect(result.files.map((f) => f.path)).toEqual(["inventory/services/shop.yaml"]);
    expect(result.notes).toEqual([]);
  });

  it("leaves alone the stacks that are not Proton's, or hold nothing to adopt", () => {
    const result = run({
      stacks: [
        stack("AWSProton-orphan-cloudformation-AAAA", {}),
        stack("network", { "aws:cloudformation:stack-name": "network" }),
        stack("AWSProton-odd-cloudformation-BBBB", { "aws:proton:environment": "arn:aws:s3:::bucket" }),
        { ...environmentStack("AWSProton-dev-cloudformation-CCCC", "dev", "net:1"), status: "ROLLBACK_COMPLETE" },
        // The copy Proton propagates as a customer tag names a stack just as well.
        stack("AWSProton-staging-cloudformation-DDDD", { "proton:environment": `${ARN}:environment/staging`, "proton:template": `${ARN}:environment-template/net:2` }),
        { ...environmentStack("AWSProton-prod-cloudformation-EEEE", "prod", "net:2"), status: "UPDATE_ROLLBACK_FAILED" },
        stack("AWSProton-comp-cloudformation-FFFF", { ...instanceStack("x", "shop", "shop-prod", "prod", "api:1").tags, "aws:proton:component": `${ARN}:component/c1` }),
        // Two stacks claim one instance: neither is guessed at.
        instanceStack("AWSProton-web-web-1-cloudformation-GGGG", "web", "web-1", "prod", "worker:1", { Image: "a" }),
        instanceStack("AWSProton-web-web-1-cloudformation-HHHH", "web", "web-1", "prod", "worker:1", { Image: "b" }),
      ],
    });
    expect(result.skipped).toEqual([{
      path: "inventory/services/web.yaml",
      reason: "service instance web/web-1 has 2 stacks (AWSProton-web-web-1-cloudformation-GGGG, AWSProton-web-web-1-cloudformation-HHHH): write it by hand with the `stack:` that runs it",
    }]);
    expect(result.ignored).toEqual([
      { stack: "AWSProton-comp-cloudformation-FFFF", reason: "the stack of a Proton component, which is not imported" },
      { stack: "AWSProton-dev-cloudformation-CCCC", reason: "its creation failed (ROLLBACK_COMPLETE): nothing to adopt; delete it" },
      { stack: "AWSProton-odd-cloudformation-BBBB", reason: "its aws:proton:environment tag is not an environment ARN: arn:aws:s3:::bucket" },
      { stack: "AWSProton-orphan-cloudformation-AAAA", reason: "named like a stack of AWS Proton, but has none of its aws:proton: tags" },
      { stack: "network", reason: "no aws:proton: tags" },
    ]);
    expect(result.files.map((f) => f.summary)).toEqual([
      "environment prod: net@2, stage prod, stack AWSProton-prod-cloudformation-EEEE",
      "environment staging: net@2, stage TODO, stack AWSProton-staging-cloudformation-DDDD",
    ]);
    expect(result.notes).toContain("stack AWSProton-prod-cloudformation-EEEE is UPDATE_ROLLBACK_FAILED: `baryon apply` refuses it until it is repaired (see docs/provisioners.md)");
  });

  it("reads parameters as the schema's types, and never guesses a hidden one", () => {
    const files = {
      "t/v1/schema/schema.yaml": "schema:\n  format:\n    openapi: \"3.0.0\"\n  environment_input_type: In\n  types:\n    In:\n      type: object\n      properties:\n" +
        "        replicas: {type: number}\n        public: {type: boolean}\n        zones: {type: array, items: {type: string}}\n        ports: {type: array, items: {type: number}}\n        password: {type: string}\n        note: {type: string}\n",
      "t/v1/infrastructure/manifest.yaml": "infrastructure:\n  templates:\n    - file: cloudformation.yaml\n      rendering_engine: jinja\n      template_language: cloudformation\n",
      "t/v1/infrastructure/cloudformation.yaml": "Resources: {}\n",
    };
    const own = parseRepository(snapshot(files)).templates.flatMap((t) => t.bundles.map(importTemplateOf));
    const result = run({
      templates: own,
      stacks: [environmentStack("AWSProton-test-x-cloudformation-AAAA", "test-x", "t:1", {
        Replicas: "3", PUBLIC: "True", Zones: "a,b", Ports: "80, 443", Password: "****", NoteText: "x", Note_: "y",
      })],
    });
    expect(result.files[0]!.text).toContain([
      "spec:",
      "  replicas: 3",
      "  public: true",
      "  zones:",
      "    - a",
      "    - b",
      "  ports:",
      "    - 80",
      "    - 443",
      "  password: TODO(baryon import) # baryon import: the stack's parameter Password is NoEcho, so CloudFormation hides its value",
      "  note: y",
      "",
    ].join("\n"));
  });

  it("takes an exported spec printed as JSON, and finds a service's spec by its instances", () => {
    const result = run({
      stacks: [instanceStack("AWSProton-shop-shop-prod-cloudformation-BBBB", "shop", "shop-prod", "prod", "worker:1")],
      specs: [
        { file: "specs/service-spec.json", text: JSON.stringify(SHOP_SPEC.replace(/pipeline:\n {2}branch: release\n/, "")) },
        { file: "specs/old.yaml", text: "proton: EnvironmentSpec\nspec:\n  count: 1\n" },
      ],
      existing: [{ file: "inventory/prod.yaml", text: "proton: EnvironmentSpec\ntemplate: net@1\nstage: prod\nspec:\n  count: 1\n" }],
    });
    expect(result.files[0]!.text).toContain("# Inputs from specs/service-spec.json.\n");
    expect(result.files[0]!.text).toContain("    spec:\n      image: nginx:1.21\n      port: 8080.0\n");
    expect(result.notes).toEqual(["specs/old.yaml: no stack here is environment old, so it was not used"]);
  });
});

describe("stageFromName", () => {
  it("takes the one stage a word of the name starts with", () => {
    expect(["payments-prod", "production-eu", "test", "team-staging", "preprod", "test-prod", "latest"].map((n) => stageFromName(n, undefined)))
      .toEqual(["prod", "prod", "test", "staging", undefined, undefined, undefined]);
    expect(stageFromName("eu-dev-2", ["dev", "prod"])).toBe("dev");
  });
});

describe("pipelineStack", () => {
  it("is a warning on a service whose template has no pipeline", () => {
    const { inventory, diagnostics } = check([
      { file: "inventory/net.yaml", text: "proton: EnvironmentSpec\ntemplate: net@1\nstage: test\nspec:\n  count: 1\n" },
      { file: "inventory/jobs.yaml", text: "proton: ServiceSpec\ntemplate: worker@1\npipelineStack: AWSProton-jobs-cloudformation-X\ninstances:\n  - name: jobs-1\n    environment: net\n    spec:\n      image: busybox\n" },
    ]);
    expect(diagnostics.map((d) => [d.file, d.line, d.severity, d.message])).toEqual([
      ["inventory/jobs.yaml", 3, "warning", "worker@1 has no pipeline, so `pipelineStack:` is ignored"],
    ]);
    expect(inventory.resources.map((r) => r.key)).toEqual(["net", "jobs/jobs-1"]);
  });
});
