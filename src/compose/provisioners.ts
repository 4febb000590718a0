// Provisioners by kind: a deployment names its provisioner and carries the
// settings the config gave it; this builds (once per settings) the adapter of
// that kind. A kind missing here is refused with a reason, never faked.
import { parseCloudFormationConfig } from "../adapters/provisioners/cloudformation-config.js";
import { commandProvisioner } from "../adapters/provisioners/command.js";
import type { CallbackSettings } from "../adapters/provisioners/pull-request-callback.js";
import { pullRequestProvisioner, type PullRequestProvisionerOptions } from "../adapters/provisioners/pull-request.js";
import type { ProvisionerKind, ProvisionerSettings } from "../config/repo-config.js";
import { ProvisionerConfigError, type Provisioner } from "../ports/provisioner.js";

export interface ProvisionerContext {
  /** Baryon's environment: credentials for provisioners come from here (or a role they assume). */
  env: Record<string, string | undefined>;
  /** Where the command provisioner makes its work folders (default: the OS's temporary folder). */
  workRoot?: string;
  /** The GitHub App's client for an owner's installation (`baryon serve`); the pull-request provisioner needs it. */
  github?: PullRequestProvisionerOptions["github"];
  /** Where the infrastructure repository's CI reports back, and the secret its tokens derive from. */
  callback?: CallbackSettings;
}

type Factory = (settings: ProvisionerSettings, name: string, context: ProvisionerContext) => Provisioner;

const FACTORIES: Partial<Record<ProvisionerKind, Factory>> = {
  command: (settings, name, context) => commandProvisioner(settings, { name, env: context.env, ...(context.workRoot ? { workRoot: context.workRoot } : {}) }),
  // Credentials and endpoints come from the SDK's own chain (AWS_PROFILE, AWS_ENDPOINT_URL_CLOUDFORMATION, ...).
  cloudformation: (settings, name) => {
    parseCloudFormationConfig(settings, name); // refused now, at the config's line, not at the first deployment
    return loadedOnFirstUse(async () => (await import("../adapters/provisioners/cloudformation.js")).cloudFormationProvisioner(settings, { name }));
  },
  "pull-request": (settings, name, context) => pullRequestProvisioner(settings, {
    name, ...(context.github ? { github: context.github } : {}), ...(context.callback ? { callback: context.callback } : {}),
  }),
};

/** A provisioner whose module (the AWS SDK's, for CloudFormation) loads when it first has work: terminal commands that deploy nothing do not pay for it. */
function loadedOnFirstUse(load: () => Promise<Provisioner>): Provisioner {
  let loaded: Promise<Provisioner> | undefined;
  // A failed load is not kept: the next deployment tries again.
  const provisioner = () => (loaded ??= load().catch((error: unknown) => {
    loaded = undefined;
    throw error;
  }));
  return {
    deploy: async (request, signal) => (await provisioner()).deploy(request, signal),
    status: async (request, handle) => (await provisioner()).status(request, handle),
    destroy: async (request, signal) => (await provisioner()).destroy(request, signal),
    detectDrift: async (request) => {
      const loaded = await provisioner();
      return loaded.detectDrift ? loaded.detectDrift(request) : { state: "unknown", findings: [{ detail: "this provisioner cannot check drift" }] };
    },
  };
}

/** `(name, settings) → Provisioner`, each built once for the same settings. Throws ProvisionerConfigError. */
export function provisionerRegistry(context: ProvisionerContext): (name: string, settings: ProvisionerSettings) => Provisioner {
  const built = new Map<string, Provisioner>();
  return (name, settings) => {
    const key = `${name}\0${JSON.stringify(settings)}`;
    let provisioner = built.get(key);
    if (!provisioner) {
      const factory = FACTORIES[settings.kind];
      if (!factory) throw new ProvisionerConfigError(`provisioners.${name}: kind "${settings.kind}" is not available in this Baryon (available: ${Object.keys(FACTORIES).join(", ")})`);
      provisioner = factory(settings, name, context);
      built.set(key, provisioner);
    }
    return provisioner;
  };
}
