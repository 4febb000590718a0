// `baryon import`, the pure part: the CloudFormation stacks AWS Proton left in an
// account, and the spec files exported from it earlier, become inventory files that
// adopt those stacks (`stack:`, `pipelineStack:`). The command reads and writes.
// 1. read each stack's Proton tags (proton-stacks.ts): an environment, a service
//    instance or a service pipeline; any other stack is left alone;
// 2. one file per environment and one per service (its instances and pipeline);
// 3. for each: the template and major, the stage, the inputs — the exported spec's,
//    else the stack's Parameters, else a TODO the inventory check refuses at its line;
// 4. a file the inventory has, or a resource it declares, is never written again.
import type { Document, Node } from "yaml";
import type { Spec, SpecKind } from "../bundle/model.js";
import { parseSpec } from "../bundle/parse/spec.js";
import type { DeployedStack } from "../ports/stack-source.js";
import type { InventoryFile } from "./check-inventory.js";
import { environmentText, exportedDocument, exportedInstances, exportedNode, serviceText, type InputsSource, type InstanceEntry, type Written } from "./import-file.js";
import { inputsFromParameters, majorOf, stageFromName, type ImportTemplate, type InputValue } from "./import-inputs.js";
import { readProtonStack, stackProblem, type ProtonStack, type TemplateArn } from "./proton-stacks.js";

export interface ImportRequest {
  stacks: readonly DeployedStack[];
  /** Spec files exported from Proton (`aws proton get-service … --query service.spec`). */
  specs: readonly InventoryFile[];
  templates: readonly ImportTemplate[];
  /** The inventory's files now: never overwritten, and what they declare is not imported again. */
  existing: readonly InventoryFile[];
  /** The inventory folder the files go to, repository-relative ("inventory"). */
  folder: string;
  provisioner?: string | undefined;
  /** The config's rollout stages; undefined without `rollout:`. */
  stages?: readonly string[] | undefined;
  /** `--stage <environment>=<stage>`. */
  givenStages: ReadonlyMap<string, string>;
  /** Where the stacks were read ("us-east-1"), for the files' first line. */
  where: string;
}

export interface ImportedFile {
  path: string;
  text: string;
  summary: string;
}

export interface ImportResult {
  files: ImportedFile[];
  skipped: Array<{ path: string; reason: string }>;
  /** Each value left for a person, at its line in the file written. */
  todos: Array<{ file: string; line: number; message: string }>;
  notes: string[];
  ignored: Array<{ stack: string; reason: string }>;
  counts: { read: number; proton: number };
}

type Of<K extends ProtonStack["kind"]> = Extract<ProtonStack, { kind: K }>;
interface Exported { file: string; spec: Spec; doc: Document }
interface Todo { path: string; message: string }
interface FoundService { instances: Map<string, Of<"service_instance">>; pipeline?: Of<"service_pipeline"> }

