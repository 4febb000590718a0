// Checks that need more than one file: input types against the bundle's parts,
// template input references against the schema, and specs against the schema.
import { textOf } from "../files.js";
import { applyDefaults } from "../render/context.js";
import { errorAt, warningAt, type Diagnostic } from "../diagnostics.js";
import { findInputReferences, type InputScope } from "./input-references.js";
import { compileInputType, SchemaCompileError } from "./input-schema.js";
import { didYouMean } from "./suggest-name.js";
import type { LoadedRepository } from "../parse/repository.js";
import type { Bundle, InputSchema, InputType, Spec, Template } from "../model.js";
import { checkInputTypes } from "../parse/schema.js";

/** Every diagnostic of a loaded repository: loading's own plus the cross-file checks. */
export function validateRepository(repo: LoadedRepository): Diagnostic[] {
  return [...repo.diagnostics, ...repo.templates.flatMap(validateTemplate)];
}

export function validateTemplate(template: Template): Diagnostic[] {
  const diagnostics = template.bundles.flatMap(validateBundle);
  // Example specs sit beside the version folders; they describe the newest major.
  const latest = template.bundles[template.bundles.length - 1];
  if (latest) for (const spec of template.specs) diagnostics.push(...validateSpec(spec, latest));
  return diagnostics;
}

export function validateBundle(bundle: Bundle): Diagnostic[] {
  const { schema } = bundle;
  if (!schema) return [];
  const diagnostics: Diagnostic[] = [];
  const hasPipeline = bundle.parts.some((p) => p.name === "pipeline_infrastructure");
  for (const problem of checkInputTypes(schema, bundle.kind, hasPipeline)) {
    diagnostics.push(errorAt(schema.file, "schema-input-type", problem.message, { line: schemaLine(schema, [problem.key]) }));
  }
  for (const name of new Set([schema.environmentInputType, schema.serviceInputType, schema.pipelineInputType])) {
    const type = name ? schema.types[name] : undefined;
    if (type) diagnostics.push(...checkType(schema, name!, type));
  }
  diagnostics.push(...checkReferences(bundle, schema));
  return diagnostics;
}

function checkType(schema: InputSchema, name: string, type: InputType): Diagnostic[] {
  let compiled;
  try {
    compiled = compileInputType(type);
  } catch (e) {
    if (!(e instanceof SchemaCompileError)) throw e;
    return [errorAt(schema.file, "schema-invalid", `input type ${name} does not compile: ${e.message}`, { line: schemaLine(schema, ["types", name]) })];
  }
  // Every default at once, each against its own property's schema: one compiled type, not one per input.
  const defaults = Object.fromEntries(Object.entries(type.properties ?? {})
    .filter(([, definition]) => definition.default !== undefined)
    .map(([prop, definition]) => [prop, definition.default]));
  // A warning: Proton registered such schemas, and a spec that gives the input a value never meets the default.
  return compiled.checkProperties(defaults).map(({ property: prop, message }) =>
    warningAt(schema.file, "schema-default-invalid",
      `the default of ${name}.${prop} does not satisfy its own schema: ${message}; a spec that leaves ${prop} out fails`,
      { line: schemaLine(schema, ["types", name, "properties", prop, "default"]) }));
}

function schemaLine(schema: InputSchema, path: string[]): number {
  return schema.lines[["schema", ...path].join(".")] ?? schema.lines["schema"] ?? 1;
}

function inputTypeFor(schema: InputSchema, scope: InputScope): string | undefined {
  return scope === "environment" ? schema.environmentInputType
    : scope === "service_instance" ? schema.serviceInputType
      : schema.pipelineInputType;
}

