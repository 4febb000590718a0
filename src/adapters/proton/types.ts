// The legacy AWS Proton publisher's vocabulary. No SDK types here: the composition
// root and the publish flow see only these.
import type { CompatibleEnvironment, TemplateKind } from "../../bundle/model.js";

/** One version Baryon has published, to be registered in AWS Proton as well. */
export interface ProtonVersion {
  template: string;
  kind: TemplateKind;
  /** Baryon's numbers. Proton numbers versions itself; the result says which it chose. */
  major: number;
  minor: number;
  /** A new `vN/` folder: Proton is asked for a new major (no majorVersion sent), not a minor of `major`. */
  isNewMajor: boolean;
  /** The bundle's canonical tar (packBundle's bytes, or ArtifactStore.get's); uploaded gzip'd, as Proton reads it. */
  bundle: Uint8Array;
  /**
   * The version's digest in Baryon's registry; it goes into the idempotency token, so a
   * retry is recognised. Versions packed now have the SHA-256 of `bundle`; versions
   * published before digests named content keep the SHA-256 of their old .tar.gz.
   * Absent: the SHA-256 of `bundle`. The upload is named by the SHA-256 of `bundle` either way.
   */
  digest?: string;
  description?: string;
  /** Service templates: `compatible_environments` of .template-registration.yaml. Proton requires at least one. */
  compatibleEnvironments?: CompatibleEnvironment[];
  /** Service templates: `supported_component_sources` of .template-registration.yaml. */
  supportedComponentSources?: string[];
  /** Leave the version as a draft in Proton, as Baryon does for repos that publish drafts. Default false. */
  draft?: boolean;
}

export type ProtonPublishResult =
  | {
      ok: true;
      /** The version as Proton numbered it; it may differ from Baryon's when the account's history does. */
      protonVersion: { major: string; minor: string };
      status: "DRAFT" | "PUBLISHED";
      /** Where the bundle was uploaded for Proton to read. */
      source: { bucket: string; key: string };
    }
  | { ok: false; error: string };

export interface ProtonPublisher {
  /**
   * Uploads the bundle, creates the template version, waits for Proton to register it,
   * then publishes it. A bundle Proton refuses is `{ ok: false, error }` with Proton's
   * own message; failures to reach or use the API throw ProtonApiError or ProtonTimeoutError.
   * Retrying the same version is safe: the request carries an idempotency token.
   */
  publish(version: ProtonVersion): Promise<ProtonPublishResult>;
}

/** A Proton API call failed (refused, throttled past the SDK's retries, unreachable). */
export class ProtonApiError extends Error {
  override name = "ProtonApiError";
  constructor(
    /** e.g. "CreateServiceTemplateVersion". */
    readonly operation: string,
    /** The SDK error's name, e.g. "ThrottlingException", "AccessDeniedException". */
    readonly code: string,
    /** True when trying again later may succeed (throttling, 5xx, network). */
    readonly retryable: boolean,
    cause: unknown,
    readonly status?: number,
  ) {
    super(`AWS Proton ${operation} failed: ${code}${cause instanceof Error && cause.message && cause.message !== code ? `: ${cause.message}` : ""}`, { cause });
  }
}

/** Proton was still registering the version when the wait ran out. Publishing it again resumes. */
export class ProtonTimeoutError extends Error {
  override name = "ProtonTimeoutError";
  readonly retryable = true;
  constructor(readonly template: string, readonly version: string, waitedSeconds: number) {
    super(`AWS Proton was still registering ${template} ${version} after ${waitedSeconds}s`);
  }
}
