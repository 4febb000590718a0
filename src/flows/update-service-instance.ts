// Update one service instance from outside the inventory, as AWS Proton's
// UpdateServiceInstance did (pipelines written for Proton call it to roll out a
// new image). The deployment it records is an ordinary one: the deploy job runs
// it, serialized with the resource's other deployments.
//   1. find the instance `<service>/<instance>` in the owner's registry
//   2. the version: CURRENT_VERSION keeps the one it runs; MINOR_VERSION moves to the
//      minor asked for, else the major's recommended one; MAJOR_VERSION is an inventory change
//   3. its inputs: its own entry of the ServiceSpec text (the others are ignored), with
//      `${Proton::CURRENT_VAL}` resolved, checked against that version's schema
//   4. record the inputs as the resource's (the file's spec kept beside them, outside-inputs.ts)
//      and the deployment, with the settings its provisioner last deployed with
import type { Diagnostic } from "../bundle/diagnostics.js";
import type { Bundle, Spec } from "../bundle/model.js";
import { parseSpec } from "../bundle/parse/spec.js";
import { validateSpec } from "../bundle/check/validate.js";
import { resolveCurrentValues } from "../bundle/render/context.js";
import { isFinished } from "../inventory/deployment-status.js";
import { instanceKey } from "../inventory/model.js";
import { withOutsideInputs } from "../inventory/outside-inputs.js";
import type { DeploymentRecord, DeploymentStore, RequestedBy, ResourceRecord } from "../ports/deployment-store.js";
import type { VersionRecord, VersionStore } from "../ports/registry.js";

export type DeploymentType = "NONE" | "CURRENT_VERSION" | "MINOR_VERSION" | "MAJOR_VERSION";
export const DEPLOYMENT_TYPES: readonly DeploymentType[] = ["NONE", "CURRENT_VERSION", "MINOR_VERSION", "MAJOR_VERSION"];

export interface UpdateServiceInstancePorts {
  store: DeploymentStore;
  versions: VersionStore;
  bundleOf(version: VersionRecord): Promise<Bundle>;
}

export interface UpdateServiceInstanceInput {
  service: string;
  instance: string;
  deploymentType: DeploymentType;
  /** A ServiceSpec (YAML), as `aws proton update-service-instance --spec` sends it. */
  spec?: string;
  /** Proton sends versions as strings. */
  templateMajorVersion?: string;
  templateMinorVersion?: string;
  requestedBy: RequestedBy;
}

export type UpdateServiceInstanceOutcome =
  /** `deployment` is undefined for NONE, which deploys nothing. */
  | { ok: true; resource: ResourceRecord; deployment?: DeploymentRecord; created: boolean }
  | { ok: false; problem: "not found" | "invalid" | "conflict"; message: string };

type Refusal = Extract<UpdateServiceInstanceOutcome, { ok: false }>;
const refuse = (problem: Refusal["problem"], message: string): Refusal => ({ ok: false, problem, message });

export async function updateServiceInstance(ports: UpdateServiceInstancePorts, input: UpdateServiceInstanceInput): Promise<UpdateServiceInstanceOutcome> {
  const { store } = ports;
  const resource = await store.resource(instanceKey(input.service, input.instance));
  if (resource?.kind !== "service_instance") return refuse("not found", `no service instance ${input.instance} of service ${input.service}`);
  if (input.deploymentType === "NONE") {
    // Proton's NONE updates metadata only; an instance has none here, so a spec would be silently lost.
    if (input.spec !== undefined) return refuse("invalid", "deploymentType NONE deploys nothing, so its spec would be lost: use CURRENT_VERSION to deploy a spec");
    return { ok: true, resource, created: false };
  }
  if (input.deploymentType === "MAJOR_VERSION") {
    return refuse("invalid", `moving ${resource.key} to another major is an inventory change: change \`template:\` in ${resource.declared.file} (Baryon opens an upgrade pull request when a major is published)`);
  }
  const history = await store.deploymentsOf(resource.key);
  const latest = history[0];
  if (latest?.action === "delete" && !isFinished(latest.status)) return refuse("conflict", `${resource.key} is being deleted (deployment #${latest.id})`);
  const running = latest?.status === "succeeded" ? latest : await store.lastSucceeded(resource.key);
  const version = await targetVersion(ports.versions, resource, running ?? latest, input);
  if ("ok" in version) return version;

  let inputs = resource.inputs;
  if (input.spec !== undefined) {
    const given = await instanceInputs(input.spec, resource, await ports.bundleOf(version), running?.inputs);
    if ("ok" in given) return given;
    inputs = given.inputs;
  }
  // The API does not read .github/baryon.yml: the provisioner deploys as it last did for this resource.
  const settings = history.find((d) => d.provisioner === resource.provisioner)?.provisionerSettings;
  if (!settings) return refuse("conflict", `${resource.key} was never deployed with provisioner "${resource.provisioner}": \`baryon apply\` or a push of its inventory deploys it first`);
  const record = withOutsideInputs(resource, inputs);
  const { deployment, created } = await store.requestDeployment(record, {
    resource: record.key, action: "deploy", template: version.template, major: version.major, minor: version.minor,
    inputs, provisioner: record.provisioner, provisionerSettings: settings, requestedBy: input.requestedBy,
  });
  return { ok: true, resource: record, deployment, created };
}

