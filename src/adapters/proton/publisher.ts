// Registers Baryon's published versions in an AWS Proton account, for accounts where
// Proton's API still answers (AWS ended Proton on 2026-10-07). Optional, off unless
// configured; Baryon's registry stays the system of record, and this is a copy.
//
// 1. Upload the bundle to S3 as the .tar.gz Proton reads: the S3 artifact store gzips
//    the tar and writes it once, named by the tar's digest.
// 2. Create…TemplateVersion: majorVersion for a minor, none for a new major, the
//    service's compatible environments, and an idempotency token so a retry does
//    not register the version twice.
//    A template Proton does not know yet is created first.
// 3. Wait for registration with the SDK's waiter (bounded, exponential backoff),
//    then read the outcome: REGISTRATION_FAILED is { ok: false } with Proton's message.
// 4. Publish: Update…TemplateVersion status PUBLISHED (unless asked for a draft).
import { createHash } from "node:crypto";
import { ProtonClient } from "@aws-sdk/client-proton";
import type { S3Client } from "@aws-sdk/client-s3";
import { sha256Hex } from "../../bundle/archive/archive.js";
import { createS3ArtifactStore, createS3Client, statusOf, type S3ArtifactStore } from "../artifacts/s3.js";
import { KINDS, type KindApi, type VersionRef, type VersionState, type WaitOptions } from "./template-kinds.js";
import { ProtonApiError, ProtonTimeoutError, type ProtonPublisher, type ProtonPublishResult, type ProtonVersion } from "./types.js";

export interface ProtonPublisherOptions {
  region: string;
  /** Bucket Proton reads bundles from; in the same Region as Proton. */
  bucket: string;
  /** Key prefix in that bucket (default "baryon"). */
  prefix?: string;
  /** Bounded wait for registration, in seconds (defaults: 300 in all, polls 2s doubling to 30s). */
  wait?: { maxSeconds?: number; minDelaySeconds?: number; maxDelaySeconds?: number };
  /** Clients to use instead of ones built for `region` (tests, custom credentials). */
  clients?: { proton?: ProtonClient; s3?: S3Client };
}

export function createProtonPublisher(options: ProtonPublisherOptions): ProtonPublisher {
  const proton = options.clients?.proton ?? new ProtonClient({ region: options.region });
  const s3 = options.clients?.s3 ?? createS3Client({ region: options.region });
  const store = createS3ArtifactStore({ client: s3, bucket: options.bucket, prefix: options.prefix ?? "baryon" });
  const wait: WaitOptions = {
    maxWaitTime: options.wait?.maxSeconds ?? 300,
    minDelay: options.wait?.minDelaySeconds ?? 2,
    maxDelay: options.wait?.maxDelaySeconds ?? 30,
  };
  return { publish: (version) => publish(version, { proton, store, wait }) };
}

interface Context {
  proton: ProtonClient;
  store: S3ArtifactStore;
  wait: WaitOptions;
}

async function publish(version: ProtonVersion, { proton, store, wait }: Context): Promise<ProtonPublishResult> {
  const label = `${version.template} ${version.major}.${version.minor}`;
  const compatible = version.compatibleEnvironments ?? [];
  if (version.kind === "service" && compatible.length === 0) {
    return { ok: false, error: `${label}: a service template version needs at least one compatible environment template for Proton (.template-registration.yaml)` };
  }
  const api = KINDS[version.kind];
  const contentDigest = sha256Hex(version.bundle);
  await store.put(contentDigest, version.bundle);
  const source = { bucket: store.bucket, key: store.keyOf(contentDigest) };
  const request = { version, source, clientToken: clientTokenOf(version, version.digest ?? contentDigest) };

  let created = await createVersion(proton, api, request);
  const ref: VersionRef = { templateName: version.template, majorVersion: created.major, minorVersion: created.minor };
  if (created.status === "REGISTRATION_IN_PROGRESS") {
    // The waiter retries on any error and gives up silently at its deadline; the read after it says what happened.
    await api.waitRegistered(proton, ref, wait).catch(() => undefined);
    created = await call(api.names.get, () => api.getVersion(proton, ref));
  }
  const protonVersion = { major: created.major, minor: created.minor };
  switch (created.status) {
    case "REGISTRATION_FAILED":
      return { ok: false, error: `AWS Proton could not register ${label} (as ${created.major}.${created.minor}): ${created.statusMessage ?? "no reason given"}` };
    case "REGISTRATION_IN_PROGRESS":
      throw new ProtonTimeoutError(version.template, `${created.major}.${created.minor}`, wait.maxWaitTime);
    case "PUBLISHED":
      return { ok: true, protonVersion, status: "PUBLISHED", source };
    case "DRAFT":
      if (version.draft) return { ok: true, protonVersion, status: "DRAFT", source };
      await call(api.names.update, () => api.publishVersion(proton, ref));
      return { ok: true, protonVersion, status: "PUBLISHED", source };
    default:
      throw new ProtonApiError(api.names.get, `unexpected status ${created.status || "(none)"}`, false, undefined);
  }
}

/** Creates the version; a template Proton does not know yet is created once, then the version again. */
async function createVersion(proton: ProtonClient, api: KindApi, request: Parameters<KindApi["createVersion"]>[1]): Promise<VersionState> {
  try {
    return await call(api.names.create, () => api.createVersion(proton, request));
  } catch (err) {
    if (!(err instanceof ProtonApiError) || err.code !== "ResourceNotFoundException") throw err;
    if (await templateExists(proton, api, request.version.template)) throw err; // something else is missing, e.g. the major
    await call(api.names.createTemplate, () => api.createTemplate(proton, request.version.template)).catch((createErr: unknown) => {
      if (!(createErr instanceof ProtonApiError && createErr.code === "ConflictException")) throw createErr; // created meanwhile
    });
    return call(api.names.create, () => api.createVersion(proton, request));
  }
}

async function templateExists(proton: ProtonClient, api: KindApi, name: string): Promise<boolean> {
  try {
    await call(api.names.getTemplate, () => api.templateExists(proton, name));
    return true;
  } catch (err) {
    if (err instanceof ProtonApiError && err.code === "ResourceNotFoundException") return false;
    throw err;
  }
}

/**
 * Same version, same bundle → same token, so a retried publish gets back the version
 * the first attempt created instead of registering another (Proton's clientToken).
 * `digest` is the registry's, so a version keeps its token across Baryon upgrades.
 */
function clientTokenOf(version: ProtonVersion, digest: string): string {
  const identity = [version.kind, version.template, version.isNewMajor ? "new" : version.major, version.minor, digest].join("\n");
  return `baryon-${createHash("sha256").update(identity).digest("hex").slice(0, 40)}`;
}

/** Runs one SDK call, turning its failure into a ProtonApiError that keeps the SDK error as cause. */
async function call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ProtonApiError) throw err;
    const status = statusOf(err);
    const code = err instanceof Error ? err.name : "UnknownError";
    throw new ProtonApiError(operation, code, isRetryable(err, status), err, status);
  }
}

function isRetryable(err: unknown, status: number | undefined): boolean {
  const sdk = err as { $retryable?: unknown; $metadata?: unknown; name?: string } | null;
  if (sdk?.$retryable || sdk?.name === "ThrottlingException" || sdk?.name === "InternalServerException") return true;
  if (status !== undefined) return status >= 500 || status === 429;
  return sdk?.$metadata === undefined; // no answer at all: network, DNS, timeout
}
