// Outputs a render reads before anything is deployed. Proton rendered a
// pipeline after its instances were deployed and an instance after its
// environment, so templates use outputs as plain values, even as dictionary
// keys. A preview has no deployment: an output whose value the rendered
// instance template states as a literal (`Value: "python3.8"`, or a `Value`
// that was only a rendered input) is known; any other gets a visible
// placeholder, and a render that cannot go on without the real value is a
// warning naming the output, never an error (the template is not at fault).
import { findOutputReferences } from "../check/input-references.js";
import { entryOf, parseTemplate, type ParsedTemplate } from "../lint/cfn-template.js";
import type { Outputs } from "./context.js";

/** An output a render got as a placeholder, and where its real value would come from. */
export interface PlaceholderOutput {
  owner: "environment" | "instance";
  /** The environment's or the instance's name. */
  name: string;
  output: string;
}

export const placeholderValue = (p: PlaceholderOutput): string =>
  p.owner === "environment" ? `<environment.outputs.${p.output}>` : `<${p.name}.outputs.${p.output}>`;

// `service_instances[0].outputs.X`, `instance.outputs["X"]`: any outputs but an environment's.
const INSTANCE_OUTPUT_REF = /(?<!\benvironment)\.outputs(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*["']([^"'\]]+)["']\s*\])/g;

/** Names of the instance outputs a pipeline template reads, in order of first use. */
export function findInstanceOutputReferences(source: string): string[] {
  return [...new Set([...source.matchAll(INSTANCE_OUTPUT_REF)].map((m) => (m[1] ?? m[2])!))];
}

/**
 * The outputs an instance's rendered CloudFormation declares: the value when it
 * is a literal scalar, undefined when only a deployment can tell (`!GetAtt`, `!Ref`, ...).
 * Files that do not parse as CloudFormation declare nothing.
 */
export function declaredOutputs(
  renderedFiles: readonly { path: string; content: string }[],
  /** Outputs blocks already read, by their text: one map for all the instances of a pipeline. */
  blocks: Map<string, Map<string, string | undefined>> = new Map(),
): Map<string, string | undefined> {
  const declared = new Map<string, string | undefined>();
  for (const file of renderedFiles) {
    if (file.path.endsWith(".tf")) continue;
    // A pipeline's preview asks this of each of its instances: parse their Outputs alone, once per distinct block.
    const block = outputsBlock(file.content);
    const outputs = block === undefined ? outputsOf(file.path, file.content) : (cachedOutputs(blocks, file.path, block) ?? outputsOf(file.path, file.content));
    for (const [key, value] of outputs) declared.set(key, value);
  }
  return declared;
}

const outputsOf = (path: string, text: string) => outputsIn(parseTemplate(path, text).root);

function outputsIn(root: ParsedTemplate["root"]): Map<string, string | undefined> {
  const declared = new Map<string, string | undefined>();
  const outputs = entryOf(root, "Outputs")?.value;
  if (outputs?.kind !== "map") return declared;
  for (const { key, value } of outputs.entries) {
    const literal = entryOf(value, "Value")?.value;
    const known = literal?.kind === "scalar" && ["string", "number", "boolean"].includes(typeof literal.value);
    declared.set(key, known ? String(literal.value) : undefined);
  }
  return declared;
}

/**
 * A YAML template's one top-level `Outputs:` block, alone, up to the next line that
 * starts at column 0. Undefined where that cut could be wrong (JSON, no block or two).
 */
function outputsBlock(text: string): string | undefined {
  if (text.trimStart().startsWith("{")) return undefined;
  const heads = [...text.matchAll(/^Outputs[ \t]*:[ \t]*(?:#.*)?$/gm)];
  if (heads.length !== 1) return undefined;
  const start = heads[0]!.index!;
  const next = /\n[^ \t\n#]/.exec(text.slice(start + heads[0]![0].length));
  return text.slice(start, next ? start + heads[0]![0].length + next.index : text.length);
}

/** What looks like an alias (`*name`): its anchor may stand outside the block. */
const ALIAS = /[\s[{,]\*[^\s,\]}]/;

/** The block's outputs; undefined when it cannot be read alone (an alias, a parse error): then the whole file is read. */
function cachedOutputs(blocks: Map<string, Map<string, string | undefined>>, path: string, block: string): Map<string, string | undefined> | undefined {
  const known = blocks.get(block);
  if (known) return known;
  if (ALIAS.test(block)) return undefined;
  const parsed = parseTemplate(path, block);
  if (parsed.diagnostics.length || !parsed.root) return undefined;
  const outputs = outputsIn(parsed.root);
  blocks.set(block, outputs);
  return outputs;
}

/**
 * An instance's outputs as its pipeline sees them in a preview: the literals its
 * rendered template declares, and a placeholder for every other output the
 * pipeline reads or the instance declares.
 */
export function previewInstanceOutputs(
  instance: string,
  declared: ReadonlyMap<string, string | undefined>,
  read: readonly string[],
): { outputs: Outputs; placeholders: PlaceholderOutput[] } {
  const outputs: Outputs = {};
  const placeholders: PlaceholderOutput[] = [];
  for (const output of new Set([...declared.keys(), ...read])) {
    const value = declared.get(output);
    if (value !== undefined) outputs[output] = value;
    else {
      const placeholder: PlaceholderOutput = { owner: "instance", name: instance, output };
      outputs[output] = placeholderValue(placeholder);
      placeholders.push(placeholder);
    }
  }
  return { outputs, placeholders };
}

/**
 * The placeholders a failed render's template reads: when there are any, the
 * failure may be only for want of a deployed value, and is reported as a warning.
 */
export function placeholdersRead(source: string, kind: string, placeholders: readonly PlaceholderOutput[]): PlaceholderOutput[] {
  const environmentReads = new Set(findOutputReferences(source));
  const instanceReads = new Set(kind === "pipeline" ? findInstanceOutputReferences(source) : []);
  return placeholders.filter((p) => (p.owner === "environment" ? environmentReads : instanceReads).has(p.output));
}

/** "the pipeline needs output LambdaRuntime of instance api, known only after it is deployed; pass --instance-outputs" */
export function needsDeployedOutputs(kind: string, resource: string, read: readonly PlaceholderOutput[]): string {
  const needed = read.map((p) => `output ${p.output} of ${p.owner} ${p.name}`);
  const flags = [...new Set(read.map((p) => (p.owner === "environment" ? "--env-outputs" : "--instance-outputs")))];
  const who = kind === "pipeline" ? "the pipeline" : kind === "service_instance" ? `instance ${resource}` : `the ${kind}`;
  return `${who} needs ${needed.join(", ")}, known only after ${read.length === 1 ? "it is" : "they are"} deployed; pass ${flags.join(" and ")}`;
}
