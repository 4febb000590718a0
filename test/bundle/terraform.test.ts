import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  componentContext,
  environmentContext,
  pipelineContext,
  serviceInstanceContext,
  type ContextByKind,
  type ContextKind,
} from "../../src/bundle/render/context.js";
import { TFVARS_FILE, terraformVariableFiles, variablesFileName } from "../../src/bundle/render/terraform-vars.js";

const dev = { name: "dev", accountId: "123456789012", outputs: { VpcId: "vpc-1", ClusterName: "dev-cluster" } };
const service = { name: "api", branchName: "main", repositoryId: "org/api", repositoryConnectionArn: "arn:aws:codestar-connections:c" };

const contexts: { [K in ContextKind]: ContextByKind[K] } = {
  environment: environmentContext({ name: "dev", inputs: { vpc_cidr: "10.0.0.0/16", port: 80, flags: [true], nested: { b: 1, a: 2 } } }),
  service_instance: serviceInstanceContext({
    service,
    name: "api-dev",
    inputs: { port: 80, image: "nginx", subnets: ["a", "b"], debug: false },
    environment: dev,
    component: { name: "bucket", outputs: { PolicyArn: "arn:aws:iam::123456789012:policy/p" } },
  }),
  pipeline: pipelineContext({
    service,
    inputs: { dockerfile: "Dockerfile", count: 2 },
    instances: [
      { name: "api-dev", inputs: { port: 80, image: "nginx" }, outputs: { Url: "https://dev" }, environment: dev },
      { name: "api-prod", inputs: { port: 443 }, environment: { name: "prod" } },
    ],
  }),
  component: componentContext({ name: "bucket", environment: dev, attachedTo: { service: "api", instance: "api-dev", inputs: { port: 80 } } }),
};

const kinds = Object.keys(contexts) as ContextKind[];
const filesFor = (kind: ContextKind, tags?: Record<string, string>) =>
  terraformVariableFiles(kind, contexts[kind] as never, tags);
const tfvarsOf = (files: Record<string, string>) => JSON.parse(files[TFVARS_FILE]!) as Record<string, unknown>;

describe("terraformVariableFiles", () => {
  it("writes proton.<kind>.variables.tf and proton.auto.tfvars.json, each ending in a newline", () => {
    for (const kind of kinds) {
      const files = filesFor(kind);
      expect(Object.keys(files)).toEqual([`proton.${kind}.variables.tf`, "proton.auto.tfvars.json"]);
      expect(variablesFileName(kind)).toBe(`proton.${kind}.variables.tf`);
      for (const text of Object.values(files)) expect(text.endsWith("}\n")).toBe(true);
    }
  });

  it("writes an environment's files exactly", () => {
    const files = terraformVariableFiles("environment", environmentContext({ name: "dev", inputs: { b: "2", a: 1 } }), {
      "proton:environment": "dev",
    });
    expect(files["proton.environment.variables.tf"]).toContain(
      'variable "environment" {\n  type = object({\n    inputs = any\n    name   = string\n  })\n  default = null\n}\n\n' +
        'variable "proton_tags" {\n  type    = map(string)\n  default = null\n}\n',
    );
    expect(files[TFVARS_FILE]).toBe(
      '{\n  "environment": {\n    "name": "dev",\n    "inputs": {\n      "a": 1,\n      "b": "2"\n    }\n  },\n' +
        '  "proton_tags": {\n    "proton:environment": "dev"\n  }\n}\n',
    );
  });

  it("gives the same bytes for the same values in any key order", () => {
    const one = environmentContext({ name: "dev", inputs: { a: 1, b: { y: 1, x: [{ q: 1, p: 2 }] } } });
    const two = environmentContext({ name: "dev", inputs: { b: { x: [{ p: 2, q: 1 }], y: 1 }, a: 1 } });
    expect(terraformVariableFiles("environment", one, { b: "1", a: "2" })).toEqual(
      terraformVariableFiles("environment", two, { a: "2", b: "1" }),
    );
  });

  it("keeps input values' types in the values file", () => {
    expect(tfvarsOf(filesFor("service_instance")).service_instance).toMatchObject({
      inputs: { debug: false, image: "nginx", port: 80, subnets: ["a", "b"] },
    });
  });

  it("writes components as {} without a component, and as default{name, outputs} with one", () => {
    const without = serviceInstanceContext({ service: { name: "api" }, name: "i", inputs: {}, environment: dev });
    const values = tfvarsOf(terraformVariableFiles("service_instance", without));
    expect(values.service_instance).toEqual({ name: "i", inputs: {}, components: {} });
    expect(values.service).toEqual({ name: "api", repository_connection_arn: "", repository_id: "", branch_name: "" });
    expect(tfvarsOf(filesFor("service_instance")).service_instance).toMatchObject({
      components: { default: { name: "bucket", outputs: { PolicyArn: "arn:aws:iam::123456789012:policy/p" } } },
    });
  });

  it("writes null for an unknown account rather than inventing one", () => {
    const instances = tfvarsOf(filesFor("pipeline")).service_instances as { environment: unknown }[];
    expect(instances[1]!.environment).toEqual({ account_id: null, name: "prod", outputs: {} });
  });

  it("leaves service and service_instance out for a component attached to its environment only", () => {
    const files = terraformVariableFiles("component", componentContext({ name: "shared", environment: dev }));
    expect(Object.keys(tfvarsOf(files))).toEqual(["component", "environment"]);
  });

  it("sets proton_tags only when tags are given, but always declares it", () => {
    for (const kind of kinds) {
      expect(filesFor(kind)[variablesFileName(kind)]).toContain('variable "proton_tags"');
      expect("proton_tags" in tfvarsOf(filesFor(kind))).toBe(false);
      expect(tfvarsOf(filesFor(kind, { "proton:account": "123456789012" })).proton_tags).toEqual({ "proton:account": "123456789012" });
    }
  });
});