async function targetVersion(versions: VersionStore, resource: ResourceRecord, current: DeploymentRecord | undefined, input: UpdateServiceInstanceInput): Promise<VersionRecord | Refusal> {
  const { name, major } = resource.template;
  const asked = { major: numberOrNaN(input.templateMajorVersion), minor: numberOrNaN(input.templateMinorVersion) };
  if (input.deploymentType === "CURRENT_VERSION") {
    if (input.templateMajorVersion !== undefined || input.templateMinorVersion !== undefined) {
      return refuse("invalid", "CURRENT_VERSION keeps the version the instance runs: give no templateMajorVersion or templateMinorVersion (MINOR_VERSION moves to another minor)");
    }
    if (!current) return refuse("conflict", `${resource.key} has no deployment yet, so it runs no version to keep`);
    return (await versions.getVersion(current.template, current.major, current.minor)) ?? refuse("conflict", `${name} ${current.major}.${current.minor} is no longer in the registry`);
  }
  // MINOR_VERSION: within the major the instance follows.
  if (input.templateMajorVersion !== undefined && asked.major !== major) {
    return refuse("invalid", `${resource.key} follows ${name}@${major}; templateMajorVersion ${input.templateMajorVersion} is another major: change \`template:\` in ${resource.declared.file} to move to it`);
  }
  if (input.templateMinorVersion !== undefined) {
    if (!Number.isInteger(asked.minor)) return refuse("invalid", `templateMinorVersion must be a number (got ${JSON.stringify(input.templateMinorVersion)})`);
    return (await versions.getVersion(name, major, asked.minor)) ?? refuse("invalid", `${name} ${major}.${asked.minor} is not in the registry`);
  }
  return (await versions.recommendedVersion(name, major)) ?? refuse("invalid", `${name}@${major} has no published version`);
}

/** This instance's entry of a ServiceSpec text, checked against the version's schema. */
async function instanceInputs(text: string, resource: ResourceRecord, bundle: Bundle, deployed: Record<string, unknown> | undefined): Promise<{ inputs: Record<string, unknown> } | Refusal> {
  const parsed = parseSpec("spec", text);
  const errors = parsed.diagnostics.filter((d) => d.severity === "error");
  if (!parsed.spec || errors.length) return refuse("invalid", problems(errors));
  if (parsed.spec.kind !== "ServiceSpec") return refuse("invalid", `spec: a service instance's spec is a \`proton: ServiceSpec\` (got ${parsed.spec.kind})`);
  const index = parsed.spec.instances!.findIndex((i) => i.name === resource.name);
  const entry = parsed.spec.instances![index];
  if (!entry) {
    const names = parsed.spec.instances!.map((i) => i.name);
    return refuse("invalid", `spec: no entry for instance "${resource.name}" under \`instances:\`${names.length ? ` (it lists ${names.join(", ")})` : ""}`);
  }
  if (entry.environment !== resource.environment) {
    return refuse("invalid", `spec line ${parsed.spec.lines[`instances.${index}.environment`] ?? 1}: instance "${resource.name}" lives in environment "${resource.environment}", not "${entry.environment}"; an instance cannot move`);
  }
  const resolved = resolveCurrentValues(entry.spec, deployed);
  if (!resolved.ok) return refuse("invalid", `spec: instance "${resource.name}": ${resolved.error.message}`);
  // Only this entry is checked (at index 0, its lines carried over): the others are not deployed here.
  const lines = Object.fromEntries(Object.entries(parsed.spec.lines)
    .filter(([path]) => path.startsWith(`instances.${index}.`))
    .map(([path, line]) => [`instances.0.${path.slice(`instances.${index}.`.length)}`, line]));
  const own: Spec = { file: "spec", kind: "ServiceSpec", instances: [{ ...entry, spec: resolved.inputs }], lines };
  // The pipeline is not this request's: its inputs are not asked for.
  const withoutPipeline: Bundle = bundle.schema ? { ...bundle, schema: { ...bundle.schema, pipelineInputType: undefined } } : bundle;
  const invalid = validateSpec(own, withoutPipeline).filter((d) => d.severity === "error");
  return invalid.length ? refuse("invalid", problems(invalid)) : { inputs: resolved.inputs };
}

/** `spec line 7: port must be a number (schema type In)`: each problem, where it is. */
function problems(diagnostics: readonly Diagnostic[]): string {
  return diagnostics.map((d) => `spec${d.line !== undefined ? ` line ${d.line}` : ""}: ${d.message}`).join("; ");
}

const numberOrNaN = (text: string | undefined): number => (text !== undefined && /^\d+$/.test(text) ? Number(text) : NaN);
