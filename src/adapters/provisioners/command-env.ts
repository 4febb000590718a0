// The environment a `command` provisioner's command gets, and nothing more: the
// deployment's BARYON_* variables, PATH and HOME, the inputs, and exactly the
// variables `env:` lists from Baryon's own environment. Baryon's credentials are
// never among them: a template's command must not be able to act as the app.
import type { DeploymentRequest } from "../../ports/provisioner.js";

/**
 * What Baryon (and Probot, which it runs) reads as a credential: the app's key and
 * webhook secret (src/main/serve.ts), the OAuth client secret `baryon setup` writes,
 * the registry and queue URLs (src/compose/settings.ts; both may carry a password)
 * and libpq's password variables node-postgres falls back on. AWS_* variables are
 * not here: listing them is how a command reaches AWS.
 */
export const BARYON_CREDENTIALS = [
  "PRIVATE_KEY", "PRIVATE_KEY_PATH", "WEBHOOK_SECRET", "GITHUB_CLIENT_SECRET", "GITHUB_TOKEN",
  "DATABASE_URL", "REDIS_URL", "PGPASSWORD", "PGPASSFILE",
];
/** Baryon's own tokens and secrets, present and future (the deployment callback's token, say). */
const BARYON_SECRET_NAME = /^BARYON_\w*(TOKEN|SECRET|PASSWORD|PRIVATE_KEY)\w*$/;

/** Set by Baryon for every run; `env:` may not override them. */
export const DEPLOYMENT_VARIABLES = [
  "BARYON_RESOURCE", "BARYON_RESOURCE_KIND", "BARYON_SERVICE", "BARYON_ENVIRONMENT",
  "BARYON_TEMPLATE", "BARYON_VERSION", "BARYON_DEPLOYMENT_ID",
];
export const INPUT_PREFIX = "BARYON_INPUT_";
/** Always passed from Baryon's environment when set there. */
const ALWAYS_PASSED = ["PATH", "HOME"];

export function isBaryonCredential(name: string): boolean {
  const upper = name.toUpperCase();
  return BARYON_CREDENTIALS.includes(upper) || BARYON_SECRET_NAME.test(upper);
}

/** Mistakes in an `env:` list, one message each. */
export function checkPassedVariables(names: readonly string[]): string[] {
  const errors: string[] = [];
  for (const name of names) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) errors.push(`env: ${JSON.stringify(name)} is not an environment variable name`);
    else if (isBaryonCredential(name)) errors.push(`env: ${name} is one of Baryon's own credentials and is never passed to a command`);
    else if (DEPLOYMENT_VARIABLES.includes(name) || name.startsWith(INPUT_PREFIX)) errors.push(`env: ${name} is set by Baryon for each deployment and cannot be passed`);
  }
  return errors;
}

/** `vpcCidr` → BARYON_INPUT_VPCCIDR, `subnet-ids` → BARYON_INPUT_SUBNET_IDS. */
export function inputVariable(name: string): string {
  return INPUT_PREFIX + name.toUpperCase().replace(/[^A-Z0-9]/g, "_");
}

/** Strings as they are; everything else as JSON (numbers and booleans read the same either way). */
function inputValue(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * The whole environment of one run, or why there is none (two inputs that
 * become the same variable: picking one silently would deploy the wrong value).
 */
export function commandEnvironment(
  request: DeploymentRequest,
  passed: readonly string[],
  base: Record<string, string | undefined>,
): { env: Record<string, string> } | { error: string } {
  const env: Record<string, string> = {};
  for (const name of [...ALWAYS_PASSED, ...passed]) {
    const value = base[name];
    // Checked again here, so a config built around parseCommandConfig cannot leak one either.
    if (value !== undefined && !isBaryonCredential(name)) env[name] = value;
  }
  const from = new Map<string, string>();
  for (const [name, value] of Object.entries(request.inputs)) {
    if (value === undefined) continue;
    const variable = inputVariable(name);
    const other = from.get(variable);
    if (other !== undefined) return { error: `inputs "${other}" and "${name}" would both be passed as ${variable}` };
    from.set(variable, name);
    env[variable] = inputValue(value);
  }
  const { resource } = request;
  Object.assign(env, {
    BARYON_RESOURCE: resource.name,
    BARYON_RESOURCE_KIND: resource.kind,
    // A pipeline is named by its service; an environment is its own environment.
    BARYON_SERVICE: resource.kind === "service_pipeline" ? resource.service ?? resource.name : resource.service ?? "",
    BARYON_ENVIRONMENT: resource.kind === "environment" ? resource.name : resource.environment ?? "",
    BARYON_TEMPLATE: request.template.name,
    BARYON_VERSION: request.template.version,
    BARYON_DEPLOYMENT_ID: request.id,
  });
  return { env };
}
