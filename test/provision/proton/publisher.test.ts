import { gunzipSync, gzipSync } from "node:zlib";
import {
  AccessDeniedException, CreateEnvironmentTemplateCommand, CreateEnvironmentTemplateVersionCommand,
  CreateServiceTemplateVersionCommand, GetEnvironmentTemplateCommand, GetEnvironmentTemplateVersionCommand,
  GetServiceTemplateVersionCommand, ResourceNotFoundException, ThrottlingException,
  UpdateEnvironmentTemplateVersionCommand, UpdateServiceTemplateVersionCommand, type TemplateVersionStatus,
} from "@aws-sdk/client-proton";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { packBundle, sha256Hex } from "../../../src/bundle/archive/archive.js";
import { ProtonApiError, ProtonTimeoutError } from "../../../src/adapters/proton/types.js";
import { bundleOf, SMALL_BUNDLE } from "../../artifacts/helpers.js";
import { bundle, BUCKET, environmentVersion, meta, rig, serviceVersion, type Rig } from "./helpers.js";

// Answers shaped as Proton's, required fields included.
const stamp = { createdAt: new Date(0), lastModifiedAt: new Date(0) };
const envVersion = (major: string, minor: string, status: TemplateVersionStatus, statusMessage?: string) => ({
  environmentTemplateVersion: {
    templateName: "fargate-env", majorVersion: major, minorVersion: minor, status, ...(statusMessage ? { statusMessage } : {}),
    arn: `arn:aws:proton:us-east-1:123456789012:environment-template/fargate-env:${major}.${minor}`, ...stamp,
  },
  ...meta,
});
const svcVersion = (major: string, minor: string, status: TemplateVersionStatus) => ({
  serviceTemplateVersion: {
    templateName: "load-balanced-fargate-svc", majorVersion: major, minorVersion: minor, status,
    arn: `arn:aws:proton:us-east-1:123456789012:service-template/load-balanced-fargate-svc:${major}.${minor}`,
    compatibleEnvironmentTemplates: [{ templateName: "fargate-env", majorVersion: "1" }], ...stamp,
  },
  ...meta,
});