// Without Terraform at hand, read the declarations with a small parser of the
// HCL subset they use and check the values against the declared types the way
// Terraform would: every value has a declaration, every required variable has
// a value, and object attributes match exactly.
describe("the variables file declares what the values file sets", () => {
  for (const kind of kinds) {
    it(`for kind ${kind}`, () => {
      const files = filesFor(kind, { "proton:account": "123456789012" });
      const declared = parseVariables(files[variablesFileName(kind)]!);
      const values = tfvarsOf(files);
      for (const name of Object.keys(values)) expect(declared.has(name), `value for undeclared ${name}`).toBe(true);
      for (const [name, variable] of declared) {
        if (!(name in values)) {
          expect(variable.nullable, `${name} has no value and no default`).toBe(true);
          continue;
        }
        expect(conformance(values[name], variable.type, name)).toEqual([]);
      }
    });
  }

  it("catches a value that does not match its declaration", () => {
    const declared = parseVariables('variable "x" {\n  type = object({\n    a = map(string)\n    b = list(string)\n  })\n}\n');
    expect(conformance({ a: { k: ["no"] }, c: 1 }, declared.get("x")!.type, "x")).toEqual([
      "x.a.k: expected string, got list",
      "x.b: missing attribute",
      "x.c: not declared",
    ]);
    expect(() => parseVariables('variable "x" {\n  type = map(string\n}\n')).toThrow();
  });
});

const terraform = spawnSync("terraform", ["version"], { encoding: "utf8" }).status === 0;

