// The bundle engine's vocabulary (see "Words" in DESIGN.md). Plain data only:
// parsing produces these, validation and rendering read them.

export type TemplateKind = "environment" | "service";

/** The folders of a bundle that hold IaC, each with its own manifest.yaml. */
export type PartName = "infrastructure" | "instance_infrastructure" | "pipeline_infrastructure";

export type RenderingEngine = "jinja" | "hcl" | "codebuild";
export type TemplateLanguage = "cloudformation" | "terraform";

/** Repository tree: repository-relative "/" paths to raw bytes. Fed by git, GitHub or the filesystem. */
export type FileTree = ReadonlyMap<string, Uint8Array>;

/** One `templates:` entry of a manifest.yaml. */
export interface ManifestTemplate {
  /** As written: a file name, or "*" for every *.tf in the part folder. */
  file: string;
  renderingEngine: RenderingEngine;
  templateLanguage?: TemplateLanguage;
  /** Line of this entry in manifest.yaml. */
  line?: number;
}

/** `rendering_engine: codebuild` settings: commands instead of rendered IaC. */
export interface CodeBuildSettings {
  image?: string;
  runtimes?: Record<string, string>;
  variables: Record<string, string>;
  provision: string[];
  deprovision: string[];
}

export interface BundlePart {
  name: PartName;
  /** Repository-relative path of the part folder, e.g. "svc/v1/instance_infrastructure". */
  dir: string;
  /** Repository-relative path of its manifest.yaml. */
  manifest: string;
  templates: ManifestTemplate[];
  codebuild?: CodeBuildSettings;
  /** The IaC files the manifest selects, repository-relative paths in manifest order. */
  files: string[];
}

/** An OpenAPI 3.0 object schema as written in schema.yaml (a subset of JSON Schema). */
export interface InputType {
  type?: string;
  description?: string;
  title?: string;
  properties?: Record<string, PropertySchema>;
  required?: string[];
  [keyword: string]: unknown;
}

export interface PropertySchema {
  type?: string;
  description?: string;
  title?: string;
  default?: unknown;
  pattern?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  items?: PropertySchema;
  /** Nested objects (`type: object`). */
  properties?: Record<string, PropertySchema>;
  required?: string[];
  [keyword: string]: unknown;
}

export interface InputSchema {
  /** Repository-relative path of schema/schema.yaml. */
  file: string;
  openapi: string;
  environmentInputType?: string;
  serviceInputType?: string;
  pipelineInputType?: string;
  types: Record<string, InputType>;
  /** Line of every node of schema.yaml, keyed by dotted path ("schema.types.In.properties.port"). */
  lines: Record<string, number>;
}

export interface CompatibleEnvironment {
  name: string;
  major: number;
}

/** The files of one major version folder `<template>/v<MAJOR>/`. */
export interface Bundle {
  template: string;
  kind: TemplateKind;
  major: number;
  /** Repository-relative path of the version folder, e.g. "templates/fargate-svc/v1". */
  dir: string;
  /** Every file of the bundle, repository-relative path to bytes. */
  files: FileTree;
  schema?: InputSchema;
  parts: BundlePart[];
  /** Service templates only. */
  compatibleEnvironments: CompatibleEnvironment[];
  supportedComponentSources: string[];
}

export type SpecKind = "EnvironmentSpec" | "ServiceSpec";

export interface ServiceInstanceSpec {
  name: string;
  environment: string;
  spec: Record<string, unknown>;
  /** Inventory: the CloudFormation stack this instance adopts. */
  stack?: string;
}

/** A parsed spec file (EnvironmentSpec or ServiceSpec). */
export interface Spec {
  /** Repository-relative path. */
  file: string;
  kind: SpecKind;
  /** EnvironmentSpec: the environment's inputs. */
  spec?: Record<string, unknown>;
  /** ServiceSpec: pipeline inputs, when the service has a pipeline. */
  pipeline?: Record<string, unknown>;
  /** ServiceSpec: one entry per service instance. */
  instances?: ServiceInstanceSpec[];
  /** Line of each value, keyed by a dotted path ("instances.0.spec.port"), for diagnostics. */
  lines: Record<string, number>;
  // Inventory specs: Baryon's keys beside Proton's format.
  /** The environment's or service's name; the file name without extension when absent. */
  name?: string;
  /** `template: name@major` follows a major; `name@major.minor` pins a minor. */
  template?: { name: string; major: number; minor?: number };
  /** Environments: the rollout stage (`test`, `prod`, ...); instances take their environment's. */
  stage?: string;
  /** A provisioner named in .github/baryon.yml. */
  provisioner?: string;
  /** Environments: the CloudFormation stack to adopt. */
  stack?: string;
  /** Services: the CloudFormation stack of the pipeline to adopt. */
  pipelineStack?: string;
}

/** A template folder `<template>/` with its major version folders and example specs. */
export interface Template {
  name: string;
  kind: TemplateKind;
  /** Repository-relative path of the template folder. */
  dir: string;
  /** One bundle per major version folder, ordered by major. */
  bundles: Bundle[];
  /** Example specs from `<template>/spec/*.yaml` (not part of any bundle). */
  specs: Spec[];
}

/** Proton's value meaning "keep the value deployed now". */
export const CURRENT_VALUE = "${Proton::CURRENT_VAL}";
