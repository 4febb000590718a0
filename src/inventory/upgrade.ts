// Spec files moved to a new major of their template, as text: `template:` bumped
// (a pinned minor dropped), and each required input of the new major's schema
// that a spec lacks written in, from the schema's default or as a TODO that the
// inventory check refuses (leftTodos) until someone sets it. Every other byte
// stays: comments, order, quoting, blank lines, so the pull request's diff shows
// only what changed. Pure: the flow reads the files and opens the pull request.
import { isDeepStrictEqual } from "node:util";
import { isMap, isScalar, isSeq, parse, parseDocument, type Node, type Pair, type YAMLMap } from "yaml";
import { errorAt, hasErrors, type Diagnostic } from "../bundle/diagnostics.js";
import { exactNumberAt } from "../bundle/exact-numbers.js";
import type { InputSchema, Spec, TemplateKind } from "../bundle/model.js";
import { parseSpec } from "../bundle/parse/spec.js";
import type { InventoryFile } from "./check-inventory.js";
import { IMPORT_TODO } from "./import-inputs.js";

/** What Baryon writes for a required input it has no value for; the inventory check refuses it. */
export const TODO_MARKER = "TODO";

export interface UpgradeTarget {
  template: string;
  kind: TemplateKind;
  major: number;
  /** The minor whose schema is given (the TODO comments name it). */
  minor: number;
  schema?: InputSchema | undefined;
}

/** An input Baryon wrote into a spec file. */
export interface WrittenInput {
  /** Whose input: "environment", `instance "api-test"` or "pipeline". */
  of: string;
  input: string;
  /** 1-based, in the upgraded text. */
  line: number;
  /** True: written as TODO; false: written with the schema's default, `value`. */
  todo: boolean;
  value?: unknown;
}

export interface UpgradedFile {
  file: string;
  text: string;
  /** The reference it had: `net@1`, `net@1.3`. */
  from: string;
  inputs: WrittenInput[];
}

export interface SpecUpgrade {
  /** Only the files that changed. */
  files: UpgradedFile[];
  /** Files on an older major that could not be edited, and why: someone upgrades them by hand. */
  skipped: Array<{ file: string; reason: string }>;
}

/** Upgrades every file whose `template:` names an older major of the target's template; other files are left out. */
export function upgradeSpecFiles(files: readonly InventoryFile[], target: UpgradeTarget): SpecUpgrade {
  const upgrade: SpecUpgrade = { files: [], skipped: [] };
  for (const file of files) {
    const result = upgradeFile(file, target);
    if (result && "reason" in result) upgrade.skipped.push({ file: file.file, reason: result.reason });
    else if (result) upgrade.files.push(result);
  }
  return upgrade;
}

/** An error at each value still equal to the TODO marker, so a merge cannot deploy it. */
export function leftTodos(spec: Spec): Diagnostic[] {
  const found: Diagnostic[] = [];
  const walk = (value: unknown, path: (string | number)[], depth: number, what: (input: string) => string) => {
    if (value === TODO_MARKER || value === IMPORT_TODO) {
      const by = value === TODO_MARKER ? "Baryon's upgrade pull request" : "`baryon import` (neither an exported spec nor the stack's parameters gave it)";
      const message = `${what(path.slice(depth).join("."))} is a TODO left by ${by}: set it`;
      found.push(errorAt(spec.file, "inventory-todo", message, { line: spec.lines[path.join(".")] ?? 1 }));
    } else if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i], depth, what));
    else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) walk(v, [...path, k], depth, what);
  };
  walk(spec.spec, ["spec"], 1, (input) => `input ${input}`);
  spec.instances?.forEach((instance, i) => walk(instance.spec, ["instances", i, "spec"], 3, (input) => `input ${input} of instance "${instance.name}"`));
  walk(spec.pipeline, ["pipeline"], 1, (input) => `pipeline input ${input}`);
  return found;
}

interface Entry {
  input: string;
  todo: boolean;
  value?: unknown;
  /** Where a default number's exactness (5.0, a big integer) is recorded: its property schema. */
  holder?: object;
}

/** One text change: `remove` characters at `at`, then `insert`. */
interface Edit {
  at: number;
  remove: number;
  insert: string;
}

