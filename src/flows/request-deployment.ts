// Deploy one resource now (`baryon deploy <resource> [--version x.y]`): at the
// version asked for, else its pin, else the recommended version of its major.
// Moving to another major is an inventory change, not a deploy.
import type { ProvisionerSettings } from "../config/repo-config.js";
import type { DeploymentRecord, DeploymentStore, RequestedBy } from "../ports/deployment-store.js";
import type { VersionStore } from "../ports/registry.js";

export interface RequestDeploymentInput {
  /** A resource's key (`checkout/checkout-prod`) or a name that only one resource has. */
  resource: string;
  version?: { major: number; minor: number };
  requestedBy: RequestedBy;
  /** From .github/baryon.yml; a provisioner missing there deploys with its last deployment's settings. */
  provisioners: Record<string, ProvisionerSettings>;
}

export type RequestDeploymentOutcome = { ok: true; deployment: DeploymentRecord; created: boolean } | { ok: false; error: string };

export async function requestDeployment(ports: { store: DeploymentStore; versions: VersionStore }, input: RequestDeploymentInput): Promise<RequestDeploymentOutcome> {
  const resources = await ports.store.resources();
  const matches = resources.filter((r) => r.key === input.resource || r.name === input.resource);
  if (matches.length === 0) return { ok: false, error: `no resource "${input.resource}"${resources.length ? ` (resources: ${resources.map((r) => r.key).join(", ")})` : ": `baryon apply` deploys the inventory first"}` };
  if (matches.length > 1) return { ok: false, error: `"${input.resource}" names several resources: ${matches.map((r) => r.key).join(", ")}; give its key` };
  const resource = matches[0]!;
  const { name, major } = resource.template;
  if (input.version && input.version.major !== major) {
    return { ok: false, error: `${resource.key} follows ${name}@${major}; ${name} ${input.version.major}.${input.version.minor} is another major: change \`template:\` in ${resource.declared.file} to move to it` };
  }
  const minor = input.version?.minor ?? resource.template.minor;
  const version = minor !== undefined ? await ports.versions.getVersion(name, major, minor) : await ports.versions.recommendedVersion(name, major);
  if (!version) return { ok: false, error: minor !== undefined ? `${name} ${major}.${minor} is not in the registry` : `${name}@${major} has no published version` };
  const [latest] = await ports.store.deploymentsOf(resource.key, 1);
  const settings = input.provisioners[resource.provisioner] ?? latest?.provisionerSettings;
  if (!settings) return { ok: false, error: `provisioner "${resource.provisioner}" is not in .github/baryon.yml` };
  const requested = await ports.store.requestDeployment(undefined, {
    resource: resource.key, action: "deploy", template: name, major: version.major, minor: version.minor,
    inputs: resource.inputs, provisioner: resource.provisioner, provisionerSettings: settings, requestedBy: input.requestedBy,
  });
  return { ok: true, ...requested };
}