describe("AWS Proton publisher", () => {
  let r: Rig;
  beforeEach(() => {
    r = rig();
  });
  afterEach(() => r.restore());

  it("registers a minor with majorVersion set, waits for DRAFT, then publishes", async () => {
    const { digest, bytes } = await bundle();
    const key = `baryon/bundles/sha256/${digest}.tar.gz`;
    r.proton.on(CreateEnvironmentTemplateVersionCommand).resolves(envVersion("1", "4", "REGISTRATION_IN_PROGRESS"));
    r.proton.on(GetEnvironmentTemplateVersionCommand)
      .resolvesOnce(envVersion("1", "4", "REGISTRATION_IN_PROGRESS"))
      .resolves(envVersion("1", "4", "DRAFT"));
    r.proton.on(UpdateEnvironmentTemplateVersionCommand).resolves(envVersion("1", "4", "PUBLISHED"));

    const result = await r.publisher.publish(await environmentVersion({ description: "Published by Baryon from acme/templates#12" }));

    expect(result).toEqual({ ok: true, protonVersion: { major: "1", minor: "4" }, status: "PUBLISHED", source: { bucket: BUCKET, key } });
    const upload = r.s3.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(upload).toMatchObject({ Bucket: BUCKET, Key: key, IfNoneMatch: "*" });
    // Proton reads a .tar.gz: the upload is the tar, gzip'd.
    expect([...(upload?.Body as Uint8Array).subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    expect(Buffer.compare(gunzipSync(upload?.Body as Uint8Array), bytes)).toBe(0);
    const create = r.proton.commandCalls(CreateEnvironmentTemplateVersionCommand)[0]?.args[0].input;
    expect(create).toEqual({
      templateName: "fargate-env", majorVersion: "1", source: { s3: { bucket: BUCKET, key } },
      clientToken: expect.stringMatching(/^baryon-[0-9a-f]{40}$/), description: "Published by Baryon from acme/templates#12",
    });
    // Two polls by the SDK's waiter, then one read of the outcome.
    const ref = { templateName: "fargate-env", majorVersion: "1", minorVersion: "4" };
    expect(r.proton.commandCalls(GetEnvironmentTemplateVersionCommand).map((c) => c.args[0].input)).toEqual([ref, ref, ref]);
    expect(r.proton.commandCalls(UpdateEnvironmentTemplateVersionCommand)[0]?.args[0].input)
      .toEqual({ templateName: "fargate-env", majorVersion: "1", minorVersion: "4", status: "PUBLISHED" });
  });

  it("registers a new major with majorVersion left out, and reports Proton's numbering", async () => {
    r.proton.on(CreateEnvironmentTemplateVersionCommand).resolves(envVersion("2", "0", "REGISTRATION_IN_PROGRESS"));
    r.proton.on(GetEnvironmentTemplateVersionCommand).resolves(envVersion("2", "0", "DRAFT"));
    r.proton.on(UpdateEnvironmentTemplateVersionCommand).resolves(envVersion("2", "0", "PUBLISHED"));

    const result = await r.publisher.publish(await environmentVersion({ major: 2, minor: 0, isNewMajor: true }));

    expect(result).toMatchObject({ ok: true, protonVersion: { major: "2", minor: "0" } });
    const create = r.proton.commandCalls(CreateEnvironmentTemplateVersionCommand)[0]!.args[0].input;
    expect(create).not.toHaveProperty("majorVersion");
    expect(r.proton.commandCalls(UpdateEnvironmentTemplateVersionCommand)[0]?.args[0].input).toMatchObject({ majorVersion: "2", minorVersion: "0" });
  });

  it("registers a service template version with its compatible environments, through the service calls only", async () => {
    r.proton.on(CreateServiceTemplateVersionCommand).resolves(svcVersion("1", "2", "REGISTRATION_IN_PROGRESS"));
    r.proton.on(GetServiceTemplateVersionCommand).resolves(svcVersion("1", "2", "DRAFT"));
    r.proton.on(UpdateServiceTemplateVersionCommand).resolves(svcVersion("1", "2", "PUBLISHED"));

    const result = await r.publisher.publish(await serviceVersion({ supportedComponentSources: ["DIRECTLY_DEFINED"] }));

    expect(result).toMatchObject({ ok: true, protonVersion: { major: "1", minor: "2" }, status: "PUBLISHED" });
    expect(r.proton.commandCalls(CreateServiceTemplateVersionCommand)[0]?.args[0].input).toMatchObject({
      templateName: "load-balanced-fargate-svc", majorVersion: "1",
      compatibleEnvironmentTemplates: [{ templateName: "fargate-env", majorVersion: "1" }, { templateName: "vpc-tf-env", majorVersion: "2" }],
      supportedComponentSources: ["DIRECTLY_DEFINED"],
    });
    expect(r.proton.commandCalls(UpdateServiceTemplateVersionCommand)).toHaveLength(1);
    expect(r.proton.commandCalls(CreateEnvironmentTemplateVersionCommand)).toHaveLength(0);
  });

  it("asks a new service major without majorVersion too", async () => {
    r.proton.on(CreateServiceTemplateVersionCommand).resolves(svcVersion("3", "0", "DRAFT"));
    r.proton.on(UpdateServiceTemplateVersionCommand).resolves(svcVersion("3", "0", "PUBLISHED"));
    await r.publisher.publish(await serviceVersion({ major: 3, minor: 0, isNewMajor: true }));
    expect(r.proton.commandCalls(CreateServiceTemplateVersionCommand)[0]!.args[0].input).not.toHaveProperty("majorVersion");
  });

  it("refuses a service version without compatible environments before calling AWS", async () => {
    const result = await r.publisher.publish(await serviceVersion({ compatibleEnvironments: [] }));
    expect(result).toEqual({ ok: false, error: expect.stringContaining("at least one compatible environment") });
    expect(r.proton.calls()).toHaveLength(0);
    expect(r.s3.calls()).toHaveLength(0);
  });

  it("reports a failed registration with Proton's message, publishing nothing and throwing nothing", async () => {
    r.proton.on(CreateEnvironmentTemplateVersionCommand).resolves(envVersion("1", "4", "REGISTRATION_IN_PROGRESS"));
    r.proton.on(GetEnvironmentTemplateVersionCommand).resolves(
      envVersion("1", "4", "REGISTRATION_FAILED", "Schema file schema/schema.yaml is invalid: missing environment_input_type"),
    );
    const result = await r.publisher.publish(await environmentVersion());
    expect(result).toEqual({
      ok: false,
      error: "AWS Proton could not register fargate-env 1.4 (as 1.4): Schema file schema/schema.yaml is invalid: missing environment_input_type",
    });
    expect(r.proton.commandCalls(UpdateEnvironmentTemplateVersionCommand)).toHaveLength(0);
  });

  it("leaves a draft as a draft when asked", async () => {
    r.proton.on(CreateEnvironmentTemplateVersionCommand).resolves(envVersion("1", "4", "DRAFT"));
    expect(await r.publisher.publish(await environmentVersion({ draft: true }))).toMatchObject({ ok: true, status: "DRAFT" });
    expect(r.proton.commandCalls(UpdateEnvironmentTemplateVersionCommand)).toHaveLength(0);
  });

  it("sends the same idempotency token for a retried publish, and another for another bundle", async () => {
    r.proton.on(CreateEnvironmentTemplateVersionCommand).resolves(envVersion("1", "4", "PUBLISHED"));
    await r.publisher.publish(await environmentVersion());
    await r.publisher.publish(await environmentVersion());
    const other = await packBundle(bundleOf("fargate-env/v1", { ...SMALL_BUNDLE, "README.md": "changed" }));
    await r.publisher.publish(await environmentVersion({ bundle: other.bytes, digest: other.digest }));
    const tokens = r.proton.commandCalls(CreateEnvironmentTemplateVersionCommand).map((c) => c.args[0].input.clientToken);
    expect(tokens[0]).toBe(tokens[1]);
    expect(tokens[2]).not.toBe(tokens[0]);
    expect(r.proton.commandCalls(UpdateEnvironmentTemplateVersionCommand)).toHaveLength(0); // already published
  });

  it("uploads a version published before digests named content under its tar's digest, keeping its registry digest in the token", async () => {
    r.proton.on(CreateEnvironmentTemplateVersionCommand).resolves(envVersion("1", "4", "PUBLISHED"));
    const { bytes: tar, digest } = await bundle();
    const legacyDigest = sha256Hex(gzipSync(tar)); // what the registry recorded for it then
    const result = await r.publisher.publish(await environmentVersion({ digest: legacyDigest }));
    await r.publisher.publish(await environmentVersion({ digest: legacyDigest }));
    await r.publisher.publish(await environmentVersion());
    expect(result).toMatchObject({ ok: true, source: { bucket: BUCKET, key: `baryon/bundles/sha256/${digest}.tar.gz` } });
    expect(r.s3.commandCalls(PutObjectCommand)[0]?.args[0].input).toMatchObject({ Key: `baryon/bundles/sha256/${digest}.tar.gz` });
    const tokens = r.proton.commandCalls(CreateEnvironmentTemplateVersionCommand).map((c) => c.args[0].input.clientToken);
    expect(tokens[0]).toBe(tokens[1]);
    expect(tokens[2]).not.toBe(tokens[0]);
  });

  it("creates a template Proton does not know, then the version", async () => {
    r.proton.on(CreateEnvironmentTemplateVersionCommand)
      .rejectsOnce(new ResourceNotFoundException({ message: "Template fargate-env not found", $metadata: { httpStatusCode: 404 } }))
      .resolves(envVersion("1", "0", "DRAFT"));
    r.proton.on(GetEnvironmentTemplateCommand).rejects(new ResourceNotFoundException({ message: "not found", $metadata: { httpStatusCode: 404 } }));
    r.proton.on(CreateEnvironmentTemplateCommand).resolves(meta);
    r.proton.on(UpdateEnvironmentTemplateVersionCommand).resolves(envVersion("1", "0", "PUBLISHED"));
    expect(await r.publisher.publish(await environmentVersion({ major: 1, minor: 0, isNewMajor: true }))).toMatchObject({ ok: true });
    expect(r.proton.commandCalls(CreateEnvironmentTemplateCommand)[0]?.args[0].input).toMatchObject({ name: "fargate-env" });
    expect(r.proton.commandCalls(CreateEnvironmentTemplateVersionCommand)).toHaveLength(2);
  });

  it("does not create the template when it exists and something else is missing", async () => {
    const missing = new ResourceNotFoundException({ message: "Major version 7 not found", $metadata: { httpStatusCode: 404 } });
    r.proton.on(CreateEnvironmentTemplateVersionCommand).rejects(missing);
    r.proton.on(GetEnvironmentTemplateCommand).resolves(meta);
    const error = await r.publisher.publish(await environmentVersion({ major: 7 })).catch((err: unknown) => err);
    expect(error).toMatchObject({ name: "ProtonApiError", code: "ResourceNotFoundException", retryable: false });
    expect((error as Error).cause).toBe(missing);
    expect(r.proton.commandCalls(CreateEnvironmentTemplateCommand)).toHaveLength(0);
  });

  it("reports throttling that outlasts the SDK's retries as a retryable ProtonApiError", async () => {
    const throttled = new ThrottlingException({ message: "Rate exceeded", $metadata: { httpStatusCode: 400 } });
    r.proton.on(CreateEnvironmentTemplateVersionCommand).rejects(throttled);
    const error = await r.publisher.publish(await environmentVersion()).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ProtonApiError);
    expect(error).toMatchObject({ operation: "CreateEnvironmentTemplateVersion", code: "ThrottlingException", retryable: true, status: 400 });
    expect((error as Error).cause).toBe(throttled);
    expect((error as Error).message).toBe("AWS Proton CreateEnvironmentTemplateVersion failed: ThrottlingException: Rate exceeded");
  });

  it("gives up waiting after the bounded wait with a ProtonTimeoutError", async () => {
    r.proton.on(CreateEnvironmentTemplateVersionCommand).resolves(envVersion("1", "4", "REGISTRATION_IN_PROGRESS"));
    r.proton.on(GetEnvironmentTemplateVersionCommand).resolves(envVersion("1", "4", "REGISTRATION_IN_PROGRESS"));
    const started = Date.now();
    const error = await r.publisher.publish(await environmentVersion()).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ProtonTimeoutError);
    expect(error).toMatchObject({ template: "fargate-env", version: "1.4", retryable: true });
    expect(Date.now() - started).toBeLessThan(3000);
    const polls = r.proton.commandCalls(GetEnvironmentTemplateVersionCommand).length;
    expect(polls).toBeGreaterThan(3); // backed off, not a single look
  });

  it("reports an access error met while waiting, not a timeout", async () => {
    r.proton.on(CreateEnvironmentTemplateVersionCommand).resolves(envVersion("1", "4", "REGISTRATION_IN_PROGRESS"));
    r.proton.on(GetEnvironmentTemplateVersionCommand).rejects(new AccessDeniedException({ message: "not allowed", $metadata: { httpStatusCode: 403 } }));
    await expect(r.publisher.publish(await environmentVersion())).rejects.toMatchObject({
      name: "ProtonApiError", operation: "GetEnvironmentTemplateVersion", code: "AccessDeniedException", retryable: false, status: 403,
    });
  });
});