export function importFromProton(request: ImportRequest): ImportResult {
  const result: ImportResult = { files: [], skipped: [], todos: [], notes: [], ignored: [], counts: { read: request.stacks.length, proton: 0 } };
  const environments = new Map<string, Of<"environment">>();
  const services = new Map<string, FoundService>();
  // Two stacks claiming one resource are not guessed between: adopting the wrong one would replace it.
  const claims = new Map<string, string[]>();
  const keep = <T extends ProtonStack>(taken: T | undefined, found: T, file: string, what: string): T => {
    const key = `${file}\0${what}`;
    claims.set(key, [...(claims.get(key) ?? []), found.stack.name]);
    return taken ?? found;
  };
  for (const stack of [...request.stacks].sort((a, b) => a.name.localeCompare(b.name))) {
    const reading = readProtonStack(stack);
    if ("ignored" in reading) {
      result.ignored.push({ stack: stack.name, reason: reading.ignored });
      continue;
    }
    result.counts.proton++;
    const problem = stackProblem(stack);
    if (problem?.skip) {
      result.ignored.push({ stack: stack.name, reason: problem.why });
      continue;
    }
    if (problem) result.notes.push(`stack ${stack.name} ${problem.why}`);
    const found = reading.proton;
    if (found.kind === "environment") {
      environments.set(found.environment, keep(environments.get(found.environment), found, `EnvironmentSpec:${found.environment}`, `environment ${found.environment}`));
      continue;
    }
    const service: FoundService = services.get(found.service) ?? { instances: new Map() };
    services.set(found.service, service);
    const file = `ServiceSpec:${found.service}`;
    if (found.kind === "service_pipeline") service.pipeline = keep(service.pipeline, found, file, `the pipeline of service ${found.service}`);
    else service.instances.set(found.instance, keep(service.instances.get(found.instance), found, file, `service instance ${found.service}/${found.instance}`));
  }

  const exported = readExported(request.specs, result.notes);
  const declared = declaredNames(request.existing);
  const knownEnvironments = new Set([...environments.keys(), ...declared.EnvironmentSpec.keys()]);
  const write = (kind: SpecKind, name: string, build: () => Built) => {
    const path = `${request.folder}/${kind === "EnvironmentSpec" ? "environments" : "services"}/${name}.yaml`;
    const elsewhere = declared[kind].get(name);
    if (request.existing.some((f) => f.file === path)) return void result.skipped.push({ path, reason: "exists already; it is never overwritten" });
    if (elsewhere) return void result.skipped.push({ path, reason: `${kind === "EnvironmentSpec" ? "environment" : "service"} ${name} is declared already in ${elsewhere}` });
    const contested = [...claims].filter(([key, stacks]) => key.startsWith(`${kind}:${name}\0`) && stacks.length > 1);
    if (contested.length) {
      const which = contested.map(([key, stacks]) => `${key.slice(key.indexOf("\0") + 1)} has ${stacks.length} stacks (${stacks.join(", ")})`).join("; ");
      return void result.skipped.push({ path, reason: `${which}: write it by hand with the \`stack:\` that runs it` });
    }
    const { text, summary, todos } = build();
    const lines = parseSpec(path, text).spec?.lines ?? {};
    result.files.push({ path, text, summary });
    result.todos.push(...todos.map((t) => ({ file: path, line: lines[t.path] ?? 1, message: t.message })));
  };

  const context: Context = { request, notes: result.notes, knownEnvironments };
  for (const [name, env] of [...environments].sort(([a], [b]) => a.localeCompare(b))) {
    write("EnvironmentSpec", name, () => environmentFile(name, env, exported.environments.get(name), context));
  }
  for (const [name, service] of [...services].sort(([a], [b]) => a.localeCompare(b))) {
    // Matched before the file may be skipped, so that its spec does not read as unused.
    const spec = exported.serviceFor(name, [...service.instances.keys()]);
    write("ServiceSpec", name, () => serviceFile(name, service, spec, context));
  }

  result.notes.push(...exported.unused(new Set(environments.keys())));
  for (const [environment] of request.givenStages) {
    if (!environments.has(environment)) result.notes.push(`--stage ${environment}=…: no stack here is environment ${environment}`);
  }
  return result;
}

interface Context {
  request: ImportRequest;
  notes: string[];
  /** The environments the stacks or the inventory have. */
  knownEnvironments: ReadonlySet<string>;
}
type Built = { text: string; summary: string; todos: Todo[] };

function environmentFile(name: string, env: Of<"environment">, spec: Exported | undefined, { request, notes }: Context): Built {
  const todos: Todo[] = [];
  const template = templateOf(env.template, spec, request, notes, todos, `environment ${name}`);
  const stage: Written = request.givenStages.get(name) ?? stageFromName(name, request.stages) ?? {
    todo: `set the rollout stage of ${name} (${(request.stages ?? ["test", "staging", "prod"]).join(", ")}), or import again with --stage ${name}=<stage>`,
  };
  if (typeof stage !== "string") todos.push({ path: "stage", message: `stage: ${stage.todo}` });
  const inputs = inputsOf(exportedNode(spec?.doc, "spec"), spec, template.found, "environment", env.stack, "spec", todos, `environment ${name}`);
  const text = environmentText({
    header: header(`environment ${name}`, [env.stack.name], request.where, env.template, spec),
    template: template.written, stage, provisioner: request.provisioner, stack: env.stack.name, spec: inputs, exported: spec?.doc,
  });
  return { text, todos, summary: `environment ${name}: ${describe(template.written)}, stage ${typeof stage === "string" ? stage : "TODO"}, stack ${env.stack.name}` };
}

