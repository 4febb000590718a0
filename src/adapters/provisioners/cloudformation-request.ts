// What the cloudformation provisioner takes from a deployment request: the one
// rendered template, and the stack and change set it works on, kept in the
// handle of a deployment still running.
import type { DeploymentFile } from "../../ports/provisioner.js";

/** `unknown`: a `status` call without a handle (the worker that started it died before it could hand one out). */
export type Action = "deploy" | "destroy" | "unknown";

export interface Target {
  stack: string;
  changeSet: string;
  action: Action;
}

/** CloudFormation's limit for a template passed in the request (larger ones go through S3). */
export const MAX_TEMPLATE_BODY_BYTES = 51_200;
const TEMPLATE = /\.(ya?ml|json)$/i;

/** The rendered CloudFormation template of the resource's part: Proton allows exactly one. */
export function templateOf(files: readonly DeploymentFile[]): { path: string; body: string } | { error: string } {
  const terraform = files.find((f) => /\.tf(\.json)?$/i.test(f.path));
  if (terraform) return { error: `the rendered files include ${terraform.path}: this resource's template is Terraform, which the cloudformation provisioner cannot deploy; use a command or pull-request provisioner for it` };
  const templates = files.filter((f) => TEMPLATE.test(f.path));
  if (templates.length === 0) {
    const names = files.map((f) => f.path).join(", ") || "none";
    return { error: `no rendered CloudFormation template (.yaml, .yml or .json) to deploy; the rendered files are: ${names}` };
  }
  if (templates.length > 1) {
    return { error: `${templates.length} rendered templates (${templates.map((f) => f.path).join(", ")}): a CloudFormation part has exactly one template file, so the cloudformation provisioner cannot tell which to deploy` };
  }
  const [template] = templates;
  const bytes = Buffer.byteLength(template!.content);
  if (bytes > MAX_TEMPLATE_BODY_BYTES) {
    return { error: `${template!.path} is ${bytes} bytes rendered; CloudFormation takes at most ${MAX_TEMPLATE_BODY_BYTES} bytes in a request, and this provisioner does not upload larger templates to S3 yet` };
  }
  return { path: template!.path, body: template!.content };
}

export function encodeHandle(target: Target): string {
  return JSON.stringify({ stack: target.stack, changeSet: target.changeSet, action: target.action });
}

/** The handle `encodeHandle` gave, or undefined for an empty or foreign one. */
export function decodeHandle(handle: string): Target | undefined {
  if (!handle.trim().startsWith("{")) return undefined;
  try {
    const value = JSON.parse(handle) as Partial<Target>;
    if (typeof value.stack !== "string" || typeof value.changeSet !== "string") return undefined;
    const action = value.action === "deploy" || value.action === "destroy" ? value.action : "unknown";
    return { stack: value.stack, changeSet: value.changeSet, action };
  } catch {
    return undefined;
  }
}
