// Render a bundle with each spec and lint what comes out: render failures and
// CloudFormation problems (traced to the template line that printed them).
import type { Diagnostic } from "../diagnostics.js";
import { byResource, type ResourceRender } from "../diff/diff.js";
import { lintRenderedResource } from "../lint/rendered.js";
import type { Bundle, Spec } from "../model.js";
import { renderBundle, type RenderedFile } from "../render/render-bundle.js";
import type { Renderer } from "../../ports/renderer.js";

/** What one spec rendered with the bundle. */
export interface SpecRender {
  spec: Spec;
  files: RenderedFile[];
  /** The same files per resource, labelled `<spec file> › <resource>`; a failed spec is one entry with `failure`. */
  resources: ResourceRender[];
}

/**
 * A fleet of 1,000 instances renders 1,000 resources, most alike: at most this many
 * distinct renderings are linted (specs in the order given, example specs first),
 * so a review costs a bounded time.
 */
export const LINTED_RENDERINGS = 20;

/**
 * Renders every spec; a spec with validation errors is not rendered (its render
 * would only repeat them) and gets a `failure` entry instead.
 */
export async function renderSpecs(bundle: Bundle, specs: readonly Spec[], invalid: (spec: Spec) => boolean, renderer: Renderer) {
  const diagnostics: Diagnostic[] = [];
  const renders = await Promise.all(specs.map(async (spec): Promise<SpecRender> => {
    if (invalid(spec)) return { spec, files: [], resources: [failed(spec, "not rendered: the spec does not match the schema")] };
    const result = await renderBundle(bundle, spec, renderer);
    diagnostics.push(...result.diagnostics);
    const resources = byResource(result.files, spec.file, spec);
    const failures = result.diagnostics.filter((d) => d.severity === "error");
    if (failures.length && resources.length === 0) return { spec, files: result.files, resources: [failed(spec, failures.map((f) => f.message).join("; "))] };
    return { spec, files: result.files, resources };
  }));
  return { renders, diagnostics };
}

function failed(spec: Spec, failure: string): ResourceRender {
  return { label: `${spec.file} › ${spec.kind === "EnvironmentSpec" ? "environment" : "all"}`, files: [], failure };
}

/** Lints the rendered CloudFormation of each distinct rendering; a finding seen in several resources is reported once. */
export function lintRenders(bundle: Bundle, renders: readonly SpecRender[]): Diagnostic[] {
  const linted = new Set<string>();
  const seen = new Set<string>();
  const found: Diagnostic[] = [];
  for (const resource of renders.flatMap((r) => r.resources)) {
    if (resource.failure) continue;
    const rendering = resource.files.map((f) => `${f.path}\0${f.content}`).join("\0");
    if (linted.has(rendering)) continue;
    if (linted.size === LINTED_RENDERINGS) break;
    linted.add(rendering);
    for (const d of lintRenderedResource(bundle, resource)) {
      // Identify a finding without the resource it was seen in: once is enough.
      const key = `${d.file}:${d.line}:${d.code}:${d.message.replace(/ \(rendered line .*\)$/, "").replace(`${resource.label}: `, "")}`;
      if (!seen.has(key)) found.push(d);
      seen.add(key);
    }
  }
  return found;
}