describe.skipIf(!terraform)("with the terraform binary", () => {
  for (const kind of kinds) {
    it(`formats, validates and plans kind ${kind}`, () => {
      const dir = mkdtempSync(join(tmpdir(), "baryon-tf-"));
      try {
        const files = filesFor(kind, { "proton:account": "123456789012" });
        for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
        // Reading every variable makes plan convert each value to its declared type.
        const names = [...parseVariables(files[variablesFileName(kind)]!).keys()];
        writeFileSync(join(dir, "outputs.tf"), names.map((n) => `output "${n}" {\n  value = var.${n}\n}\n`).join("\n"));
        const env = { ...process.env, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", TF_CLI_CONFIG_FILE: "/dev/null" };
        const run = (...args: string[]) => spawnSync("terraform", args, { cwd: dir, env, encoding: "utf8", timeout: 60_000 });
        for (const args of [["fmt", "-check", "-diff"], ["init", "-backend=false", "-input=false"], ["validate"], ["plan", "-input=false", "-lock=false"]]) {
          const result = run(...args);
          expect(result.status, `terraform ${args.join(" ")}\n${result.stdout}\n${result.stderr}`).toBe(0);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 120_000);
  }
});

type HclType = { kind: "string" | "number" | "bool" | "any" } | { kind: "map" | "list"; of: HclType } | { kind: "object"; attributes: Map<string, HclType> };

function parseVariables(text: string): Map<string, { type: HclType; nullable: boolean }> {
  const tokens = text.replace(/\/\*[\s\S]*?\*\//g, "").match(/"[^"]*"|[A-Za-z_][\w]*|[(){}=,]|\S/g) ?? [];
  let at = 0;
  const next = () => tokens[at++] ?? "<end>";
  const expect_ = (token: string) => {
    const got = next();
    if (got !== token) throw new Error(`expected ${token}, got ${got}`);
  };
  const parseType = (): HclType => {
    const word = next();
    if (word === "string" || word === "number" || word === "bool" || word === "any") return { kind: word };
    expect_("(");
    let type: HclType;
    if (word === "map" || word === "list") type = { kind: word, of: parseType() };
    else if (word === "object") {
      expect_("{");
      const attributes = new Map<string, HclType>();
      while (tokens[at] !== "}") {
        const name = next();
        expect_("=");
        attributes.set(name, parseType());
        if (tokens[at] === ",") at++;
      }
      expect_("}");
      type = { kind: "object", attributes };
    } else throw new Error(`unknown type ${word}`);
    expect_(")");
    return type;
  };
  const variables = new Map<string, { type: HclType; nullable: boolean }>();
  while (at < tokens.length) {
    expect_("variable");
    const name = JSON.parse(next()) as string;
    expect_("{");
    let type: HclType | undefined;
    let nullable = false;
    while (tokens[at] !== "}") {
      const attribute = next();
      expect_("=");
      if (attribute === "type") type = parseType();
      else if (attribute === "default") nullable = next() === "null";
      else throw new Error(`unexpected attribute ${attribute}`);
    }
    expect_("}");
    if (!type || variables.has(name)) throw new Error(`variable ${name}: no type, or declared twice`);
    variables.set(name, { type, nullable });
  }
  return variables;
}

function conformance(value: unknown, type: HclType, path: string): string[] {
  const shape = value === null ? "null" : Array.isArray(value) ? "list" : typeof value === "object" ? "object" : typeof value;
  switch (type.kind) {
    case "any":
      return [];
    case "string":
    case "number":
    case "bool":
      return ["string", "number", "boolean", "null"].includes(shape) ? [] : [`${path}: expected ${type.kind}, got ${shape}`];
    case "list":
      return Array.isArray(value) ? value.flatMap((item, i) => conformance(item, type.of, `${path}[${i}]`)) : [`${path}: expected list, got ${shape}`];
    case "map":
      return shape === "object"
        ? Object.entries(value as object).flatMap(([k, item]) => conformance(item, type.of, `${path}.${k}`))
        : [`${path}: expected map, got ${shape}`];
    case "object": {
      if (shape === "null") return [];
      if (shape !== "object") return [`${path}: expected object, got ${shape}`];
      const record = value as Record<string, unknown>;
      const names = [...new Set([...type.attributes.keys(), ...Object.keys(record)])].sort();
      return names.flatMap((name) => {
        const attribute = type.attributes.get(name);
        if (!attribute) return [`${path}.${name}: not declared`];
        if (!(name in record)) return [`${path}.${name}: missing attribute`];
        return conformance(record[name], attribute, `${path}.${name}`);
      });
    }
  }
}
