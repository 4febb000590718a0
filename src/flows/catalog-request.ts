// A request from the self-service catalog: a template version, who the new
// resource is, and the values typed into the form. Checked with the same rules
// as every spec (the version's input schema, compiled by Baryon's validator),
// then rendered by the sandbox for a preview, and written as the inventory file
// a pull request would add. Nothing is recorded or deployed here.
import { compileInputType } from "../bundle/check/input-schema.js";
import type { Diagnostic } from "../bundle/diagnostics.js";
import type { Bundle, InputType, Spec } from "../bundle/model.js";
import { renderBundle, type RenderedFile } from "../bundle/render/render-bundle.js";
import { formFields, formValues, inventoryFile, requestType, type FieldGroup, type FormField, type RequestedResource } from "../inventory/catalog-form.js";
import { RESOURCE_NAME } from "../inventory/model.js";
import type { Renderer } from "../ports/renderer.js";
import { stageLabelProblem } from "../rollout/policy.js";
import type { VersionRecord } from "../ports/registry.js";

export interface CatalogPorts {
  bundleOf(version: VersionRecord): Promise<Bundle>;
  renderer: Renderer;
}

export interface CatalogRequest {
  version: VersionRecord;
  who: RequestedResource;
  /** The form's fields as posted (`inputs.<name>`, `pipeline.<name>`). */
  form: Readonly<Record<string, string | undefined>>;
}

export interface CatalogAnswer {
  fields: FormField[];
  /** Problems by field: `name`, `instance`, `environment`, `inputs.<name>` or `pipeline.<name>`; empty when the request is valid. */
  problems: Record<string, string>;
  /** Valid requests: the file a pull request would add, and what it renders. */
  file?: { path: string; text: string };
  rendered?: RenderedFile[];
  renderProblems?: Diagnostic[];
}

export function catalogFields(version: VersionRecord): FormField[] {
  return [...formFields(requestType(version.schema, version.kind)), ...formFields(requestType(version.schema, version.kind, "pipeline"), "pipeline")];
}

export async function answerCatalogRequest(request: CatalogRequest, ports: CatalogPorts): Promise<CatalogAnswer> {
  const { version, who } = request;
  const fields = catalogFields(version);
  const pipelineType = requestType(version.schema, version.kind, "pipeline");
  const problems: Record<string, string> = {};
  // The inventory's own rules: the file this makes must pass `baryon apply`'s check.
  const names: [keyof RequestedResource, string | undefined][] = version.kind === "environment"
    ? [["name", who.name]]
    : [["name", who.name], ["instance", who.instance], ["environment", who.environment]];
  for (const [field, value] of names) {
    if (!value || !RESOURCE_NAME.test(value)) problems[field] = `letters, digits, "-" or "_", starting with a letter or digit (at most 100)`;
  }
  if (version.kind === "environment") {
    const stage = who.stage ? stageLabelProblem(who.stage) : "an environment needs the rollout stage it belongs to";
    if (stage) problems.stage = stage;
  }
  const check = (group: FieldGroup, type: InputType | undefined) => {
    const values = formValues(fields, request.form, group);
    for (const problem of type ? compileInputType(type).check(values) : []) {
      const missing = /^required input "(.+)" is missing$/.exec(problem.message)?.[1];
      problems[`${group}.${missing ?? String(problem.path[0] ?? "")}`] ??= problem.message;
    }
    return values;
  };
  const inputs = check("inputs", requestType(version.schema, version.kind));
  const pipeline = pipelineType ? check("pipeline", pipelineType) : undefined;
  if (Object.keys(problems).length) return { fields, problems };

  const file = inventoryFile({ name: version.template, kind: version.kind, major: version.major }, who, inputs, pipeline);
  const spec: Spec = version.kind === "environment"
    ? { file: file.path, kind: "EnvironmentSpec", spec: inputs, lines: {} }
    : { file: file.path, kind: "ServiceSpec", instances: [{ name: who.instance!, environment: who.environment!, spec: inputs }], pipeline: pipeline ?? {}, lines: {} };
  const bundle = await ports.bundleOf(version);
  const rendered = await renderBundle(bundle, spec, ports.renderer, { name: who.name });
  return { fields, problems, file, rendered: rendered.files, renderProblems: rendered.diagnostics };
}
