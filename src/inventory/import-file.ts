// The text of an inventory file `baryon import` writes: Proton's spec (the exported
// one's own nodes, so its values, quoting and comments stay as they were) with
// Baryon's keys before it, and each TODO as a value the inventory check refuses,
// with why on the same line. Pure.
import { Document, isMap, isScalar, isSeq, Pair, parseDocument, Scalar, YAMLMap, YAMLSeq, type Node } from "yaml";
import { IMPORT_TODO, type InputValue } from "./import-inputs.js";

/** A part's inputs: an exported spec's node, or values found one by one. */
export type InputsSource = { node: Node } | { inputs: Record<string, InputValue> };

/** A value to write, or a TODO in its place: `TODO(baryon import)` for inputs, `TODO` for Baryon's own keys. */
export type Written = string | { todo: string };

export interface EnvironmentFile {
  header: string;
  template: Written;
  stage: Written;
  provisioner?: string | undefined;
  stack: string;
  spec: InputsSource;
  /** The exported spec's document, whose other keys are kept. */
  exported?: Document | undefined;
}

export interface InstanceEntry {
  name: string;
  environment: Written;
  stack: string;
  spec: InputsSource;
  /** The exported spec's entry for this instance, whose other keys are kept. */
  exported?: YAMLMap | undefined;
}

export interface ServiceFile {
  header: string;
  template: Written;
  provisioner?: string | undefined;
  pipelineStack?: string | undefined;
  pipeline?: InputsSource | undefined;
  instances: InstanceEntry[];
  exported?: Document | undefined;
}

/** The exported spec as a document, or undefined when it is not YAML. */
export function exportedDocument(text: string): Document | undefined {
  const doc = parseDocument(text, { uniqueKeys: false });
  return doc.errors.length || !isMap(doc.contents) ? undefined : doc;
}

/** The node at `key` of an exported spec's root mapping. */
export function exportedNode(doc: Document | undefined, key: string): Node | undefined {
  const value = doc && isMap(doc.contents) ? doc.contents.get(key, true) : undefined;
  return value === null || value === undefined ? undefined : (value as Node);
}

/** The exported spec's instance entries, by name. */
export function exportedInstances(doc: Document | undefined): Map<string, YAMLMap> {
  const list = exportedNode(doc, "instances");
  const byName = new Map<string, YAMLMap>();
  if (!isSeq(list)) return byName;
  for (const item of list.items) if (isMap(item) && typeof item.get("name") === "string") byName.set(item.get("name") as string, item);
  return byName;
}

export function environmentText(file: EnvironmentFile): string {
  const doc = new Document();
  const root = new YAMLMap();
  add(root, "proton", "EnvironmentSpec");
  add(root, "template", written(file.template, "TODO"));
  add(root, "stage", written(file.stage, "TODO"));
  if (file.provisioner) add(root, "provisioner", file.provisioner);
  add(root, "stack", file.stack);
  add(root, "spec", inputsNode(doc, file.spec));
  keepOthers(root, file.exported?.contents, ["proton", "template", "stage", "provisioner", "stack", "spec"]);
  return finish(doc, root, file.header, file.exported);
}

export function serviceText(file: ServiceFile): string {
  const doc = new Document();
  const root = new YAMLMap();
  add(root, "proton", "ServiceSpec");
  add(root, "template", written(file.template, "TODO"));
  if (file.provisioner) add(root, "provisioner", file.provisioner);
  if (file.pipelineStack) add(root, "pipelineStack", file.pipelineStack);
  if (file.pipeline) add(root, "pipeline", inputsNode(doc, file.pipeline));
  const instances = new YAMLSeq();
  for (const instance of file.instances) {
    const entry = new YAMLMap();
    add(entry, "name", instance.name);
    add(entry, "environment", written(instance.environment, "TODO"));
    add(entry, "stack", instance.stack);
    add(entry, "spec", inputsNode(doc, instance.spec));
    keepOthers(entry, instance.exported, ["name", "environment", "stack", "spec"]);
    instances.items.push(entry);
  }
  add(root, "instances", instances);
  keepOthers(root, file.exported?.contents, ["proton", "template", "provisioner", "pipelineStack", "pipeline", "instances"]);
  return finish(doc, root, file.header, file.exported);
}

function add(map: YAMLMap, key: string, value: unknown): void {
  map.items.push(new Pair(new Scalar(key), value instanceof Scalar || isMap(value) || isSeq(value) ? value : new Scalar(value)));
}

function written(value: Written, marker: string): Scalar {
  if (typeof value === "string") return new Scalar(value);
  return todoScalar(marker, value.todo);
}

function todoScalar(marker: string, why: string): Scalar {
  const scalar = new Scalar(marker);
  scalar.comment = ` baryon import: ${why}`;
  return scalar;
}

function inputsNode(doc: Document, source: InputsSource): Node {
  if ("node" in source) return source.node;
  const map = new YAMLMap();
  for (const [input, found] of Object.entries(source.inputs)) {
    map.items.push(new Pair(new Scalar(input), "todo" in found ? todoScalar(IMPORT_TODO, found.todo) : doc.createNode(found.value)));
  }
  return map;
}

/** The exported spec's keys Baryon does not write itself, kept as they were. */
function keepOthers(into: YAMLMap, from: unknown, written: readonly string[]): void {
  if (!isMap(from)) return;
  for (const pair of from.items) {
    const key = isScalar(pair.key) ? pair.key.value : pair.key;
    if (typeof key === "string" && written.includes(key)) continue;
    into.items.push(pair);
  }
}

function finish(doc: Document, root: YAMLMap, header: string, exported: Document | undefined): string {
  doc.contents = root;
  const ours = header.split("\n").map((line) => ` ${line}`.trimEnd()).join("\n");
  // On the mapping, not the document: the document's own comment is followed by a blank line.
  root.commentBefore = [ours, exported?.commentBefore, exported?.contents?.commentBefore].filter(Boolean).join("\n");
  // Long TODO comments stay on one line with their value.
  return doc.toString({ lineWidth: 0 });
}