function upgradeFile({ file, text }: InventoryFile, target: UpgradeTarget): UpgradedFile | { reason: string } | undefined {
  const parsed = parseSpec(file, text);
  const ref = parsed.spec?.template;
  if (!ref || ref.name !== target.template || ref.major >= target.major) return undefined;
  const from = `${ref.name}@${ref.major}${ref.minor !== undefined ? `.${ref.minor}` : ""}`;
  const error = parsed.diagnostics.find((d) => d.severity === "error");
  if (error || !parsed.spec) return { reason: `it has an error${error?.line ? ` on line ${error.line}` : ""}: ${error?.message ?? "it does not parse"}` };
  const spec = parsed.spec;
  if ((spec.kind === "EnvironmentSpec" ? "environment" : "service") !== target.kind) {
    return { reason: `it is a ${spec.kind}, and ${target.template} ${target.major} is a ${target.kind} template` };
  }
  const doc = parseDocument(text, { uniqueKeys: false });
  const root = doc.contents;
  const expected = readBack(text) as Record<string, unknown> | undefined;
  if (!isMap(root) || !expected) return { reason: "it does not read as a mapping" };

  const edits: Edit[] = [];
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const unit = indentUnit(text, root);
  const wrote: Array<{ of: string; path: (string | number)[]; entry: Entry }> = [];
  const comment = `required by ${target.template} ${target.major}.${target.minor}`;

  const template = pairOf(root, "template")!.value as Node;
  const bumped = `${target.template}@${target.major}`;
  const quote = isScalar(template) && template.type === "QUOTE_DOUBLE" ? '"' : isScalar(template) && template.type === "QUOTE_SINGLE" ? "'" : "";
  edits.push({ at: template.range![0], remove: template.range![1] - template.range![0], insert: `${quote}${bumped}${quote}` });
  expected.template = bumped;

  /** Writes `entries` under `key` of `parent`: into its mapping, or a new one. */
  const add = (parent: YAMLMap, key: string, entries: Entry[], of: string, path: (string | number)[]) => {
    if (entries.length === 0) return;
    const holder = getIn(expected, path.slice(0, -1));
    const values = (holder[key] ??= {}) as Record<string, unknown>;
    for (const e of entries) {
      values[e.input] = e.todo ? TODO_MARKER : e.value;
      wrote.push({ of, path, entry: e });
    }
    const pair = pairOf(parent, key);
    const value = pair?.value as Node | null | undefined;
    const block = (indent: number) => entries.map((e) => `${" ".repeat(indent)}${yamlText(e.input)}: ${valueText(e)}${e.todo ? `  # baryon: ${comment}; set it before merging` : ""}${eol}`).join("");
    const flow = entries.map((e) => `${yamlText(e.input)}: ${valueText(e)}`).join(", ");
    const todoLines = (at: number) => {
      const start = text.lastIndexOf("\n", at - 1) + 1;
      const indent = /^ */.exec(text.slice(start))![0];
      const lines = entries.filter((e) => e.todo).map((e) => `${indent}# baryon: ${e.input} is ${comment}; set it before merging${eol}`).join("");
      if (lines) edits.push({ at: start, remove: 0, insert: lines });
    };
    if (isMap(value) && !value.flow) {
      edits.push({ at: lineEnd(text, value.range![1]), remove: 0, insert: block(column(text, (value.items[0]!.key as Node).range![0])) });
    } else if (isMap(value)) {
      const close = closingBrace(text, value);
      edits.push({ at: close, remove: 0, insert: value.items.length ? `, ${flow}` : flow });
      todoLines((pair!.key as Node).range![0]);
    } else if (!pair && parent.flow) {
      edits.push({ at: closingBrace(text, parent), remove: 0, insert: `${parent.items.length ? ", " : ""}${key}: {${flow}}` });
      todoLines(parent.range![0]);
    } else if (!pair) {
      const indent = column(text, (parent.items[0]!.key as Node).range![0]);
      edits.push({ at: lineEnd(text, parent.range![1]), remove: 0, insert: `${" ".repeat(indent)}${key}:${eol}${block(indent + unit)}` });
    }
  };

  const type = (name: string | undefined) => (name ? target.schema?.types[name] : undefined);
  const missing = (typeName: string | undefined, values: Record<string, unknown>): Entry[] => {
    const t = type(typeName);
    return (t?.required ?? []).filter((input) => !Object.hasOwn(values, input)).map((input) => {
      const property = t?.properties?.[input];
      return property && property.default !== undefined
        ? { input, todo: false, value: property.default, holder: property }
        : { input, todo: true };
    });
  };
  if (spec.kind === "EnvironmentSpec") {
    add(root, "spec", missing(target.schema?.environmentInputType, spec.spec ?? {}), "environment", ["spec"]);
  } else {
    const items = pairOf(root, "instances")?.value;
    (isSeq(items) ? items.items : []).forEach((item, i) => {
      const instance = spec.instances?.[i];
      if (isMap(item) && instance) add(item, "spec", missing(target.schema?.serviceInputType, instance.spec), `instance "${instance.name}"`, ["instances", i, "spec"]);
    });
    // Roots last: a new `pipeline:` at the end of the file goes below the last instance's new inputs.
    if (target.schema?.pipelineInputType) add(root, "pipeline", missing(target.schema.pipelineInputType, spec.pipeline ?? {}), "pipeline", ["pipeline"]);
  }

  const upgraded = applyEdits(text, edits, eol);
  // The edits are checked by reading the result: a layout they do not fit is left to a person, never guessed at.
  const after = parseSpec(file, upgraded);
  if (hasErrors(after.diagnostics) || !after.spec || !isDeepStrictEqual(readBack(upgraded), expected)) {
    return { reason: "its layout is one Baryon cannot edit without risk: change `template:` and add the inputs by hand" };
  }
  const inputs = wrote.map(({ of, path, entry }): WrittenInput => ({
    of, input: entry.input, line: after.spec!.lines[[...path, entry.input].join(".")] ?? 1, todo: entry.todo,
    ...(entry.todo ? {} : { value: entry.value }),
  }));
  return { file, text: upgraded, from, inputs };
}

/** The file as plain data, to compare before and after; a file parseSpec accepted reads. */
function readBack(text: string): unknown {
  try {
    return parse(text, { uniqueKeys: false, logLevel: "silent" });
  } catch {
    return undefined;
  }
}

function pairOf(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key);
}

