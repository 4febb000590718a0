// Render a bundle with each spec and lint what comes out: render failures and
// CloudFormation problems (traced to the template line that printed them).
// Resources are handed on one by one, in the order of the specs, as they
// render: a review of a fleet keeps its diffs, not its renders.
import type { Diagnostic } from "../diagnostics.js";
import type { ResourceRender } from "../diff/diff.js";
import { lintRenderedResource } from "../lint/rendered.js";
import type { Bundle, Spec } from "../model.js";
import type { ServiceInstanceContext } from "../render/context.js";
import { planRenders, renderPlans, type RenderedFile, type RenderJob } from "../render/render-bundle.js";
import type { Renderer } from "../../ports/renderer.js";

/** One resource a spec rendered. */
export interface SpecResource {
  spec: Spec;
  resource: ResourceRender;
  /** Its files as rendered, paths from the spec (`<resource>/<part>/<file>`); none for a failure. */
  files: RenderedFile[];
}

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
 * Renders every spec, handing each resource to `each` in spec order, then plan
 * order; returns the render problems. A spec with validation errors is not
 * rendered (its render would only repeat them) and gets a `failure` entry instead,
 * as does a spec none of whose resources rendered.
 */
export async function renderSpecs(
  bundle: Bundle, specs: readonly Spec[], invalid: (spec: Spec) => boolean, renderer: Renderer, each: (rendered: SpecResource) => void,
): Promise<Diagnostic[]> {
  const diagnostics: Diagnostic[] = [];
  const plans = specs.map((spec) => (invalid(spec) ? { jobs: [], diagnostics: [] } : planRenders(bundle, spec)));
  const failures = plans.map((plan) => plan.diagnostics.filter((d) => d.severity === "error").map((d) => d.message));
  const emitted = specs.map(() => 0);
  let finished = 0;
  const finish = (upTo: number) => {
    for (; finished < upTo; finished++) {
      const spec = specs[finished]!;
      diagnostics.push(...plans[finished]!.diagnostics);
      const why = invalid(spec) ? "not rendered: the spec does not match the schema" : failures[finished]!.join("; ");
      if (emitted[finished] === 0 && (invalid(spec) || why)) each({ spec, resource: failed(spec, why), files: [] });
    }
  };
  for await (const { plan, job, files, diagnostics: problems } of renderPlans(bundle, plans, renderer)) {
    finish(plan);
    diagnostics.push(...problems);
    failures[plan]!.push(...problems.filter((d) => d.severity === "error").map((d) => d.message));
    if (files.length === 0) continue;
    emitted[plan]!++;
    each({ spec: specs[plan]!, resource: resourceOf(specs[plan]!, job, files), files });
  }
  finish(specs.length);
  return diagnostics;
}

/** A job's files as one resource; an instance carries its own names (its name and environment's). */
function resourceOf(spec: Spec, job: RenderJob, files: readonly RenderedFile[]): ResourceRender {
  const prefix = job.resource.length + 1;
  const environment = job.kind === "service_instance" ? (job.context as ServiceInstanceContext).environment.name : undefined;
  return {
    label: `${spec.file} › ${job.resource}`,
    files: files.map((f) => ({ path: f.path.slice(prefix), content: f.content })),
    ...(environment !== undefined ? { names: { name: job.resource, environment } } : {}),
  };
}

function failed(spec: Spec, failure: string): ResourceRender {
  return { label: `${spec.file} › ${spec.kind === "EnvironmentSpec" ? "environment" : "all"}`, files: [], failure };
}

/**
 * Lints the rendered CloudFormation of the first LINTED_RENDERINGS distinct
 * renderings offered; a finding seen in several resources is reported once.
 */
export class RenderLint {
  private readonly linted = new Set<string>();
  private readonly seen = new Set<string>();
  readonly found: Diagnostic[] = [];

  constructor(private readonly bundle: Bundle) {}

  offer(resource: ResourceRender): void {
    if (resource.failure || this.linted.size === LINTED_RENDERINGS) return;
    const rendering = resource.files.map((f) => `${f.path}\0${f.content}`).join("\0");
    if (this.linted.has(rendering)) return;
    this.linted.add(rendering);
    for (const d of lintRenderedResource(this.bundle, resource)) {
      // Identify a finding without the resource it was seen in: once is enough.
      const key = `${d.file}:${d.line}:${d.code}:${d.message.replace(/ \(rendered line .*\)$/, "").replace(`${resource.label}: `, "")}`;
      if (!this.seen.has(key)) this.found.push(d);
      this.seen.add(key);
    }
  }
}
