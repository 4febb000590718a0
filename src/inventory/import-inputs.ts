// Inputs, stage and template major of a resource `baryon import` writes, when no
// exported spec says them: what the stack and the template repository still tell. Pure.
import type { Bundle, InputType, PropertySchema } from "../bundle/model.js";
import type { TemplateArn } from "./proton-stacks.js";

/** What Baryon writes for a value it could not find; the inventory check refuses it at its line. */
export const IMPORT_TODO = "TODO(baryon import)";

/** One template major of the repository: its kind and the input types of each part. */
export interface ImportTemplate {
  name: string;
  kind: "environment" | "service";
  major: number;
  inputs: { environment?: InputType | undefined; instance?: InputType | undefined; pipeline?: InputType | undefined };
  hasPipeline: boolean;
}

export function importTemplateOf(bundle: Bundle): ImportTemplate {
  const schema = bundle.schema;
  const type = (name: string | undefined) => (schema && name ? schema.types[name] : undefined);
  return {
    name: bundle.template, kind: bundle.kind, major: bundle.major,
    inputs: { environment: type(schema?.environmentInputType), instance: type(schema?.serviceInputType), pipeline: type(schema?.pipelineInputType) },
    hasPipeline: bundle.parts.some((p) => p.name === "pipeline_infrastructure"),
  };
}

/** An input value, or a TODO with why no value was found. */
export type InputValue = { value: unknown } | { todo: string };

/**
 * The inputs of one part from its stack's Parameters: a parameter matches an input
 * whose name is the same once case and separators are dropped (`VpcCidr` ↔
 * `vpc_cidr`), as templates that declare Parameters rendered from their inputs name them.
 * Every other input of the schema is a TODO: its deployed value is unknown, and a
 * default could differ from it (deleting the TODO line takes the default).
 */
export function inputsFromParameters(type: InputType | undefined, parameters: Record<string, string>): Record<string, InputValue> {
  const byKey = new Map<string, string[]>();
  for (const key of Object.keys(parameters)) byKey.set(squash(key), [...(byKey.get(squash(key)) ?? []), key]);
  const inputs: Record<string, InputValue> = {};
  for (const [input, schema] of Object.entries(type?.properties ?? {})) {
    const keys = byKey.get(squash(input)) ?? [];
    if (keys.length > 1) inputs[input] = { todo: `the stack's parameters ${keys.join(" and ")} both could be it` };
    else if (keys.length === 1) inputs[input] = converted(parameters[keys[0]!]!, schema, keys[0]!);
    else inputs[input] = { todo: "no exported spec or stack parameter gives it: set the value deployed now, or delete the line to take the default" };
  }
  return inputs;
}

const squash = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, "");

/** A parameter's text as the input's type: CloudFormation hands every parameter back as a string. */
function converted(text: string, schema: PropertySchema, key: string): InputValue {
  if (text === "****") return { todo: `the stack's parameter ${key} is NoEcho, so CloudFormation hides its value` };
  const as = (type: string | undefined, raw: string): InputValue => {
    if (type === "number" || type === "integer") {
      const n = Number(raw.trim());
      return raw.trim() !== "" && Number.isFinite(n) && (type === "number" || Number.isInteger(n)) ? { value: n } : { todo: `the stack's parameter ${key} is ${JSON.stringify(raw)}, not a ${type}` };
    }
    if (type === "boolean") {
      const b = raw.trim().toLowerCase();
      return b === "true" || b === "false" ? { value: b === "true" } : { todo: `the stack's parameter ${key} is ${JSON.stringify(raw)}, not a boolean` };
    }
    if (type === "object") return { todo: `input is an object; the stack's parameter ${key} cannot say it` };
    return { value: raw };
  };
  if (schema.type !== "array") return as(schema.type, text);
  // A CommaDelimitedList or List<…> parameter reads back as "a,b,c".
  const items = text === "" ? [] : text.split(",").map((item) => as(schema.items?.type, item.trim()));
  const todo = items.find((i): i is { todo: string } => "todo" in i);
  return todo ?? { value: items.map((i) => (i as { value: unknown }).value) };
}

/**
 * The stage of an environment named `name`: the one stage whose name is a word of
 * it (`payments-prod`, `production-eu` → prod); with none or several, undefined.
 * `stages` are the config's rollout stages, else test, staging and prod.
 */
export function stageFromName(name: string, stages: readonly string[] | undefined): string | undefined {
  const words = name.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
  const found = (stages ?? ["test", "staging", "prod"]).filter((stage) => words.some((w) => w === stage || w.startsWith(stage)));
  return found.length === 1 ? found[0] : undefined;
}

export type MajorOf = { major: number; minor?: number; note?: string } | { todo: string };

/**
 * The major a resource follows: the template ARN's version, else the exported spec's
 * `template:`, else the repository's only major of that template (said in a note).
 */
export function majorOf(arn: TemplateArn | undefined, name: string, specMajor: number | undefined, templates: readonly ImportTemplate[]): MajorOf {
  if (arn?.major !== undefined) return { major: arn.major, ...(arn.minor !== undefined ? { minor: arn.minor } : {}) };
  if (specMajor !== undefined) return { major: specMajor };
  const majors = templates.filter((t) => t.name === name).map((t) => t.major);
  if (majors.length === 1) {
    return { major: majors[0]!, note: `the stack's template tag names no version; major ${majors[0]} is assumed, the only one of ${name} in the template repository` };
  }
  const why = majors.length ? `the repository has ${name} ${majors.map((m) => `v${m}`).join(", ")}` : `the repository has no template ${name}`;
  return { todo: `the stack's template tag names no version and ${why}: set the major it was deployed from` };
}
