// The self-service catalog's form, from a template version's input schema: one
// field per input (its type, enum, default, bounds, description, required),
// the values a person typed read back as the schema's types, and the inventory
// file they make. Pure: the web console draws the fields, the schema decides.
import { stringify } from "yaml";
import type { InputSchema, InputType, PropertySchema, TemplateKind } from "../bundle/model.js";

/** Whose inputs a field is: the new resource's (an environment or service instance), or its service's pipeline. */
export type FieldGroup = "inputs" | "pipeline";

export interface FormField {
  /** The input's name; the form's field is `<group>.<name>`. */
  name: string;
  group: FieldGroup;
  label: string;
  description?: string;
  control: "text" | "number" | "checkbox" | "select" | "list";
  /** The schema's type ("string", "integer", ...). */
  type: string;
  options?: string[];
  default?: unknown;
  required: boolean;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
}

/** The input type a group of a new resource fills in: an environment's or a service instance's, or the service pipeline's. */
export function requestType(schema: InputSchema | null, kind: TemplateKind, group: FieldGroup = "inputs"): InputType | undefined {
  const name = group === "pipeline" ? (kind === "service" ? schema?.pipelineInputType : undefined)
    : kind === "environment" ? schema?.environmentInputType : schema?.serviceInputType;
  return name ? schema?.types[name] : undefined;
}

export function formFields(type: InputType | undefined, group: FieldGroup = "inputs"): FormField[] {
  const required = new Set(type?.required ?? []);
  return Object.entries(type?.properties ?? {}).map(([name, p]) => ({
    name,
    group,
    label: p.title ?? name,
    control: controlOf(p),
    type: p.type ?? "string",
    required: required.has(name),
    ...(p.description ? { description: p.description } : {}),
    ...(p.enum ? { options: p.enum.map(String) } : {}),
    ...(p.default !== undefined ? { default: p.default } : {}),
    ...numbers(p),
    ...(p.pattern ? { pattern: p.pattern } : {}),
  }));
}

function controlOf(p: PropertySchema): FormField["control"] {
  if (p.enum) return "select";
  if (p.type === "boolean") return "checkbox";
  if (p.type === "number" || p.type === "integer") return "number";
  if (p.type === "array") return "list";
  return "text";
}

function numbers(p: PropertySchema): Partial<FormField> {
  const out: Partial<FormField> = {};
  for (const key of ["minimum", "maximum", "minLength", "maxLength"] as const) if (typeof p[key] === "number") out[key] = p[key];
  return out;
}

/**
 * What was typed, as the schema's types: an empty field is left out (its default
 * applies, or `required` says it is missing); a number that is no number stays
 * text, so the schema names the mistake.
 */
export function formValues(fields: readonly FormField[], raw: Readonly<Record<string, string | undefined>>, group: FieldGroup = "inputs"): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const field of fields.filter((f) => f.group === group)) {
    const text = raw[`${field.group}.${field.name}`];
    if (field.control === "checkbox") {
      values[field.name] = text === "on";
      continue;
    }
    if (text === undefined || text.trim() === "") continue;
    if (field.type === "number" || field.type === "integer") values[field.name] = text.trim() !== "" && Number.isFinite(Number(text)) ? Number(text) : text;
    else if (field.control === "list") values[field.name] = text.split(",").map((s) => s.trim()).filter(Boolean);
    else values[field.name] = text;
  }
  return values;
}

/** Who the new resource is: an environment's name and stage, or a service's name, its first instance and that instance's environment. */
export interface RequestedResource {
  name: string;
  stage?: string;
  instance?: string;
  environment?: string;
}

/** The inventory file a request adds, with its path in the inventory folder. */
/** `pipeline`: the service pipeline's inputs, for a template with a pipeline. */
export function inventoryFile(template: { name: string; kind: TemplateKind; major: number }, who: RequestedResource, inputs: Record<string, unknown>, pipeline?: Record<string, unknown>): { path: string; text: string } {
  const head = `# Requested in Baryon's catalog: ${template.name} ${template.major}.x\n`;
  if (template.kind === "environment") {
    const doc = { proton: "EnvironmentSpec", template: `${template.name}@${template.major}`, stage: who.stage, spec: inputs };
    return { path: `environments/${who.name}.yaml`, text: head + stringify(doc) };
  }
  const doc = {
    proton: "ServiceSpec", template: `${template.name}@${template.major}`, ...(pipeline ? { pipeline } : {}),
    instances: [{ name: who.instance, environment: who.environment, spec: inputs }],
  };
  return { path: `services/${who.name}.yaml`, text: head + stringify(doc) };
}
