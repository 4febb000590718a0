// A Proton publisher wired to mocked clients, and versions to publish.
import { ProtonClient } from "@aws-sdk/client-proton";
import { HeadObjectCommand, NotFound, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { packBundle, type PackedBundle } from "../../../src/bundle/archive/archive.js";
import { createProtonPublisher } from "../../../src/adapters/proton/publisher.js";
import type { ProtonPublisher, ProtonVersion } from "../../../src/adapters/proton/types.js";
import { bundleOf, SMALL_BUNDLE } from "../../artifacts/helpers.js";

export const BUCKET = "proton-bundles";
const credentials = { accessKeyId: "test", secretAccessKey: "test" };

export interface Rig {
  publisher: ProtonPublisher;
  proton: ReturnType<typeof mockClient>;
  s3: ReturnType<typeof mockClient>;
  restore(): void;
}

/** Waits in milliseconds rather than seconds, so registration tests run fast. */
export const FAST_WAIT = { maxSeconds: 0.5, minDelaySeconds: 0.005, maxDelaySeconds: 0.02 };

export function rig(options: { protonClient?: ProtonClient } = {}): Rig {
  const protonClient = options.protonClient ?? new ProtonClient({ region: "us-east-1", credentials });
  const s3Client = new S3Client({ region: "us-east-1", credentials });
  const proton = mockClient(protonClient);
  const s3 = mockClient(s3Client);
  s3.on(HeadObjectCommand).rejects(new NotFound({ message: "Not Found", $metadata: { httpStatusCode: 404 } }));
  s3.on(PutObjectCommand).resolves({ $metadata: { httpStatusCode: 200 } });
  const publisher = createProtonPublisher({ region: "us-east-1", bucket: BUCKET, wait: FAST_WAIT, clients: { proton: protonClient, s3: s3Client } });
  return { publisher, proton, s3, restore: () => (proton.restore(), s3.restore()) };
}

let packed: PackedBundle | undefined;

export async function bundle(): Promise<PackedBundle> {
  packed ??= await packBundle(bundleOf("fargate-env/v1", SMALL_BUNDLE));
  return packed;
}

export async function environmentVersion(overrides: Partial<ProtonVersion> = {}): Promise<ProtonVersion> {
  const { bytes, digest } = await bundle();
  return { template: "fargate-env", kind: "environment", major: 1, minor: 4, isNewMajor: false, bundle: bytes, digest, ...overrides };
}

export async function serviceVersion(overrides: Partial<ProtonVersion> = {}): Promise<ProtonVersion> {
  return environmentVersion({
    template: "load-balanced-fargate-svc", kind: "service", minor: 2,
    compatibleEnvironments: [{ name: "fargate-env", major: 1 }, { name: "vpc-tf-env", major: 2 }],
    ...overrides,
  });
}

export const meta = { $metadata: { httpStatusCode: 200 } };