function checkReferences(bundle: Bundle, schema: InputSchema): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const part of bundle.parts) {
    // In service templates, `environment` is the target environment: its inputs are not the service's to read.
    const scopes: InputScope[] = part.name === "infrastructure" ? ["environment"]
      : part.name === "instance_infrastructure" ? ["service_instance"] : ["pipeline", "service_instance"];
    for (const file of part.files) {
      const bytes = bundle.files.get(file);
      if (!bytes) continue;
      const language = file.endsWith(".tf") ? "terraform" : "jinja";
      for (const ref of findInputReferences(textOf(bytes), language)) {
        if (!scopes.includes(ref.scope)) continue;
        const typeName = inputTypeFor(schema, ref.scope);
        const type = typeName ? schema.types[typeName] : undefined;
        if (!type || (type.properties && ref.input in type.properties)) continue;
        const declared = Object.keys(type.properties ?? {});
        // A warning: Proton passed a spec's inputs whether the schema declared them or not, so templates
        // that read an undeclared input ran wherever the specs gave it. A spec that does not fails its render.
        diagnostics.push(warningAt(file, "input-undeclared",
          `${ref.scope}.inputs.${ref.input} is not declared in schema type ${typeName}${didYouMean(ref.input, declared)}; declared inputs: ${declared.join(", ") || "none"}; it works only where a spec gives it`,
          { line: ref.line, column: ref.column }));
      }
    }
  }
  return diagnostics;
}

/** Checks a spec against the input types of `bundle`, with the schema's defaults applied. */
export function validateSpec(spec: Spec, bundle: Bundle): Diagnostic[] {
  const expected = bundle.kind === "environment" ? "EnvironmentSpec" : "ServiceSpec";
  if (spec.kind !== expected) {
    return [errorAt(spec.file, "spec-kind", `${bundle.template} is a ${bundle.kind} template, so its spec is \`proton: ${expected}\` (got ${spec.kind})`, { line: spec.lines["proton"] ?? 1 })];
  }
  const schema = bundle.schema;
  if (!schema) return [];
  const diagnostics: Diagnostic[] = [];
  const check = (typeName: string | undefined, values: Record<string, unknown>, prefix: (string | number)[]) => {
    const type = typeName ? schema.types[typeName] : undefined;
    if (!type) return;
    let compiled;
    try {
      compiled = compileInputType(type);
    } catch {
      return; // Reported on the schema itself.
    }
    const line = (path: (string | number)[]) => {
      for (let n = path.length; n >= 0; n--) {
        const found = spec.lines[[...prefix, ...path.slice(0, n)].join(".")];
        if (found !== undefined) return found;
      }
      return 1;
    };
    for (const problem of compiled.check(applyDefaults(type, values))) {
      const input = problem.path[0];
      const defaulted = typeof input === "string" && !Object.hasOwn(values, input) ? type.properties?.[input]?.default : undefined;
      const message = defaulted === undefined ? problem.message
        : `the default of input ${input} (${JSON.stringify(defaulted)}) violates the schema: ${problem.message}; the spec does not give ${input}, so the default applies (give it a value)`;
      diagnostics.push(errorAt(spec.file, "spec-invalid", `${message} (schema type ${typeName})`, { line: line(problem.path) }));
    }
    // A warning, not an error: real repositories carry stale keys that Proton accepted.
    const declared = Object.keys(type.properties ?? {});
    for (const key of Object.keys(values)) {
      if (!declared.includes(key)) {
        diagnostics.push(warningAt(spec.file, "spec-input-unknown", `"${key}" is not an input of ${typeName}, so it is ignored${didYouMean(key, declared)}`, { line: line([key]) }));
      }
    }
  };
  if (spec.kind === "EnvironmentSpec") check(schema.environmentInputType, spec.spec ?? {}, ["spec"]);
  else {
    (spec.instances ?? []).forEach((instance, i) => check(schema.serviceInputType, instance.spec, ["instances", i, "spec"]));
    if (schema.pipelineInputType) check(schema.pipelineInputType, spec.pipeline ?? {}, ["pipeline"]);
  }
  return diagnostics;
}
