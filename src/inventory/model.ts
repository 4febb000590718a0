// The inventory: which environments, services and service instances exist,
// from which template major, in which stage, deployed by which provisioner.
// Read from Proton's spec files plus Baryon's keys (see docs/inventory.md).
import type { Bundle } from "../bundle/model.js";

/** What an inventory file asks for: `fargate-env@1` follows major 1, `fargate-env@1.3` pins 1.3. */
export interface TemplateRef {
  name: string;
  major: number;
  minor?: number;
}

/** One published (or pinned) version of a template, with its bundle. */
export interface CatalogVersion {
  major: number;
  minor: number;
  bundle: Bundle;
}

/**
 * What the inventory is checked against: the owner's registry, as the flow
 * loaded it. `recommended` is the highest published minor of the major.
 */
export interface TemplateCatalog {
  templateNames(): Iterable<string>;
  majors(template: string): readonly number[];
  recommended(template: string, major: number): CatalogVersion | undefined;
  version(template: string, major: number, minor: number): CatalogVersion | undefined;
}

/** Where a resource is declared, for diagnostics and for the review's links. */
export interface Declared {
  /** Path of the spec file, `<repository>:<path>` when it lives in another repository of the owner. */
  file: string;
  line: number;
}

interface ResourceBase {
  /** The resource's key, unique within an owner: `payments-prod`, `checkout/checkout-prod`, `checkout/pipeline`. */
  key: string;
  name: string;
  template: TemplateRef;
  /** The version it deploys when it is created or its template reference changes: the pin, or the major's recommended minor. */
  version: CatalogVersion;
  provisioner: string;
  /** Inputs as the spec file gives them (defaults are applied when rendering). */
  inputs: Record<string, unknown>;
  declared: Declared;
}

export interface EnvironmentResource extends ResourceBase {
  kind: "environment";
  stage: string;
  stack?: string;
}

export interface InstanceResource extends ResourceBase {
  kind: "service_instance";
  service: string;
  environment: string;
  /** The environment's stage. */
  stage: string;
  stack?: string;
}

/** A service's pipeline, when its template has one; it deploys to every instance of the service. */
export interface PipelineResource extends ResourceBase {
  kind: "service_pipeline";
  service: string;
  /** The spec file's `pipelineStack:`: adopt this CloudFormation stack. */
  stack?: string;
}

export type Resource = EnvironmentResource | InstanceResource | PipelineResource;

export interface Inventory {
  /** Environments first, then each service's instances and its pipeline, in file order. */
  resources: Resource[];
}

export const instanceKey = (service: string, instance: string): string => `${service}/${instance}`;
export const pipelineKey = (service: string): string => `${service}/pipeline`;

/** An environment's, a service's or an instance's name in the inventory. */
export const RESOURCE_NAME = /^[0-9A-Za-z][0-9A-Za-z_-]{0,99}$/;

export const templateRefText = (ref: TemplateRef): string =>
  `${ref.name}@${ref.major}${ref.minor !== undefined ? `.${ref.minor}` : ""}`;
export const versionText = (v: { major: number; minor: number }): string => `${v.major}.${v.minor}`;
