// Rendering a whole bundle for one spec: plan what to render for which
// resource (pure), then run the plan through a Renderer (the sandbox port).
import { pMapIterable } from "p-map";
import { textOf } from "../files.js";
import {
  environmentContext, pipelineContext, resolveInputs, serviceInstanceContext,
  type ContextByKind, type ContextKind, type Outputs, type PipelineContext,
} from "./context.js";
import {
  declaredOutputs, findInstanceOutputReferences, needsDeployedOutputs, placeholdersRead, placeholderValue,
  previewInstanceOutputs, type PlaceholderOutput,
} from "./deployed-outputs.js";
import { errorAt, warningAt, type Diagnostic } from "../diagnostics.js";
import type { Bundle, BundlePart, PartName, Spec } from "../model.js";
import { findOutputReferences } from "../check/input-references.js";
import type { Renderer } from "../../ports/renderer.js";
import { terraformVariableFiles } from "./terraform-vars.js";

export interface RenderOptions {
  /** Environment name for an EnvironmentSpec, service name for a ServiceSpec. Default: the template's name. */
  name?: string;
  /** Only this service instance (and no pipeline). */
  instance?: string;
  /**
   * Outputs of the environments instances deploy into, by environment name. An
   * environment without an entry gets placeholders (`<environment.outputs.X>`)
   * for the outputs the templates read, so previews render without a deployment.
   */
  environmentOutputs?: Record<string, Outputs>;
  /**
   * Outputs of deployed service instances, by instance name, for the pipeline.
   * An instance without an entry gets the literal outputs its rendered template
   * declares and placeholders for the rest (see deployed-outputs.ts).
   */
  instanceOutputs?: Record<string, Outputs>;
  /** AWS account of each environment, by name; a placeholder when unknown. */
  environmentAccounts?: Record<string, string>;
}

/** One resource's rendering of one bundle part. */
export interface RenderJob {
  /** "environment", "pipeline", or the service instance's name. */
  resource: string;
  kind: ContextKind;
  part: BundlePart;
  context: ContextByKind[ContextKind];
  /** Outputs in the context that stand in for deployed values. */
  placeholders: PlaceholderOutput[];
  /** Pipeline only: instances whose outputs come from their own render in this plan. */
  previewOutputsOf?: string[];
}

export interface RenderedFile {
  /** `<resource>/<part>/<file>`, e.g. "frontend-dev/instance_infrastructure/cloudformation.yaml". */
  path: string;
  /** The template file it came from (repository-relative), or undefined for generated files. */
  source?: string;
  content: string;
}

export interface RenderPlan {
  jobs: RenderJob[];
  diagnostics: Diagnostic[];
}

export function planRenders(bundle: Bundle, spec: Spec, options: RenderOptions = {}): RenderPlan {
  const diagnostics: Diagnostic[] = [];
  const jobs: RenderJob[] = [];
  const schema = bundle.schema;
  const part = (name: PartName) => bundle.parts.find((p) => p.name === name);
  const inputs = (typeName: string | undefined, values: Record<string, unknown>, what: string) => {
    const resolved = resolveInputs(typeName ? schema?.types[typeName] : undefined, values);
    if (resolved.ok) return resolved.inputs;
    diagnostics.push(errorAt(spec.file, "spec-current-value", `${what}: ${resolved.error.message}`, { line: 1 }));
    return undefined;
  };
  const name = options.name ?? bundle.template;

  if (spec.kind === "EnvironmentSpec") {
    const infrastructure = part("infrastructure");
    const values = inputs(schema?.environmentInputType, spec.spec ?? {}, "environment");
    if (infrastructure && values) {
      jobs.push({ resource: "environment", kind: "environment", part: infrastructure, context: environmentContext({ name, inputs: values }), placeholders: [] });
    }
    return { jobs, diagnostics };
  }

  const instancePart = part("instance_infrastructure");
  const instances = (spec.instances ?? []).filter((i) => !options.instance || i.name === options.instance);
  if (options.instance && instances.length === 0) {
    const known = (spec.instances ?? []).map((i) => i.name).join(", ") || "none";
    diagnostics.push(errorAt(spec.file, "instance-unknown", `no instance named "${options.instance}" in this spec (instances: ${known})`, { line: 1 }));
  }
  const resolved = instances.map((instance) => ({ instance, values: inputs(schema?.serviceInputType, instance.spec, `instance ${instance.name}`) }));
  const outputsOf = (environment: string) => options.environmentOutputs?.[environment] ?? placeholderOutputs(bundle);
  const placeholdersOf = (environment: string): PlaceholderOutput[] => options.environmentOutputs?.[environment]
    ? []
    : Object.keys(placeholderOutputs(bundle)).map((output) => ({ owner: "environment", name: environment, output }));
  // Proton always knew the account; a preview without one shows a visible placeholder.
  const environmentOf = (environment: string) => ({ name: environment, outputs: outputsOf(environment), accountId: options.environmentAccounts?.[environment] ?? "<environment.account_id>" });
  for (const { instance, values } of resolved) {
    if (!instancePart || !values) continue;
    const context = serviceInstanceContext({
      service: { name }, name: instance.name, inputs: values,
      environment: environmentOf(instance.environment),
    });
    jobs.push({ resource: instance.name, kind: "service_instance", part: instancePart, context, placeholders: placeholdersOf(instance.environment) });
  }
  const pipelinePart = part("pipeline_infrastructure");
  const pipelineValues = pipelinePart && !options.instance ? inputs(schema?.pipelineInputType, spec.pipeline ?? {}, "pipeline") : undefined;
  if (pipelinePart && pipelineValues) {
    const instances = resolved.flatMap(({ instance, values }) => (values ? [instance] : []));
    const context = pipelineContext({
      service: { name },
      inputs: pipelineValues,
      instances: resolved.flatMap(({ instance, values }) => values
        ? [{ name: instance.name, inputs: values, environment: environmentOf(instance.environment), outputs: options.instanceOutputs?.[instance.name] ?? {} }]
        : []),
    });
    jobs.push({
      resource: "pipeline", kind: "pipeline", part: pipelinePart, context,
      placeholders: [...new Set(instances.map((i) => i.environment))].flatMap(placeholdersOf),
      previewOutputsOf: instances.filter((i) => !options.instanceOutputs?.[i.name]).map((i) => i.name),
    });
  }
  return { jobs, diagnostics };
}