function getIn(value: Record<string, unknown>, path: (string | number)[]): Record<string, unknown> {
  return path.reduce<Record<string, unknown>>((node, key) => node[key] as Record<string, unknown>, value);
}

/** Later edits first, so earlier offsets hold; of two at one offset, the one made first ends up first. */
function applyEdits(text: string, edits: Edit[], eol: string): string {
  const ordered = edits.map((e, i) => ({ ...e, i })).sort((a, b) => b.at - a.at || b.i - a.i);
  let out = text;
  for (const e of ordered) {
    const insert = e.insert && e.at === out.length && out.length > 0 && !out.endsWith("\n") ? eol + e.insert : e.insert;
    out = out.slice(0, e.at) + insert + out.slice(e.at + e.remove);
  }
  return out;
}

/** The start of the line after the one `offset` is on (or `offset`, at a line's start). */
function lineEnd(text: string, offset: number): number {
  if (offset > 0 && text[offset - 1] === "\n") return offset;
  const next = text.indexOf("\n", offset);
  return next < 0 ? text.length : next + 1;
}

function column(text: string, offset: number): number {
  return offset - (text.lastIndexOf("\n", offset - 1) + 1);
}

/** Where a flow mapping's entries end: before its `}` and any space in front of it. */
function closingBrace(text: string, map: YAMLMap): number {
  let at = map.range![1] - 1;
  while (at > 0 && text[at] !== "}") at--;
  while (text[at - 1] === " ") at--;
  return at;
}

/** How far the file indents a nested mapping (2 when it has none). */
function indentUnit(text: string, root: YAMLMap): number {
  for (const pair of root.items) {
    const value = pair.value;
    if (isMap(value) && !value.flow && value.items[0]) {
      const step = column(text, (value.items[0].key as Node).range![0]) - column(text, (pair.key as Node).range![0]);
      if (step > 0) return step;
    }
  }
  return 2;
}

function valueText(entry: Entry): string {
  return entry.todo ? TODO_MARKER : yamlText(entry.value, entry.holder, "default");
}

/** A value as one line of YAML: plain where that reads back the same in YAML 1.1 and 1.2, exact numbers kept. */
function yamlText(value: unknown, holder?: object, key?: string | number): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number") {
    const exact = holder && key !== undefined ? exactNumberAt(holder, key) : undefined;
    if (typeof exact === "bigint") return exact.toString();
    if (!Number.isFinite(value)) return Number.isNaN(value) ? ".nan" : value > 0 ? ".inf" : "-.inf";
    return exact === "float" && Number.isInteger(value) ? `${value}.0` : String(value);
  }
  if (typeof value === "string") return plainReadsBack(value) ? value : JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v, i) => yamlText(v, value, i)).join(", ")}]`;
  if (typeof value === "object") return `{${Object.entries(value).map(([k, v]) => `${yamlText(k)}: ${yamlText(v, value, k)}`).join(", ")}}`;
  return JSON.stringify(String(value));
}

function plainReadsBack(text: string): boolean {
  if (!/^[\w./@-](?:[\w./@ -]*[\w./@-])?$/.test(text)) return false;
  try {
    return parse(text) === text && parse(text, { version: "1.1" }) === text;
  } catch {
    return false;
  }
}