function serviceFile(name: string, service: FoundService, spec: Exported | undefined, { request, notes, knownEnvironments }: Context): Built {
  const todos: Todo[] = [];
  const stacks = [...service.instances.values(), ...(service.pipeline ? [service.pipeline] : [])];
  const arns = stacks.map((s) => s.template).filter((t): t is TemplateArn => t !== undefined);
  if (new Set(arns.map((t) => `${t.name}:${t.major ?? ""}`)).size > 1) {
    notes.push(`service ${name}: its stacks name different templates or majors (${[...new Set(arns.map(arnText))].join(", ")}); the file follows ${arnText(arns[0]!)}`);
  }
  const template = templateOf(arns[0], spec, request, notes, todos, `service ${name}`);
  // The exported spec's order first, then the instances only the stacks know.
  const fromSpec = exportedInstances(spec?.doc);
  const order = [...fromSpec.keys(), ...[...service.instances.keys()].sort()].filter((n, i, all) => all.indexOf(n) === i);
  const instances: InstanceEntry[] = [];
  for (const instanceName of order) {
    const stack = service.instances.get(instanceName);
    if (!stack) {
      notes.push(`service ${name}: instance ${instanceName} of ${spec!.file} has no stack here, so it is left out; import its account and region, or add it by hand`);
      continue;
    }
    const at = `instances.${instances.length}`;
    const entry = fromSpec.get(instanceName);
    const named = entry?.get("environment");
    const environment: Written = stack.environment ?? (typeof named === "string" ? named : { todo: "set the environment this instance runs in" });
    if (typeof environment !== "string") todos.push({ path: `${at}.environment`, message: `instance ${instanceName}: environment: ${environment.todo}` });
    else if (!knownEnvironments.has(environment)) {
      notes.push(`service ${name}: instance ${instanceName} runs in environment ${environment}, which neither the stacks nor the inventory have: \`baryon apply\` refuses it until the inventory declares ${environment}`);
    }
    const inputs = inputsOf(entry?.get("spec", true), entry ? spec : undefined, template.found, "instance", stack.stack, `${at}.spec`, todos, `instance ${instanceName}`);
    instances.push({ name: instanceName, environment, stack: stack.stack.name, spec: inputs, exported: entry });
  }
  const pipelineNode = exportedNode(spec?.doc, "pipeline");
  const pipeline: InputsSource | undefined = service.pipeline
    ? inputsOf(pipelineNode, spec, template.found, "pipeline", service.pipeline.stack, "pipeline", todos, `service ${name}'s pipeline`)
    : pipelineNode && { node: pipelineNode };
  if (!service.pipeline && (template.found?.hasPipeline || pipelineNode)) {
    notes.push(`service ${name}: its template has a pipeline, but no pipeline stack of it is here: \`baryon apply\` would create a new one (import the account that holds it, or set \`pipelineStack:\`)`);
  }
  const text = serviceText({
    header: header(`service ${name}`, stacks.map((s) => s.stack.name), request.where, arns[0], spec),
    template: template.written, provisioner: request.provisioner, pipelineStack: service.pipeline?.stack.name, pipeline, instances, exported: spec?.doc,
  });
  const parts = [`${instances.length} instance${instances.length === 1 ? "" : "s"}`, ...(service.pipeline ? [`pipeline stack ${service.pipeline.stack.name}`] : [])];
  return { text, todos, summary: `service ${name}: ${describe(template.written)}, ${parts.join(", ")}` };
}

/** The template reference to write, and the repository's template it names, if any. */
function templateOf(arn: TemplateArn | undefined, spec: Exported | undefined, request: ImportRequest, notes: string[], todos: Todo[], what: string): { written: Written; found?: ImportTemplate } {
  const name = arn?.name ?? spec?.spec.template?.name;
  if (!name) {
    todos.push({ path: "template", message: "template: its stacks have no aws:proton:template tag: set <template>@<major>" });
    return { written: { todo: "no aws:proton:template tag on its stacks: set <template>@<major>" } };
  }
  const major = majorOf(arn, name, spec?.spec.template?.name === name ? spec.spec.template.major : undefined, request.templates);
  if ("todo" in major) {
    todos.push({ path: "template", message: `template: ${major.todo}` });
    return { written: { todo: major.todo } };
  }
  if (major.note) notes.push(`${what}: ${major.note}`);
  const found = request.templates.find((t) => t.name === name && t.major === major.major);
  if (!found) notes.push(`${what}: template ${name}@${major.major} is not in the template repository; add its bundle before \`baryon apply\``);
  return { written: `${name}@${major.major}`, ...(found ? { found } : {}) };
}

