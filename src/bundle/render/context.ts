// Proton's render context: the names a Jinja template can read (see "What a
// Jinja template can read" in docs/proton-format.md), built from plain values.
// Terraform deployments write the same data as variable files (terraform.ts).
//
// Inputs are resolved before they get here: resolveInputs() replaces
// `${Proton::CURRENT_VAL}` with the deployed value and fills in the schema's
// defaults, so a context always holds the inputs a deployment really uses.
import { CURRENT_VALUE, type InputType } from "../model.js";
import { cloneExact, copyExactNumber } from "../exact-numbers.js";

export type Inputs = Record<string, unknown>;
/** Stack outputs are always strings (CloudFormation and Terraform outputs as Proton reported them). */
export type Outputs = Record<string, string>;

/** An environment as seen from the resources deployed into it. */
export interface EnvironmentRef {
  name: string;
  /** The AWS account the environment lives in; left out of the context when unknown. */
  accountId?: string;
  outputs?: Outputs;
}

/** A service. The repository fields belong to its pipeline; Proton gave "" for a service without one. */
export interface ServiceRef {
  name: string;
  branchName?: string;
  repositoryId?: string;
  repositoryConnectionArn?: string;
}

/** A directly defined component attached to a service instance. */
export interface ComponentRef {
  name: string;
  outputs?: Outputs;
}

export interface EnvironmentFields {
  name: string;
  account_id?: string;
  outputs: Outputs;
}

export interface ServiceFields {
  name: string;
  branch_name: string;
  repository_id: string;
  repository_connection_arn: string;
}

export interface EnvironmentContext {
  environment: { name: string; inputs: Inputs };
}

export interface ServiceInstanceContext {
  service: ServiceFields;
  environment: EnvironmentFields;
  service_instance: {
    name: string;
    inputs: Inputs;
    /** The same object as the top-level `environment`. */
    environment: EnvironmentFields;
    /** `default.name` is absent when no component is attached; `default.outputs` is then `{}`. */
    components: { default: { name?: string; outputs: Outputs } };
  };
}

export interface PipelineInstanceRef {
  name: string;
  inputs: Inputs;
  outputs?: Outputs;
  environment: EnvironmentRef;
}

export interface PipelineContext {
  pipeline: { inputs: Inputs };
  service: ServiceFields;
  service_instances: { name: string; inputs: Inputs; outputs: Outputs; environment: EnvironmentFields }[];
}

export interface ComponentContext {
  component: { name: string };
  environment: EnvironmentFields;
  /** Present when the component is attached to a service instance. */
  service?: { name: string };
  service_instance?: { name: string; inputs: Inputs };
}

/** Which resource a context renders; also names Terraform's `proton.<kind>.variables.tf`. */
export type ContextKind = "environment" | "service_instance" | "pipeline" | "component";

export interface ContextByKind {
  environment: EnvironmentContext;
  service_instance: ServiceInstanceContext;
  pipeline: PipelineContext;
  component: ComponentContext;
}

/** Context of an environment's infrastructure. */
export function environmentContext(args: { name: string; inputs: Inputs }): EnvironmentContext {
  return { environment: { name: args.name, inputs: args.inputs } };
}

/** Context of one service instance's infrastructure, in its environment, with its component if any. */
export function serviceInstanceContext(args: {
  service: ServiceRef;
  name: string;
  inputs: Inputs;
  environment: EnvironmentRef;
  component?: ComponentRef;
}): ServiceInstanceContext {
  const environment = environmentFields(args.environment);
  const component = args.component
    ? { name: args.component.name, outputs: args.component.outputs ?? {} }
    : { outputs: {} };
  return {
    service: serviceFields(args.service),
    environment,
    service_instance: { name: args.name, inputs: args.inputs, environment, components: { default: component } },
  };
}

