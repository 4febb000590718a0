// The Provisioner port: how one deployment reaches infrastructure. Adapters
// (src/adapters/provisioners/) are chosen per resource by the name given in
// `provisioners:` of .github/baryon.yml. No SDK or process types here.
//
// A deployment may outlive the job that starts it (a CloudFormation stack
// update, a pull request waiting for its repository's CI): `deploy` then answers
// `in_progress` with a handle, and the deploy job polls `status` from a delayed
// job instead of holding a worker. A provisioner that finishes within the call
// (`command`) answers `succeeded` or `failed` at once.

/** `service_pipeline` is Proton's word for a service's pipeline, kept in BARYON_RESOURCE_KIND. */
export type ResourceKind = "environment" | "service_instance" | "service_pipeline";

export interface ResourceRef {
  kind: ResourceKind;
  /** The environment's, instance's or service's name (a pipeline is named by its service). */
  name: string;
  /** Instances and pipelines: the service they belong to. */
  service?: string;
  /** Instances: the environment they live in. */
  environment?: string;
}

/** One file of a resource's render, relative to the resource's folder (`instance_infrastructure/cloudformation.yaml`). */
export interface DeploymentFile {
  path: string;
  content: string;
}

export interface DeploymentRequest {
  /** The deployment's id in the registry: stable across retries of the same attempt. */
  id: string;
  /** What the deployment does: `status` needs it to tell a finished delete from a stack that never was. */
  action: "deploy" | "delete";
  owner: string;
  resource: ResourceRef;
  template: { name: string; version: string };
  /** The inputs the render used (defaults applied, `${Proton::CURRENT_VAL}` resolved). */
  inputs: Record<string, unknown>;
  files: readonly DeploymentFile[];
  /** Adapter-specific settings from the inventory file (`stack:` for cloudformation). */
  settings?: Record<string, unknown>;
}

/** Outputs as CloudFormation and Terraform report them: strings. */
export type DeploymentOutputs = Record<string, string>;

export type ProvisionResult =
  | { status: "succeeded"; outputs: DeploymentOutputs; log: string }
  | { status: "failed"; reason: string; log: string }
  /** Still running outside Baryon: ask `status` again later with this handle. */
  | { status: "in_progress"; handle: string; log: string }
  /** The infrastructure side gave up on it (a pull request closed unmerged). */
  | { status: "cancelled"; reason: string; log: string };

/** Whether what runs still is what Baryon deployed. */
export type DriftState = "in_sync" | "drifted" | "unknown";

export interface DriftFinding {
  /** The resource of the infrastructure (a stack's logical id, a file), when known. */
  subject?: string;
  /** The property that differs, when known. */
  property?: string;
  /** In words: what differs, or why it could not be told. */
  detail: string;
}

export interface DriftReport {
  state: DriftState;
  /** Empty when in sync. */
  findings: DriftFinding[];
}

export interface Provisioner {
  deploy(request: DeploymentRequest, signal?: AbortSignal): Promise<ProvisionResult>;
  /**
   * Compares the infrastructure with `request`, the last successful deployment rendered again.
   * Optional: a provisioner without it cannot tell, and its resources' drift is unknown.
   */
  detectDrift?(request: DeploymentRequest): Promise<DriftReport>;
  /** Where an `in_progress` deployment stands now. */
  status(request: DeploymentRequest, handle: string): Promise<ProvisionResult>;
  /** Removes what `deploy` created; `outputs` of a finished delete are empty. */
  destroy(request: DeploymentRequest, signal?: AbortSignal): Promise<ProvisionResult>;
}

/** A provisioner's settings were refused (a missing command, a bad timeout): said once, at the config's line. */
export class ProvisionerConfigError extends Error {
  override name = "ProvisionerConfigError";
}