const placeholders = new WeakMap<Bundle, Outputs>();

/** Placeholder values for every environment output the bundle's templates read (computed once per bundle). */
export function placeholderOutputs(bundle: Bundle): Outputs {
  const known = placeholders.get(bundle);
  if (known) return known;
  const outputs: Outputs = {};
  for (const part of bundle.parts) {
    for (const file of part.files) {
      const bytes = bundle.files.get(file);
      if (!bytes) continue;
      for (const output of findOutputReferences(textOf(bytes))) outputs[output] = placeholderValue({ owner: "environment", name: "", output });
    }
  }
  placeholders.set(bundle, outputs);
  return outputs;
}

export interface RenderBundleResult {
  files: RenderedFile[];
  diagnostics: Diagnostic[];
}

/** Renders in flight per stream of plans: full batches for every sandbox child, and few enough that a review's two sides advance together. */
export const RENDERS_IN_FLIGHT = 256;

/** One job of one plan, rendered. */
export interface RenderedJob {
  /** Which of the plans given. */
  plan: number;
  job: RenderJob;
  files: RenderedFile[];
  /** The job's render problems (the plan's own are in its `diagnostics`). */
  diagnostics: Diagnostic[];
}

/**
 * Runs plans, yielding each job as it is rendered, in plan order (the plans in
 * the order given), with at most RENDERS_IN_FLIGHT renders under way: a fleet
 * of 10,000 instances is consumed as it renders, never held whole. Jinja files
 * go through the sandboxed renderer; Terraform parts get Proton's variable
 * files. A pipeline renders after its plan's instances, whose rendered outputs
 * it may read.
 */
export async function* renderPlans(bundle: Bundle, plans: readonly RenderPlan[], renderer: Renderer): AsyncGenerator<RenderedJob> {
  const previews = plans.map((plan) => new PreviewOutputs(plan));
  // Each plan's instances come before its pipeline, so they are under way before the pipeline waits for them.
  const jobs = plans.flatMap((plan, index) => [...plan.jobs.filter((j) => j.kind !== "pipeline"), ...plan.jobs.filter((j) => j.kind === "pipeline")].map((job) => ({ plan: index, job })));
  yield* pMapIterable(jobs, async ({ plan, job }): Promise<RenderedJob> => {
    const preview = previews[plan]!;
    const diagnostics: Diagnostic[] = [];
    const ready = job.kind === "pipeline" ? withPreviewOutputs(bundle, job, await preview.declared) : job;
    try {
      const files = await renderJob(bundle, ready, renderer, diagnostics);
      preview.record(job, files);
      return { plan, job: ready, files, diagnostics };
    } finally {
      preview.rendered(job); // rendered or not: a pipeline never waits for an instance that failed
    }
  }, { concurrency: RENDERS_IN_FLIGHT });
}

/** A plan run to the end: every file, in plan order, and every problem. */
export async function renderPlan(bundle: Bundle, plan: RenderPlan, renderer: Renderer): Promise<RenderBundleResult> {
  const files: RenderedFile[] = [];
  const diagnostics = [...plan.diagnostics];
  for await (const rendered of renderPlans(bundle, [plan], renderer)) {
    files.push(...rendered.files);
    diagnostics.push(...rendered.diagnostics);
  }
  return { files, diagnostics };
}

