// The Verifier port: a stage's `verify:` check run on one resource after its
// deployment succeeded. Adapters: src/adapters/verifiers (a command, an HTTP probe).
import type { DeploymentOutputs, ResourceRef } from "./provisioner.js";
import type { Verification as VerifySettings } from "../rollout/policy.js";
import type { Verdict } from "../rollout/model.js";

export interface VerifyRequest {
  check: VerifySettings;
  resource: ResourceRef & { key: string };
  /** `name major.minor`: what was just deployed. */
  template: { name: string; version: string };
  /** The deployment's outputs (a health URL, an endpoint). */
  outputs: DeploymentOutputs;
  deploymentId: string;
}

/**
 * passed: the check says healthy. failed: it says broken. inconclusive: it could not
 * tell (timed out, unreachable, could not start): a person decides.
 */
export interface VerifyResult {
  verdict: Verdict;
  detail: string;
}

export interface Verifier {
  verify(request: VerifyRequest, signal?: AbortSignal): Promise<VerifyResult>;
}
