// The Proton publisher as the VersionMirror the mirror job uses. Proton's refusals
// (a failed registration, a request it rejects) are results, reported on the pull
// request; failures that may pass (throttling, 5xx, no answer, a registration still
// running) are thrown, so the queue tries again. A retry is safe: the publisher's
// idempotency token is the same for the same version and digest.
import type { Bundle } from "../../bundle/model.js";
import { ArtifactStoreError } from "../../ports/artifact-store.js";
import type { VersionMirror } from "../../ports/version-mirror.js";
import type { VersionRecord } from "../../ports/registry.js";
import { ProtonApiError, type ProtonPublisher } from "./types.js";

/** `owner`: the one GitHub login whose versions go to this Proton account (BARYON_PROTON_OWNER). */
export function protonMirror(publisher: ProtonPublisher, owner: string): VersionMirror {
  return {
    name: "AWS Proton",
    owner: owner.trim().toLowerCase(),
    /** `tar` is the bundle's canonical tar; `version.digest` may be a legacy one (see ProtonVersion.digest). */
    async publish(version: VersionRecord, bundle: Bundle, tar: Uint8Array, isNewMajor: boolean) {
      try {
        const result = await publisher.publish({
          template: version.template, kind: version.kind, major: version.major, minor: version.minor, isNewMajor,
          bundle: tar, digest: version.digest,
          description: `Baryon ${version.major}.${version.minor} from ${version.source.repository}@${version.source.commit.slice(0, 7)}`,
          draft: version.status === "draft",
          ...(bundle.kind === "service" ? { compatibleEnvironments: bundle.compatibleEnvironments, supportedComponentSources: bundle.supportedComponentSources } : {}),
        });
        return result.ok ? { ok: true as const } : { ok: false as const, error: result.error };
      } catch (error) {
        if (isRefusal(error)) return { ok: false as const, error: error.message };
        throw error;
      }
    },
  };
}

/**
 * Proton or S3 answered, and the answer will not change by asking again (validation,
 * access denied, a conflict): a refusal. Anything else, including errors this code does
 * not know, is thrown for the queue to retry: recording it as final would lose the version.
 */
function isRefusal(error: unknown): error is ProtonApiError | ArtifactStoreError {
  if (error instanceof ProtonApiError) return !error.retryable;
  if (error instanceof ArtifactStoreError) return error.status !== undefined && error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429;
  return false;
}
