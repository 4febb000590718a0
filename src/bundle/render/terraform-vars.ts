// Terraform bundles (rendering_engine: hcl) are not rendered: like Proton, Baryon
// writes two files next to the template's *.tf files, declaring and setting the
// variables a template reads (var.environment.inputs.x, var.service_instance...).
// The declarations follow the last files Proton was seen to write for each kind;
// docs/terraform.md gives the sources and the choices made where Proton was vague.
import type { ContextByKind, ContextKind, EnvironmentFields, ServiceFields } from "./context.js";
import { copyExactNumber, toPythonJson } from "../exact-numbers.js";

/** The values file; Terraform loads `*.auto.tfvars.json` on its own. */
export const TFVARS_FILE = "proton.auto.tfvars.json";

/** `proton.environment.variables.tf`, `proton.service_instance.variables.tf`, ... */
export function variablesFileName(kind: ContextKind): string {
  return `proton.${kind}.variables.tf`;
}

/**
 * The variables file and the values file for one Terraform deployment, keyed by
 * file name. Deterministic: fixed declarations per kind, and the values with the
 * keys of every inputs, outputs and tags mapping sorted, ending in a newline.
 * `tags` become `proton_tags` (for the AWS provider's `default_tags`); without
 * them the variable is declared but left null.
 */
export function terraformVariableFiles<K extends ContextKind>(
  kind: K,
  context: ContextByKind[K],
  tags?: Readonly<Record<string, string>>,
): Record<string, string> {
  const values: Record<string, unknown> = tfvars[kind](context);
  if (tags !== undefined) values.proton_tags = sortKeys(tags);
  return {
    [variablesFileName(kind)]: HEADER + DECLARATIONS[kind].join("\n"),
    // 5.0 stays 5.0 and a big integer keeps its digits, as the spec wrote them
    [TFVARS_FILE]: toPythonJson(values, "  ").json + "\n",
  };
}

const tfvars: { [K in ContextKind]: (context: ContextByKind[K]) => Record<string, unknown> } = {
  environment: ({ environment }) => ({
    environment: { name: environment.name, inputs: sortKeys(environment.inputs) },
  }),
  service_instance: ({ environment, service, service_instance }) => {
    const component = service_instance.components.default;
    return {
      environment: environmentValues(environment),
      service: serviceValues(service),
      service_instance: {
        name: service_instance.name,
        inputs: sortKeys(service_instance.inputs),
        // Proton wrote {} without a component; templates test it with can(...components.default).
        components: component.name === undefined ? {} : { default: { name: component.name, outputs: sortKeys(component.outputs) } },
      },
    };
  },
  pipeline: ({ pipeline, service, service_instances }) => ({
    pipeline: { inputs: sortKeys(pipeline.inputs) },
    service: serviceValues(service),
    service_instances: service_instances.map((instance) => ({
      name: instance.name,
      inputs: sortKeys(instance.inputs),
      outputs: sortKeys(instance.outputs),
      environment: environmentValues(instance.environment),
    })),
  }),
  component: ({ component, environment, service, service_instance }) => {
    const values: Record<string, unknown> = { component: { name: component.name }, environment: environmentValues(environment) };
    // A component attached only to its environment: Proton left both out.
    if (service) values.service = { name: service.name };
    if (service_instance) values.service_instance = { name: service_instance.name, inputs: sortKeys(service_instance.inputs) };
    return values;
  },
};

function environmentValues(environment: EnvironmentFields): Record<string, unknown> {
  // null rather than a made-up account: a template that reads it fails at plan time.
  return { account_id: environment.account_id ?? null, name: environment.name, outputs: sortKeys(environment.outputs) };
}

function serviceValues(service: ServiceFields): Record<string, unknown> {
  return {
    name: service.name,
    repository_connection_arn: service.repository_connection_arn,
    repository_id: service.repository_id,
    branch_name: service.branch_name,
  };
}

/** A copy with the keys of every mapping sorted (lists keep their order), so equal values give equal bytes. */
function sortKeys<T>(value: T): T {
  if (value === null || typeof value !== "object") return value;
  const source = value as Record<string, unknown>;
  const keys = Array.isArray(value) ? Object.keys(value) : Object.keys(value).sort();
  const copy: Record<string, unknown> = Array.isArray(value) ? ([] as unknown as Record<string, unknown>) : {};
  for (const key of keys) {
    copy[key] = sortKeys(source[key]);
    copyExactNumber(source, key, copy);
  }
  return copy as T;
}

const HEADER = `/*
Written by Baryon for this deployment: it declares the variables that Proton
passed to Terraform templates. Changes made here are overwritten by the next
deployment; change the template or the spec instead.
*/

`;

// One declaration per variable, as Proton wrote it (names, attribute order, defaults).
const decl = {
  environmentInputs: `variable "environment" {
  type = object({
    inputs = any
    name   = string
  })
  default = null
}
`,
  environmentOutputs: (nullable: boolean) => `variable "environment" {
  type = object({
    account_id = string
    name       = string
    outputs    = map(string)
  })
${nullable ? "  default = null\n" : ""}}
`,
  service: (nullable: boolean) => `variable "service" {
  type = object({
    name                      = string
    branch_name               = string
    repository_connection_arn = string
    repository_id             = string
  })
${nullable ? "  default = null\n" : ""}}
`,
  serviceName: `variable "service" {
  type = object({
    name = string
  })
  default = null
}
`,
  // Inputs are \`any\` where Proton's last files had it, so numbers, booleans
  // and lists keep their type.
  serviceInstance: `variable "service_instance" {
  type = object({
    name       = string
    inputs     = any
    components = map(any)
  })
  default = null
}
`,
  // map(string) where Proton's files had it; for service_instances \`any\` would
  // also fail whenever two instances' inputs differ in shape.
  serviceInstances: `variable "service_instances" {
  type = list(
    object({
      name    = string
      inputs  = map(string)
      outputs = map(string)
      environment = object({
        account_id = string
        name       = string
        outputs    = map(string)
      })
    })
  )
}
`,
  pipeline: `variable "pipeline" {
  type = object({
    inputs = map(string)
  })
  default = null
}
`,
  component: `variable "component" {
  type = object({
    name = string
  })
}
`,
  componentInstance: `variable "service_instance" {
  type = object({
    name   = string
    inputs = map(string)
  })
  default = null
}
`,
  protonTags: `variable "proton_tags" {
  type    = map(string)
  default = null
}
`,
};

/** The variable blocks Baryon writes for each kind, as Proton did; the Terraform lint reads their names. */
export const DECLARATIONS: Record<ContextKind, string[]> = {
  environment: [decl.environmentInputs, decl.protonTags],
  service_instance: [decl.environmentOutputs(true), decl.service(false), decl.serviceInstance, decl.protonTags],
  pipeline: [decl.serviceInstances, decl.service(true), decl.pipeline, decl.protonTags],
  component: [decl.component, decl.environmentOutputs(false), decl.serviceName, decl.componentInstance, decl.protonTags],
};
