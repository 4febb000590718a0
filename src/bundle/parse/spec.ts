// Spec files: the input values of an environment (EnvironmentSpec) or of a
// service's instances and pipeline (ServiceSpec).
import { didYouMean } from "../check/suggest-name.js";
import { errorAt, warningAt, type Diagnostic } from "../diagnostics.js";
import type { ServiceInstanceSpec, Spec, SpecKind } from "../model.js";
import { isExampleSpec } from "./layout.js";
import { isRecord, lineIndex, parseYaml, type YamlPath } from "./yaml.js";

const NAME = /^[0-9A-Za-z][0-9A-Za-z_-]*$/;
/** Resource names the renderer uses for an environment spec and a pipeline. */
const RESERVED = new Set(["environment", "pipeline"]);
/** The keys each part of a spec reads; `name`, `template`, `stage`, `provisioner`, `stack` and `pipelineStack` are Baryon's inventory keys. */
const KEYS = {
  EnvironmentSpec: ["proton", "spec", "name", "template", "stage", "provisioner", "stack"],
  ServiceSpec: ["proton", "pipeline", "instances", "name", "template", "provisioner", "pipelineStack"],
  instance: ["name", "environment", "spec", "stack"],
};
/** `fargate-env@1` follows major 1; `fargate-env@1.3` pins minor 1.3. */
const TEMPLATE_REF = /^([0-9A-Za-z][0-9A-Za-z_-]*)@(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?$/;

export interface ParsedSpec {
  spec?: Spec;
  diagnostics: Diagnostic[];
}

export function parseSpec(file: string, text: string): ParsedSpec {
  const yaml = parseYaml(file, text);
  const diagnostics = [...yaml.diagnostics];
  if (yaml.value === undefined) return { diagnostics };
  const fail = (message: string, path: YamlPath) => diagnostics.push(errorAt(file, "spec-invalid", message, yaml.positionOf(path)));

  const root = yaml.value;
  if (!isRecord(root) || (root.proton !== "EnvironmentSpec" && root.proton !== "ServiceSpec")) {
    fail("a spec file starts with `proton: EnvironmentSpec` or `proton: ServiceSpec`", isRecord(root) ? ["proton"] : []);
    return { diagnostics };
  }
  const kind = root.proton as SpecKind;
  const lines = lineIndex(yaml);
  // A key nothing reads (an input written beside `spec:`, a misspelt key) would be
  // dropped without a word: a warning, as the spec still deploys with its other values.
  const unknownKeys = (node: Record<string, unknown>, keys: string[], at: YamlPath, message: (key: string) => string, where = "an input goes under `spec:`") => {
    for (const key of Object.keys(node)) {
      if (keys.includes(key)) continue;
      const hint = didYouMean(key, keys);
      diagnostics.push(warningAt(file, "spec-key-unknown", message(key) + (hint || `; ${where}`), yaml.positionOf([...at, key])));
    }
  };
  const article = kind === "EnvironmentSpec" ? "an" : "a";
  unknownKeys(root, KEYS[kind], [], (key) => `"${key}" is not a key of ${article} ${kind}, so it is ignored`,
    kind === "ServiceSpec" ? "inputs go under `pipeline:` or under an instance's `spec:`" : undefined);
  const inventory: Pick<Spec, "name" | "template" | "stage" | "provisioner" | "stack" | "pipelineStack"> = {};
  if (root.template !== undefined) {
    const match = typeof root.template === "string" ? TEMPLATE_REF.exec(root.template) : null;
    if (match) inventory.template = { name: match[1]!, major: Number(match[2]), ...(match[3] ? { minor: Number(match[3]) } : {}) };
    // `baryon import` writes TODO for a template or major no stack tag told it.
    else if (typeof root.template === "string" && /(^|@)TODO$/.test(root.template)) fail("`template` is a TODO left by `baryon import`: set it to <template>@<major>, the template and major its stacks were deployed from", ["template"]);
    else fail('`template` names the template this spec deploys and the major it follows: "<template>@<major>", or "<template>@<major>.<minor>" to pin a minor', ["template"]);
  }
  const word = (key: "name" | "stage" | "provisioner" | "stack" | "pipelineStack", what: string) => {
    if (root[key] === undefined) return;
    if (typeof root[key] === "string" && NAME.test(root[key]) && root[key].length <= 128) inventory[key] = root[key];
    else fail(`\`${key}\` must be ${what} (letters, digits, "-" or "_")`, [key]);
  };
  word("name", kind === "EnvironmentSpec" ? "the environment's name" : "the service's name");
  word("stage", "a stage name such as test or prod");
  word("provisioner", "the name of a provisioner in .github/baryon.yml");
  word("stack", "the name of the CloudFormation stack to deploy to");
  if (kind === "ServiceSpec") word("pipelineStack", "the name of the CloudFormation stack of the service's pipeline");
  if (kind === "EnvironmentSpec") {
    if (root.spec !== undefined && !isRecord(root.spec)) fail("`spec` must be a mapping of input names to values", ["spec"]);
    const spec = isRecord(root.spec) ? root.spec : {};
    return { spec: { file, kind, spec, lines, ...inventory }, diagnostics };
  }

  const instances: ServiceInstanceSpec[] = [];
  // `instances: []` is a service whose pipeline is deployed before any instance; Proton accepted it.
  if (!Array.isArray(root.instances)) {
    fail("a ServiceSpec needs `instances:`, a list of {name, environment, spec} (`[]` for none yet)", ["instances"]);
  } else {
    const seen = new Set<string>();
    root.instances.forEach((item: unknown, i) => {
      const at = ["instances", i];
      if (!isRecord(item)) return void fail("each instance must be a mapping with name, environment and spec", at);
      unknownKeys(item, KEYS.instance, at, (key) => `instance${typeof item.name === "string" ? ` "${item.name}"` : ""}: "${key}" is not read here, so it is ignored`);
      if (typeof item.name !== "string" || !item.name) return void fail("each instance needs a `name`", at);
      // Proton's rule for names; it also keeps a name from being a path or a reserved resource.
      if (!NAME.test(item.name) || item.name.length > 100 || RESERVED.has(item.name)) {
        return void fail(`instance name ${JSON.stringify(item.name)} must be 1-100 letters, digits, "-" or "_", starting with a letter or digit${RESERVED.has(item.name) ? `, and not "${item.name}"` : ""}`, [...at, "name"]);
      }
      if (seen.has(item.name)) return void fail(`instance name "${item.name}" appears twice`, [...at, "name"]);
      seen.add(item.name);
      if (typeof item.environment !== "string" || !NAME.test(item.environment)) {
        return void fail(`instance "${item.name}" needs an \`environment\` name (letters, digits, "-" or "_")`, at);
      }
      if (item.spec !== undefined && !isRecord(item.spec)) return void fail("`spec` must be a mapping of input names to values", [...at, "spec"]);
      if (item.stack !== undefined && (typeof item.stack !== "string" || !NAME.test(item.stack))) return void fail("`stack` must be the name of the CloudFormation stack to deploy to", [...at, "stack"]);
      instances.push({ name: item.name, environment: item.environment, spec: isRecord(item.spec) ? item.spec : {}, ...(typeof item.stack === "string" ? { stack: item.stack } : {}) });
    });
  }
  if (root.pipeline !== undefined && !isRecord(root.pipeline)) fail("`pipeline` must be a mapping of input names to values", ["pipeline"]);
  const spec: Spec = { file, kind, instances, lines, ...inventory };
  if (isRecord(root.pipeline)) spec.pipeline = root.pipeline;
  return { spec, diagnostics };
}

/**
 * Links are never followed (a link could read outside the repository), so a
 * linked spec file or spec folder would be skipped without a word: say so.
 */
export function specSymlinkWarnings(symlinks: ReadonlyMap<string, string>, templateDir: string): Diagnostic[] {
  const specDir = templateDir ? `${templateDir}/spec` : "spec";
  const warnings: Diagnostic[] = [];
  for (const [link, target] of symlinks) {
    if (link === specDir) {
      warnings.push(warningAt(link, "spec-symlink", `the spec folder is a symbolic link to ${target}; links are not followed, so its specs are not checked or rendered: commit the folder itself`));
    } else if (isExampleSpec(link, templateDir)) {
      warnings.push(warningAt(link, "spec-symlink", `spec file is a symbolic link to ${target}; links are not followed, so it is not checked or rendered: commit the file itself`));
    }
  }
  return warnings;
}
