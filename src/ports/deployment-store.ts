// One owner's resources (the inventory as last reconciled) and their
// deployments, in the registry. No pg or PGlite types here.
//
// The deployment row is the truth a deploy job advances: jobs are level-triggered,
// so a lost job, a redelivered push or a killed worker costs time, never a second
// deployment or one stuck `in_progress` (the resync finds unfinished rows).
import type { ProvisionerSettings } from "../config/repo-config.js";
import type { DeploymentStatus } from "../inventory/deployment-status.js";
import type { Declared, TemplateRef } from "../inventory/model.js";
import type { DeploymentOutputs, ResourceKind, DriftReport } from "./provisioner.js";
import type { Owner } from "./registry.js";

/** Resources of one template, of one stage. */
export interface ResourceFilter {
  template?: string | undefined;
  stage?: string | undefined;
}

/** Resources of a template and stage (undefined: a pipeline) that run a version (undefined: none has succeeded yet). */
export interface VersionCount {
  template: string;
  stage?: string;
  version?: { major: number; minor: number };
  count: number;
}

/** A resource with the deployment that runs (its last success) and its latest, whatever the outcome. */
export interface ResourceStatus {
  resource: ResourceRecord;
  running?: DeploymentRecord;
  latest?: DeploymentRecord;
  /** Its latest drift check, when it had one. */
  drift?: DriftRecord;
}

/** A resource as reconciled from the inventory: what it should be. */
export interface ResourceRecord {
  /** Unique within the owner: `payments-prod`, `checkout/checkout-prod`, `checkout/pipeline`. */
  key: string;
  kind: ResourceKind;
  name: string;
  /** Instances and pipelines. */
  service?: string;
  /** Instances. */
  environment?: string;
  /** Environments and instances. */
  stage?: string;
  template: TemplateRef;
  inputs: Record<string, unknown>;
  provisioner: string;
  stack?: string;
  /** The repository ("owner/name") whose `.github/baryon.yml` reconciles it. */
  source: string;
  declared: Declared;
  /** Why rollouts skip it (a rollback held it), until a person resumes. */
  held?: string;
  /**
   * Set while `inputs` came from outside the inventory file (the Proton API): what the file
   * said then. A reconcile compares the file with these, so the outside inputs stand until
   * the file's spec of the resource changes; a reconcile that redeploys it clears them.
   */
  inventoryInputs?: Record<string, unknown>;
}

export type DeploymentAction = "deploy" | "delete";

export type { DeploymentStatus } from "../inventory/deployment-status.js";

/** Who or what asked for a deployment. */
export interface RequestedBy {
  /** A GitHub login, or `baryon` for the system itself (a resync, a rollout). */
  actor: string;
  /** Why: "inventory change", "rollout", "manual", "rollback", ... */
  reason: string;
  repository?: string;
  pullRequest?: number;
  commentUrl?: string;
  rollout?: string;
}

export interface NewDeployment {
  resource: string;
  action: DeploymentAction;
  template: string;
  major: number;
  minor: number;
  /** The inputs the spec gives (defaults are applied when rendering). */
  inputs: Record<string, unknown>;
  provisioner: string;
  /** The provisioner's settings as the config gave them when the deployment was asked for. */
  provisionerSettings: ProvisionerSettings;
  requestedBy: RequestedBy;
  /** A rollout's deployment: one per resource, attempt and kind (a rollback is marked as one). */
  rollout?: RolloutAttempt;
  /** A rollback's hold on its resource (why), recorded with it in one transaction: rollouts skip the resource. */
  hold?: string;
}

export interface RolloutAttempt {
  id: string;
  attempt: number;
  rollback: boolean;
}

export interface DeploymentRecord extends NewDeployment {
  /** The registry's number for it, as text: stable for the attempt's life, larger for a later request. */
  id: string;
  status: DeploymentStatus;
  /** SHA-256 of what was rendered, set when the deployment starts. */
  renderedDigest?: string;
  /** The provisioner's handle of a deployment still running outside Baryon. */
  handle?: string;
  outputs: DeploymentOutputs;
  /** Why it failed or was cancelled. */
  reason?: string;
  /** Times a run that died with its worker was started again. */
  restarts: number;
  /** Where the artifact store keeps its log. */
  log?: string;
  createdAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
}