/** Context of a service's pipeline, which deploys to every instance listed, in order. */
export function pipelineContext(args: {
  service: ServiceRef;
  inputs: Inputs;
  instances: readonly PipelineInstanceRef[];
}): PipelineContext {
  return {
    pipeline: { inputs: args.inputs },
    service: serviceFields(args.service),
    service_instances: args.instances.map((instance) => ({
      name: instance.name,
      inputs: instance.inputs,
      outputs: instance.outputs ?? {},
      environment: environmentFields(instance.environment),
    })),
  };
}

/** Context of a directly defined component, in an environment and optionally attached to a service instance. */
export function componentContext(args: {
  name: string;
  environment: EnvironmentRef;
  attachedTo?: { service: string; instance: string; inputs: Inputs };
}): ComponentContext {
  const context: ComponentContext = { component: { name: args.name }, environment: environmentFields(args.environment) };
  if (args.attachedTo) {
    context.service = { name: args.attachedTo.service };
    context.service_instance = { name: args.attachedTo.instance, inputs: args.attachedTo.inputs };
  }
  return context;
}

/**
 * The spec's values with the schema's `default`s filled in for the properties
 * the spec leaves out. Values the spec gives (even null or
 * `${Proton::CURRENT_VAL}`) are kept as they are; defaults come after them, in
 * schema order, and are copied so no two contexts share a default list or mapping.
 */
export function applyDefaults(type: InputType | undefined, values: Inputs): Inputs {
  const result: Inputs = { ...values };
  // copies keep what the numbers alone cannot say (5.0 is a float): see exact-numbers.ts
  for (const name of Object.keys(values)) copyExactNumber(values, name, result);
  for (const [name, property] of Object.entries(type?.properties ?? {})) {
    if (result[name] === undefined && property.default !== undefined) {
      result[name] = cloneExact(property.default);
      copyExactNumber(property, "default", result, name);
    }
  }
  return result;
}

export interface CurrentValueError {
  /** The inputs that asked for the deployed value but have none, in spec order. */
  missing: string[];
  message: string;
}

export type InputsResult = { ok: true; inputs: Inputs } | { ok: false; error: CurrentValueError };

/**
 * Replace every input whose value is `${Proton::CURRENT_VAL}` with the value
 * deployed now. `deployed` is undefined for a resource that was never deployed.
 * Only whole input values are replaced, as in Proton's spec files.
 */
export function resolveCurrentValues(values: Inputs, deployed: Inputs | undefined): InputsResult {
  const inputs: Inputs = {};
  const missing: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    if (value !== CURRENT_VALUE) {
      inputs[name] = value;
      copyExactNumber(values, name, inputs);
    } else if (deployed !== undefined && deployed[name] !== undefined) {
      inputs[name] = deployed[name];
    } else {
      missing.push(name);
    }
  }
  if (missing.length === 0) return { ok: true, inputs };
  const names = missing.map((name) => `"${name}"`).join(", ");
  const why = deployed === undefined ? "nothing is deployed yet" : "the deployed inputs have no value for it";
  return {
    ok: false,
    error: {
      missing,
      message: `${CURRENT_VALUE} keeps the value deployed now, but ${why}: ${names} (give ${missing.length === 1 ? "a value" : "values"} in the spec instead)`,
    },
  };
}

/** The inputs a deployment uses: `${Proton::CURRENT_VAL}` resolved first, then the schema's defaults filled in. */
export function resolveInputs(type: InputType | undefined, values: Inputs, deployed?: Inputs): InputsResult {
  const resolved = resolveCurrentValues(values, deployed);
  return resolved.ok ? { ok: true, inputs: applyDefaults(type, resolved.inputs) } : resolved;
}

function environmentFields(environment: EnvironmentRef): EnvironmentFields {
  const fields: EnvironmentFields = { name: environment.name, outputs: environment.outputs ?? {} };
  if (environment.accountId !== undefined) fields.account_id = environment.accountId;
  return fields;
}

function serviceFields(service: ServiceRef): ServiceFields {
  return {
    name: service.name,
    branch_name: service.branchName ?? "",
    repository_id: service.repositoryId ?? "",
    repository_connection_arn: service.repositoryConnectionArn ?? "",
  };
}
