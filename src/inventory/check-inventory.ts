// Inventory files → resources, every mistake a diagnostic at its file and line.
// Pure: the flow reads the files and loads the catalog from the registry.
import { validateSpec } from "../bundle/check/validate.js";
import { didYouMean } from "../bundle/check/suggest-name.js";
import { errorAt, hasErrors, warningAt, type Diagnostic } from "../bundle/diagnostics.js";
import type { Spec } from "../bundle/model.js";
import { parseSpec } from "../bundle/parse/spec.js";
import { stageLabelProblem } from "../rollout/policy.js";
import { leftTodos, TODO_MARKER } from "./upgrade.js";
import {
  instanceKey, pipelineKey, RESOURCE_NAME, templateRefText, versionText,
  type CatalogVersion, type EnvironmentResource, type InstanceResource, type Inventory,
  type PipelineResource, type Resource, type TemplateCatalog, type TemplateRef,
} from "./model.js";

export interface InventoryFile {
  /** Path shown in diagnostics: repository-relative, `<repository>:<path>` for another repository. */
  file: string;
  text: string;
}

export interface InventorySettings {
  /** Provisioner names from .github/baryon.yml; with exactly one, it is every resource's default. */
  provisioners: readonly string[];
  /** The stage names of `rollout:` in .github/baryon.yml; undefined without one: any well-formed label is a stage. */
  stages?: readonly string[] | undefined;
}

export interface CheckedInventory {
  inventory: Inventory;
  diagnostics: Diagnostic[];
}


/** Checks every inventory file against the catalog and the config; a file with errors gives no resource. */
export function checkInventory(files: readonly InventoryFile[], catalog: TemplateCatalog, settings: InventorySettings): CheckedInventory {
  const diagnostics: Diagnostic[] = [];
  const specs: Spec[] = [];
  const failedEnvironments = new Set<string>();
  for (const { file, text } of files) {
    const parsed = parseSpec(file, text);
    diagnostics.push(...parsed.diagnostics);
    // An upgrade pull request's TODO is a value only a person can give: the file deploys nothing until it is set.
    if (parsed.spec) diagnostics.push(...leftTodos(parsed.spec));
    // A file that does not parse cleanly says nothing more: later checks would guess at its meaning.
    if (parsed.spec && !hasErrors(parsed.diagnostics)) specs.push(parsed.spec);
    else if (parsed.spec?.kind === "EnvironmentSpec") failedEnvironments.add(parsed.spec.name ?? fileStem(file));
  }
  const environments = new Map<string, EnvironmentResource>();
  const declaredEnvironments = new Set<string>(failedEnvironments);
  const services = new Set<string>();
  const serviceResources: Resource[] = [];
  const ordered = [...specs.filter((s) => s.kind === "EnvironmentSpec"), ...specs.filter((s) => s.kind === "ServiceSpec")];
  for (const spec of ordered) {
    const lineOf = (path: string) => spec.lines[path] ?? 1;
    const fail = (path: string, message: string, code = "inventory-invalid") => diagnostics.push(errorAt(spec.file, code, message, { line: lineOf(path) }));
    const name = spec.name ?? fileStem(spec.file);
    if (!RESOURCE_NAME.test(name)) {
      fail("proton", `the file name ${JSON.stringify(name)} is not a valid ${spec.kind === "EnvironmentSpec" ? "environment" : "service"} name (letters, digits, "-" or "_"): give one with \`name:\``);
      continue;
    }
    const taken = spec.kind === "EnvironmentSpec" ? declaredEnvironments : services;
    if (taken.has(name)) {
      fail(spec.name ? "name" : "proton", `${spec.kind === "EnvironmentSpec" ? "environment" : "service"} "${name}" is declared twice`, "inventory-duplicate");
      continue;
    }
    taken.add(name);
    const version = resolveTemplate(spec, catalog, fail);
    const provisioner = resolveProvisioner(spec, settings, fail);
    if (spec.kind === "EnvironmentSpec") {
      const stage = resolveStage(spec, settings, fail);
      if (!version || !provisioner || !stage) continue;
      if (!acceptsSpec(spec, version, diagnostics)) continue;
      environments.set(name, {
        kind: "environment", key: name, name, template: spec.template!, version, provisioner, stage,
        inputs: spec.spec ?? {}, declared: { file: spec.file, line: 1 }, ...(spec.stack ? { stack: spec.stack } : {}),
      });
      continue;
    }
    if (!version || !provisioner || !acceptsSpec(spec, version, diagnostics)) continue;
    const compatible = version.bundle.compatibleEnvironments;
    const base = { template: spec.template!, version, provisioner, service: name };
    spec.instances?.forEach((instance, i) => {
      const at = `instances.${i}.environment`;
      const environment = environments.get(instance.environment);
      if (!environment) {
        const known = [...declaredEnvironments];
        const why = declaredEnvironments.has(instance.environment) ? "has errors (see its file)" : `is not in the inventory${didYouMean(instance.environment, known)}`;
        return void fail(at, `instance "${instance.name}": environment "${instance.environment}" ${why}`, "inventory-environment");
      }
      const envTemplate = environment.template;
      if (!compatible.some((c) => c.name === envTemplate.name && c.major === environment.version.major)) {
        const allowed = compatible.map((c) => `${c.name}@${c.major}`).join(", ") || "none (no .template-registration.yaml)";
        return void fail(at, `instance "${instance.name}": ${templateRefText(spec.template!)} is not compatible with environment "${environment.name}" (${envTemplate.name}@${environment.version.major}); its compatible environments: ${allowed}`, "inventory-incompatible");
      }
      const resource: InstanceResource = {
        ...base, kind: "service_instance", key: instanceKey(name, instance.name), name: instance.name,
        environment: environment.name, stage: environment.stage, inputs: instance.spec,
        declared: { file: spec.file, line: spec.lines[`instances.${i}`] ?? 1 }, ...(instance.stack ? { stack: instance.stack } : {}),
      };
      serviceResources.push(resource);
    });
    if (version.bundle.parts.some((p) => p.name === "pipeline_infrastructure")) {
      const pipeline: PipelineResource = {
        ...base, kind: "service_pipeline", key: pipelineKey(name), name, inputs: spec.pipeline ?? {},
        declared: { file: spec.file, line: spec.lines["pipeline"] ?? 1 }, ...(spec.pipelineStack ? { stack: spec.pipelineStack } : {}),
      };
      serviceResources.push(pipeline);
    } else if (spec.pipelineStack) {
      diagnostics.push(warningAt(spec.file, "inventory-pipeline-stack", `${templateRefText(spec.template!)} has no pipeline, so \`pipelineStack:\` is ignored`, { line: lineOf("pipelineStack") }));
    }
  }
  const failedFiles = new Set(diagnostics.filter((d) => d.severity === "error").map((d) => d.file));
  const resources = [...environments.values(), ...serviceResources].filter((r) => !failedFiles.has(r.declared.file));
  return { inventory: { resources }, diagnostics };
}

