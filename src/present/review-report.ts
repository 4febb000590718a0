// The review of one change: one data structure, rendered as Markdown for GitHub
// and as text for terminals (see markdown.ts and text.ts).
import type { BundleStatus } from "../bundle/classify/changes.js";
import type { ChangeLevel, ChangeReason } from "../bundle/classify/classify.js";
import type { Diagnostic } from "../bundle/diagnostics.js";
import type { RenderedDiff } from "../bundle/diff/diff.js";
import type { TemplateKind } from "../bundle/model.js";

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
  diff: RenderedDiff;
}

export interface ReviewReport {
  baseName: string;
  headName: string;
  templates: TemplateReview[];
  /** Changed files outside every bundle: they make no version. */
  unbundledFiles: string[];
  /** Diagnostics that belong to no changed template. */
  diagnostics: Diagnostic[];
}

export function reviewErrors(report: ReviewReport): number {
  return [...report.diagnostics, ...report.templates.flatMap((t) => t.diagnostics)].filter((d) => d.severity === "error").length;
}

export function reviewWarnings(report: ReviewReport): number {
  return [...report.diagnostics, ...report.templates.flatMap((t) => t.diagnostics)].filter((d) => d.severity === "warning").length;
}
