// The review of one change: one data structure, rendered as Markdown for GitHub
// and as text for terminals (see review-markdown.ts and review-text.ts).
import type { BundleStatus, SpecFileChange } from "../bundle/classify/changes.js";
import type { ChangeLevel, ChangeReason } from "../bundle/classify/classify.js";
import type { Diagnostic } from "../bundle/diagnostics.js";
import type { RenderedDiff } from "../bundle/diff/diff.js";
import type { TemplateKind } from "../bundle/model.js";
import type { InventoryReview } from "./inventory-review.js";

export interface TemplateReview {
  name: string;
  kind: TemplateKind;
  /** Repository-relative path of the version folder. */
  dir: string;
  major: number;
  status: BundleStatus;
  change: ChangeLevel;
  /** The version a merge would publish (`1.3`, `2.0`); undefined when nothing would be published. */
  version?: string;
  reasons: ChangeReason[];
  diagnostics: Diagnostic[];
  /**
   * Base and head rendered from every spec, compared per rendered resource (an
   * environment, each service instance, a pipeline): `total` resources, `changed` of them differ.
   */
  diff: RenderedDiff;
  /** The deployed resources that follow this major, each rendered by base and head with its deployed inputs and outputs. */
  fleet?: RenderedDiff;
}

export interface ReviewReport {
  baseName: string;
  headName: string;
  templates: TemplateReview[];
  /** Changed example specs, by template: they make no version, and are rendered with their template's changed bundles. */
  specFiles?: SpecFileChange[];
  /** Other changed files outside every bundle: they make no version. */
  unbundledFiles: string[];
  /** Diagnostics that belong to no changed template. */
  diagnostics: Diagnostic[];
  /** The inventory part, when the change touches inventory files. */
  inventory?: InventoryReview;
}

/** Every problem of the review: outside any template, in each template, in the inventory. */
export function allDiagnostics(report: ReviewReport): Diagnostic[] {
  return [...report.diagnostics, ...report.templates.flatMap((t) => t.diagnostics), ...(report.inventory?.diagnostics ?? [])];
}

export function reviewErrors(report: ReviewReport): number {
  return allDiagnostics(report).filter((d) => d.severity === "error").length;
}

export function reviewWarnings(report: ReviewReport): number {
  return allDiagnostics(report).filter((d) => d.severity === "warning").length;
}

/** What a template's rendered resources are: what "1 of 2 …" counts. */
export function resourceNoun(kind: TemplateKind, count: number): string {
  if (kind === "environment") return count === 1 ? "environment" : "environments";
  return count === 1 ? "service instance or pipeline" : "service instances and pipelines";
}

/** "1 of 2 environments": how many of a template's rendered resources the change alters. */
export function resourcesChanged(t: TemplateReview): string {
  const fleet = t.fleet ? `; deployed: ${t.fleet.changed} of ${t.fleet.total}` : "";
  return `${t.diff.changed} of ${t.diff.total} ${resourceNoun(t.kind, t.diff.total)}${fleet}`;
}