export type DeploymentResult =
  | { status: "succeeded" | "delete_succeeded"; outputs: DeploymentOutputs; log?: string }
  | { status: "failed" | "cancelled" | "delete_failed"; reason: string; log?: string };

export interface DeploymentStore {
  readonly owner: Owner;
  /** Resources as last reconciled, environments first, then by key; only an environment's instances, or a service's resources, when asked. */
  resources(only?: { environment?: string; service?: string }): Promise<ResourceRecord[]>;
  resource(key: string): Promise<ResourceRecord | undefined>;
  /**
   * Records a resource's desired state and, in the same transaction, the deployment
   * that brings it there, unless an unfinished deployment of that resource with the same
   * target (action, version, inputs, provisioner) exists: then that one is returned with
   * created: false. So a reconcile that runs twice deploys once. A rollout's deployment
   * is instead unique per rollout, resource, attempt and kind, whatever else is queued.
   */
  requestDeployment(resource: ResourceRecord | undefined, deployment: NewDeployment): Promise<{ deployment: DeploymentRecord; created: boolean }>;
  /** pending → in_progress (delete_pending → delete_in_progress); false when it was not pending (another worker has it, or it finished). */
  startDeployment(id: string, renderedDigest: string): Promise<boolean>;
  /** Keeps the provisioner's handle of a deployment that runs on outside Baryon. */
  setHandle(id: string, handle: string): Promise<void>;
  /** A run inside a worker says it is alive (startDeployment counts as the first beat). */
  heartbeat(id: string): Promise<void>;
  /**
   * A deployment in progress inside a worker (no handle): `alive` while it beat within
   * `staleMs`; else back to pending under the same row (`restarted`), unless it was
   * restarted `maxRestarts` times already (`exhausted`). `not running` otherwise.
   */
  restartStale(id: string, staleMs: number, maxRestarts: number): Promise<"alive" | "restarted" | "exhausted" | "not running">;
  /** Finishes an unfinished deployment; false when it had finished already (nothing changes). A succeeded delete removes the resource. */
  finishDeployment(id: string, result: DeploymentResult): Promise<boolean>;
  getDeployment(id: string): Promise<DeploymentRecord | undefined>;
  /** A resource's deployments, newest first. */
  deploymentsOf(resource: string, limit?: number): Promise<DeploymentRecord[]>;
  /** The newest succeeded deploy of a resource: its version and outputs. */
  lastSucceeded(resource: string): Promise<DeploymentRecord | undefined>;
  /** The same for every resource of the owner at once, by resource key (one query for a whole plan). */
  lastSucceededAll(): Promise<Map<string, DeploymentRecord>>;
  /** The latest deployment of every resource of the owner, whatever its outcome, by resource key (one query for a dashboard). */
  latestAll(): Promise<Map<string, DeploymentRecord>>;
  /** How many resources run each version of each template, by stage, counted in the registry (a fleet of 10,000 is not read to count it). */
  versionCounts(filter?: ResourceFilter): Promise<VersionCount[]>;
  /** One page of resources, sorted by key, each with its running and latest deployment, and how many the filter leaves in all. */
  statusPage(page: ResourceFilter & { offset: number; limit: number }): Promise<{ statuses: ResourceStatus[]; total: number }>;
  /** Unfinished deployments (pending or in progress), oldest first: what the resync re-enqueues. */
  unfinished(limit?: number): Promise<DeploymentRecord[]>;
  /** Keeps a resource's latest drift check (replacing the one before). */
  recordDrift(resource: string, check: DriftCheck): Promise<void>;
  /** The latest drift check of every resource checked. */
  driftAll(): Promise<Map<string, DriftRecord>>;
}

/** A drift check of a resource against one of its deployments (its last successful one). */
export interface DriftCheck extends DriftReport {
  deployment: string;
}

export interface DriftRecord extends DriftCheck {
  checkedAt: Date;
}