type Fail = (path: string, message: string, code?: string) => void;

/** The spec against the schema of the version it deploys, defaults applied. */
function acceptsSpec(spec: Spec, version: CatalogVersion, diagnostics: Diagnostic[]): boolean {
  const problems = validateSpec(spec, version.bundle);
  diagnostics.push(...problems);
  return !problems.some((d) => d.severity === "error");
}

function resolveTemplate(spec: Spec, catalog: TemplateCatalog, fail: Fail): CatalogVersion | undefined {
  const ref: TemplateRef | undefined = spec.template;
  if (!ref) return void fail("proton", "an inventory file names its template and the major it follows: `template: <template>@<major>`");
  const majors = catalog.majors(ref.name);
  if (majors.length === 0) {
    return void fail("template", `no template "${ref.name}" is published${didYouMean(ref.name, catalog.templateNames())}`, "inventory-template");
  }
  if (!majors.includes(ref.major)) {
    return void fail("template", `template "${ref.name}" has no major ${ref.major} (published majors: ${majors.join(", ")})`, "inventory-template");
  }
  const version = ref.minor === undefined ? catalog.recommended(ref.name, ref.major) : catalog.version(ref.name, ref.major, ref.minor);
  if (!version) {
    const latest = catalog.recommended(ref.name, ref.major);
    const what = ref.minor === undefined ? `no published version of ${ref.name}@${ref.major}` : `no version ${ref.major}.${ref.minor} of ${ref.name}`;
    return void fail("template", `${what}${latest ? ` (recommended: ${versionText(latest)})` : ""}`, "inventory-template");
  }
  const kind = spec.kind === "EnvironmentSpec" ? "environment" : "service";
  if (version.bundle.kind !== kind) {
    return void fail("template", `${ref.name} is a ${version.bundle.kind} template, so a \`proton: ${spec.kind}\` file cannot deploy it`, "inventory-template");
  }
  return version;
}

function resolveProvisioner(spec: Spec, settings: InventorySettings, fail: Fail): string | undefined {
  const named = spec.provisioner;
  if (named === undefined) {
    if (settings.provisioners.length === 1) return settings.provisioners[0];
    const why = settings.provisioners.length === 0
      ? "no provisioner is configured: add `provisioners:` to .github/baryon.yml (see docs/provisioners.md)"
      : `name one with \`provisioner:\` (${settings.provisioners.join(", ")})`;
    return void fail("proton", `this file needs a provisioner: ${why}`, "inventory-provisioner");
  }
  if (settings.provisioners.includes(named)) return named;
  const known = settings.provisioners.length ? `; provisioners: ${settings.provisioners.join(", ")}` : "; none is configured";
  return void fail("provisioner", `unknown provisioner "${named}"${didYouMean(named, settings.provisioners)}${known}`, "inventory-provisioner");
}

function resolveStage(spec: Spec, settings: InventorySettings, fail: Fail): string | undefined {
  const { stages } = settings;
  if (spec.stage === undefined) {
    return void fail("proton", `an environment needs \`stage:\`, the rollout stage it belongs to (${stages ? stages.join(", ") : "test, staging, prod, …"})`, "inventory-stage");
  }
  if (spec.stage === TODO_MARKER) {
    return void fail("stage", `\`stage\` is a TODO left by \`baryon import\`: set the rollout stage this environment belongs to (${stages ? stages.join(", ") : "test, staging, prod, …"})`, "inventory-todo");
  }
  if (stages?.includes(spec.stage)) return spec.stage;
  if (stages) return void fail("stage", `stage "${spec.stage}" is not a rollout stage${didYouMean(spec.stage, stages)}; stages: ${stages.join(", ")}`, "inventory-stage");
  // Without `rollout:` the labels found make the stages (defaultRolloutPolicy): each must be one a `/rollout <stage>` can name.
  const problem = stageLabelProblem(spec.stage);
  if (problem) return void fail("stage", problem, "inventory-stage");
  return spec.stage;
}

/** `environments/payments-prod.yaml` → `payments-prod` (`<repository>:` prefix and folders dropped). */
function fileStem(file: string): string {
  const base = file.slice(Math.max(file.lastIndexOf("/"), file.lastIndexOf(":")) + 1);
  return base.replace(/\.ya?ml$/i, "");
}
