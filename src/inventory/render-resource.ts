// Rendering one resource for a deployment: its bundle with its inputs, and the
// outputs Proton gave at that point (an instance sees its environment's, a
// pipeline each instance's). Unlike a preview, a deployment never renders a
// placeholder: a render that needs a value nobody recorded fails.
import { createHash } from "node:crypto";
import { errorAt, type Diagnostic } from "../bundle/diagnostics.js";
import type { Bundle, Spec } from "../bundle/model.js";
import type { Outputs } from "../bundle/render/context.js";
import { planRenders, renderPlan } from "../bundle/render/render-bundle.js";
import type { ResourceRecord } from "../ports/deployment-store.js";
import type { DeploymentFile } from "../ports/provisioner.js";
import type { Renderer } from "../ports/renderer.js";

export interface ResourceRenderInput {
  resource: ResourceRecord;
  bundle: Bundle;
  /** Instances: the outputs of their environment's last successful deployment. */
  environmentOutputs?: Outputs;
  /** Pipelines: each instance of the service, with its outputs and its environment's. */
  instances?: { record: ResourceRecord; outputs: Outputs; environmentOutputs: Outputs }[];
}

export interface RenderedResource {
  /** Relative to the resource's folder: `instance_infrastructure/cloudformation.yaml`. */
  files: DeploymentFile[];
  /** SHA-256 over the files' paths and contents. */
  digest: string;
  /** Errors mean the resource cannot be deployed as it is. */
  diagnostics: Diagnostic[];
}

export async function renderResource(input: ResourceRenderInput, renderer: Renderer): Promise<RenderedResource> {
  const { resource, bundle } = input;
  const base = { file: resource.declared.file, lines: {} };
  let spec: Spec;
  let resourceName: string;
  const environmentOutputs: Record<string, Outputs> = {};
  const instanceOutputs: Record<string, Outputs> = {};
  if (resource.kind === "environment") {
    spec = { ...base, kind: "EnvironmentSpec", spec: resource.inputs };
    resourceName = "environment";
  } else if (resource.kind === "service_instance") {
    spec = { ...base, kind: "ServiceSpec", instances: [{ name: resource.name, environment: resource.environment!, spec: resource.inputs }] };
    environmentOutputs[resource.environment!] = input.environmentOutputs ?? {};
    resourceName = resource.name;
  } else {
    const instances = input.instances ?? [];
    spec = {
      ...base, kind: "ServiceSpec", pipeline: resource.inputs,
      instances: instances.map(({ record }) => ({ name: record.name, environment: record.environment!, spec: record.inputs })),
    };
    for (const i of instances) {
      instanceOutputs[i.record.name] = i.outputs;
      environmentOutputs[i.record.environment!] = i.environmentOutputs;
    }
    resourceName = "pipeline";
  }
  const plan = planRenders(bundle, spec, {
    name: resource.service ?? resource.name,
    ...(resource.kind === "service_instance" ? { instance: resource.name } : {}),
    environmentOutputs, instanceOutputs,
  });
  plan.jobs = plan.jobs.filter((job) => job.resource === resourceName);
  const result = await renderPlan(bundle, plan, renderer);
  // A preview's warning that a deployed value is missing is, for a deployment, the reason it cannot go on.
  const diagnostics = result.diagnostics.map((d) => (d.code === "render-needs-output" ? errorAt(d.file, d.code, d.message, d) : d));
  const prefix = `${resourceName}/`;
  const files = result.files
    .filter((f) => f.path.startsWith(prefix))
    .map((f) => ({ path: f.path.slice(prefix.length), content: f.content }));
  return { files, digest: digestOf(files), diagnostics };
}

function digestOf(files: readonly DeploymentFile[]): string {
  const hash = createHash("sha256");
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : 1))) hash.update(`${f.path}\0${f.content.length}\0${f.content}`);
  return hash.digest("hex");
}