/**
 * The outputs a plan's pipeline previews for its instances not yet deployed:
 * each instance's declared outputs, read as soon as it renders (its files are
 * not kept), ready once every such instance has rendered.
 */
class PreviewOutputs {
  private readonly wanted: Set<string>;
  private readonly outputs = new Map<string, Map<string, string | undefined>>();
  /** Instances of one template mostly share their Outputs block: each distinct block is read once. */
  private readonly blocks = new Map<string, Map<string, string | undefined>>();
  private waiting: number;
  private done!: () => void;
  readonly declared: Promise<ReadonlyMap<string, Map<string, string | undefined>>>;

  constructor(plan: RenderPlan) {
    this.wanted = new Set(plan.jobs.flatMap((job) => job.previewOutputsOf ?? []));
    this.waiting = plan.jobs.filter((job) => job.kind !== "pipeline" && this.wanted.has(job.resource)).length;
    this.declared = new Promise((resolve) => (this.done = () => resolve(this.outputs)));
    if (this.waiting === 0) this.done();
  }

  /** Reads what an instance's files declare. */
  record(job: RenderJob, files: readonly RenderedFile[]): void {
    if (job.kind !== "pipeline" && this.wanted.has(job.resource)) this.outputs.set(job.resource, declaredOutputs(files, this.blocks));
  }

  /** Counts a job as done, after `record`. */
  rendered(job: RenderJob): void {
    if (job.kind !== "pipeline" && this.wanted.has(job.resource) && --this.waiting === 0) this.done();
  }
}

async function renderJob(bundle: Bundle, job: RenderJob, renderer: Renderer, diagnostics: Diagnostic[]): Promise<RenderedFile[]> {
  const out = (file: string) => `${job.resource}/${job.part.name}/${file}`;
  const files: RenderedFile[] = [];
  for (const source of job.part.files) {
    const text = textOf(bundle.files.get(source));
    const fileName = source.slice(job.part.dir.length + 1);
    if (source.endsWith(".tf") || job.part.templates.every((t) => t.renderingEngine !== "jinja")) {
      files.push({ path: out(fileName), source, content: text });
      continue;
    }
    const result = await renderer.render({ name: source, source: text, context: job.context });
    if (result.ok) {
      files.push({ path: out(fileName), source, content: result.output });
      continue;
    }
    const { line, column, kind, message } = result.error;
    const waitingFor = mayWantDeployedValue(kind, message) ? placeholdersRead(text, job.kind, job.placeholders) : [];
    diagnostics.push(waitingFor.length
      ? warningAt(source, "render-needs-output", `${needsDeployedOutputs(job.kind, job.resource, waitingFor)} (rendering failed without it: ${message})`, { line, column })
      : errorAt(source, `render-${kind}`, `rendering for ${job.resource} failed: ${message}`, { line, column }));
  }
  if (job.part.templates.some((t) => t.renderingEngine === "hcl")) {
    for (const [fileName, content] of Object.entries(terraformVariableFiles(job.kind, job.context as never))) {
      files.push({ path: out(fileName), content });
    }
  }
  return files;
}

/**
 * Whether a failure can be for want of a deployed output: one that names a
 * placeholder (`'dict object' has no attribute '<api.outputs.X>'`), or a value
 * that came out undefined (a lookup keyed by a placeholder, then `tojson`). A
 * syntax error never is, nor a missing name that is no placeholder (a typo).
 */
function mayWantDeployedValue(kind: string, message: string): boolean {
  if (/<[^<>\s]*outputs\.[^<>\s]+>/.test(message)) return true;
  return kind === "runtime" && /Undefined/.test(message);
}

/** The pipeline's job with the outputs each not-yet-deployed instance's render tells. */
function withPreviewOutputs(bundle: Bundle, job: RenderJob, declared: ReadonlyMap<string, Map<string, string | undefined>>): RenderJob {
  const previewed = new Set(job.previewOutputsOf ?? []);
  if (previewed.size === 0) return job;
  const read = job.part.files.flatMap((file) => findInstanceOutputReferences(textOf(bundle.files.get(file))));
  const placeholders = [...job.placeholders];
  const context = job.context as PipelineContext;
  const service_instances = context.service_instances.map((instance) => {
    if (!previewed.has(instance.name)) return instance;
    const preview = previewInstanceOutputs(instance.name, declared.get(instance.name) ?? new Map(), read);
    placeholders.push(...preview.placeholders);
    return { ...instance, outputs: preview.outputs };
  });
  return { ...job, context: { ...context, service_instances }, placeholders };
}

export async function renderBundle(bundle: Bundle, spec: Spec, renderer: Renderer, options?: RenderOptions): Promise<RenderBundleResult> {
  return renderPlan(bundle, planRenders(bundle, spec, options), renderer);
}
