// "Is this bundle publishable, and as what?" — answered once, for review,
// publish and validate alike (DESIGN.md, "One question, one function"):
//   1. validate the bundle and each spec against its schema;
//   2. classify it against its base; a breaking change inside an existing
//      major is an error that says to make vN+1/;
//   3. render every spec that passed (render failures are errors), lint its
//      Terraform as written and its CloudFormation as rendered;
//   4. plan the version: the next number of its major, or why none.
// Pure but for the Renderer it is given (the sandbox behind a port).
import { classifyChange, type Classification } from "../classify/classify.js";
import { hasErrors, sortDiagnostics, type Diagnostic } from "../diagnostics.js";
import { validateBundle, validateSpec } from "../check/validate.js";
import { lintTerraformBundle } from "../lint/rendered.js";
import type { Bundle, Spec, Template } from "../model.js";
import type { Renderer } from "../../ports/renderer.js";
import { breakingInPlace } from "./breaking-change.js";
import { RenderLint, renderSpecs, type SpecRender, type SpecResource } from "./render-specs.js";

export type { SpecRender, SpecResource };

export interface AssessInput {
  /** The bundle that would be published. */
  head: Bundle;
  /**
   * What it follows in its major: the same folder at a pull request's base, or the
   * registry's latest stored version. Undefined for a major never seen (a new vN/).
   */
  base?: Bundle;
  /** Specs to check and render with head, example specs first (see specsFor). */
  specs: readonly Spec[];
  /** Problems found while loading head's repository that are this bundle's (see loadingProblems). */
  loading: readonly Diagnostic[];
  /** The highest minor recorded for head's major; undefined when none is. */
  latestMinor: number | undefined;
}

/** The number a publish would take, or why it would take none. */
export type VersionPlan =
  | { publish: true; major: number; minor: number; version: string }
  | { publish: false; why: "errors" | "unchanged" };

export interface Assessment {
  classification: Classification;
  plan: VersionPlan;
  /**
   * Every problem, sorted: loading, validation, breaking change, render failures,
   * Terraform lint and rendered CloudFormation lint. Any error blocks publishing.
   */
  diagnostics: Diagnostic[];
  /** What head rendered for each spec, in the order given; empty when each resource went to the caller instead (see assessBundle). */
  renders: SpecRender[];
}

/**
 * Given `each`, every rendered resource goes to it as it renders, in spec order,
 * and the assessment keeps none (a fleet's review diffs them as they come).
 */
export async function assessBundle(input: AssessInput, renderer: Renderer, each?: (rendered: SpecResource) => void): Promise<Assessment> {
  const { head, base } = input;
  const validation = [...validateBundle(head), ...input.specs.flatMap((spec) => validateSpec(spec, head))];
  const classification = classifyChange(base, head);
  // Without a base the bundle is a new major: "major" is its nature, not a break.
  const breaking = base && classification.change === "major" ? [breakingInPlace(head, classification)] : [];

  const invalid = new Set(validation.filter((d) => d.severity === "error").map((d) => d.file));
  const lint = new RenderLint(head);
  const renders: SpecRender[] = [];
  const collect = ({ spec, resource, files }: SpecResource) => {
    if (renders.at(-1)?.spec !== spec) renders.push({ spec, files: [], resources: [] });
    renders.at(-1)!.files.push(...files);
    renders.at(-1)!.resources.push(resource);
  };
  const [rendered, terraform] = await Promise.all([
    renderSpecs(head, input.specs, (spec) => invalid.has(spec.file), renderer, (r) => (lint.offer(r.resource), (each ?? collect)(r))),
    lintTerraformBundle(head),
  ]);
  const diagnostics = sortDiagnostics([...input.loading, ...validation, ...breaking, ...rendered, ...terraform, ...lint.found]);
  return { classification, plan: planVersion(head.major, classification, diagnostics, input.latestMinor), diagnostics, renders };
}

function planVersion(major: number, classification: Classification, diagnostics: Diagnostic[], latestMinor: number | undefined): VersionPlan {
  if (hasErrors(diagnostics)) return { publish: false, why: "errors" };
  if (classification.change === "none") return { publish: false, why: "unchanged" };
  const minor = latestMinor === undefined ? 0 : latestMinor + 1;
  return { publish: true, major, minor, version: `${major}.${minor}` };
}

/** The example specs (`<template>/spec/*.yaml`) describe the newest major only; older majors render none. */
export function specsFor(template: Template, bundle: Bundle): Spec[] {
  return template.bundles.at(-1) === bundle ? [...template.specs] : [];
}

/**
 * The loading problems that are a bundle's: those in its folder, and, for the
 * newest major, those in the template folder outside every major (its example specs).
 */
export function loadingProblems(loading: readonly Diagnostic[], template: Template, bundle: Bundle): Diagnostic[] {
  const under = (dir: string, d: Diagnostic) => d.file === dir || d.file.startsWith(`${dir}/`);
  const newest = template.bundles.at(-1) === bundle;
  return loading.filter((d) => under(bundle.dir, d) || (newest && under(template.dir, d) && !template.bundles.some((b) => under(b.dir, d))));
}