/**
 * A part's inputs: the exported spec's, as Proton deployed them (a part it leaves out
 * took its defaults, as in Proton); without a spec, what the stack's parameters give.
 */
function inputsOf(node: unknown, spec: Exported | undefined, template: ImportTemplate | undefined, part: keyof ImportTemplate["inputs"], stack: DeployedStack, at: string, todos: Todo[], what: string): InputsSource {
  if (spec) return node ? { node: node as Node } : { inputs: {} };
  if (!template) {
    todos.push({ path: at, message: `${what}: inputs: without its template's schema none could be read from the stack's parameters; write them by hand` });
    return { inputs: {} };
  }
  const inputs: Record<string, InputValue> = inputsFromParameters(template.inputs[part], stack.parameters);
  for (const [input, found] of Object.entries(inputs)) if ("todo" in found) todos.push({ path: `${at}.${input}`, message: `${what}: input ${input}: ${found.todo}` });
  return { inputs };
}

function header(what: string, stacks: string[], where: string, arn: TemplateArn | undefined, spec: Exported | undefined): string {
  return [
    `Imported from AWS Proton by \`baryon import\`: ${what}, stack${stacks.length === 1 ? "" : "s"} ${stacks.join(", ")} in ${where}.`,
    arn?.minor !== undefined ? `Proton deployed ${arn.name} ${arn.major}.${arn.minor}.` : "",
    spec ? `Inputs from ${spec.file}.` : "Inputs from the stacks' parameters; a TODO where none gave one.",
  ].filter(Boolean).join("\n");
}

const describe = (template: Written) => (typeof template === "string" ? template : "template TODO");
const arnText = (arn: TemplateArn) => `${arn.name}${arn.major !== undefined ? `@${arn.major}` : ""}`;

/** Exported spec files, parsed; those that do not parse are said in a note and left out. */
function readExported(files: readonly InventoryFile[], notes: string[]) {
  const environments = new Map<string, Exported>();
  const services: Array<Exported & { name: string }> = [];
  for (const { file, text } of files) {
    const yaml = unwrapped(text);
    const parsed = parseSpec(file, yaml);
    const doc = exportedDocument(yaml);
    const error = parsed.diagnostics.find((d) => d.severity === "error");
    if (!parsed.spec || !doc || error) {
      notes.push(`${file}${error?.line ? `:${error.line}` : ""}: not read: ${error?.message ?? "not a Proton spec"}`);
      continue;
    }
    const name = parsed.spec.name ?? stem(file);
    if (parsed.spec.kind === "EnvironmentSpec") environments.set(name, { file, spec: parsed.spec, doc });
    else services.push({ file, spec: parsed.spec, doc, name });
  }
  const used = new Set<string>();
  return {
    environments,
    /** A service's exported spec: the file named after it, else the one listing exactly its instances. */
    serviceFor(name: string, instances: string[]): Exported | undefined {
      const byInstances = (s: Exported) => instances.length > 0 && instances.every((i) => s.spec.instances?.some((x) => x.name === i));
      const found = services.find((s) => s.name === name) ?? services.filter(byInstances).find((s, _, all) => all.length === 1);
      if (found) used.add(found.file);
      return found;
    },
    /** The files no stack here took; asked after every service's. */
    unused(imported: ReadonlySet<string>): string[] {
      return [
        ...[...environments].filter(([name]) => !imported.has(name)).map(([name, s]) => `${s.file}: no stack here is environment ${name}, so it was not used`),
        ...services.filter((s) => !used.has(s.file)).map((s) => `${s.file}: no stack here is service ${s.name} or runs its instances, so it was not used`),
      ];
    },
  };
}

/** `--output json` of `--query service.spec` prints the spec as one JSON string: take the string. */
function unwrapped(text: string): string {
  if (!text.trimStart().startsWith('"')) return text;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "string" ? value : text;
  } catch {
    return text;
  }
}

function declaredNames(files: readonly InventoryFile[]): Record<SpecKind, Map<string, string>> {
  const declared: Record<SpecKind, Map<string, string>> = { EnvironmentSpec: new Map(), ServiceSpec: new Map() };
  for (const { file, text } of files) {
    const spec = parseSpec(file, text).spec;
    if (spec) declared[spec.kind].set(spec.name ?? stem(file), file);
  }
  return declared;
}

const stem = (file: string) => file.slice(file.lastIndexOf("/") + 1).replace(/\.(ya?ml|json|txt)$/i, "");
