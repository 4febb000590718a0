// The Proton publisher as the mirror job's VersionMirror: Proton's refusals are results
// (recorded, said on the pull request); what may pass is thrown, so the queue retries it.
import {
  AccessDeniedException, CreateEnvironmentTemplateVersionCommand, GetEnvironmentTemplateVersionCommand,
  InternalServerException, ThrottlingException, ValidationException, type TemplateVersionStatus,
} from "@aws-sdk/client-proton";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { protonMirror } from "../../../src/adapters/proton/version-mirror.js";
import { ProtonApiError, ProtonTimeoutError } from "../../../src/adapters/proton/types.js";
import { parseRepository } from "../../../src/bundle/parse/repository.js";
import type { VersionRecord } from "../../../src/ports/registry.js";
import { mirrorsOwner } from "../../../src/ports/version-mirror.js";
import { ArtifactStoreError } from "../../../src/ports/artifact-store.js";
import { bundleOf, SMALL_BUNDLE } from "../../artifacts/helpers.js";
import { bundle, meta, rig, type Rig } from "./helpers.js";

const envVersion = (status: TemplateVersionStatus, statusMessage?: string) => ({
  environmentTemplateVersion: {
    templateName: "fargate-env", majorVersion: "1", minorVersion: "4", status, ...(statusMessage ? { statusMessage } : {}),
    arn: "arn:aws:proton:us-east-1:123456789012:environment-template/fargate-env:1.4", createdAt: new Date(0), lastModifiedAt: new Date(0),
  },
  ...meta,
});

async function publishArgs() {
  const { bytes, digest } = await bundle();
  const parsed = parseRepository({ files: bundleOf("fargate-env/v1", SMALL_BUNDLE).files }).templates[0]!.bundles[0]!;
  const version: VersionRecord = {
    template: "fargate-env", kind: "environment", major: 1, minor: 4, status: "published", digest, artifact: "file:///unused",
    source: { repository: "acme/templates", commit: "a".repeat(40) }, schema: null, reasons: [], createdAt: new Date(0), publishedAt: new Date(0),
    mirror: { status: "pending" },
  };
  return [version, parsed, bytes, false] as const;
}

describe("the AWS Proton mirror", () => {
  let r: Rig;
  beforeEach(() => {
    r = rig();
  });
  afterEach(() => r.restore());

  it("serves the one owner it was given, whatever the case of the login", () => {
    const mirror = protonMirror(r.publisher, "Acme");
    expect(mirror.owner).toBe("acme");
    expect(mirrorsOwner(mirror, "acme")).toBe(true);
    expect(mirrorsOwner(mirror, "ACME")).toBe(true);
    expect(mirrorsOwner(mirror, "globex")).toBe(false);
    expect(mirrorsOwner(undefined, "acme")).toBe(false);
  });

  it("returns Proton's refusal of the bundle as a result", async () => {
    r.proton.on(CreateEnvironmentTemplateVersionCommand).resolves(envVersion("REGISTRATION_IN_PROGRESS"));
    r.proton.on(GetEnvironmentTemplateVersionCommand).resolves(envVersion("REGISTRATION_FAILED", "Template bundle is missing a schema"));
    expect(await protonMirror(r.publisher, "acme").publish(...(await publishArgs())))
      .toEqual({ ok: false, error: "AWS Proton could not register fargate-env 1.4 (as 1.4): Template bundle is missing a schema" });
  });

  it.each([
    ["validation", new ValidationException({ message: "Template name is invalid", $metadata: { httpStatusCode: 400 } }), /ValidationException: Template name is invalid/],
    ["access denied", new AccessDeniedException({ message: "not allowed", $metadata: { httpStatusCode: 403 } }), /AccessDeniedException: not allowed/],
  ])("returns a request Proton refuses (%s) as a result", async (_what, refusal, message) => {
    r.proton.on(CreateEnvironmentTemplateVersionCommand).rejects(refusal);
    const result = await protonMirror(r.publisher, "acme").publish(...(await publishArgs()));
    expect(result).toEqual({ ok: false, error: expect.stringMatching(message) });
  });

  it.each([
    ["throttling", new ThrottlingException({ message: "Rate exceeded", $metadata: { httpStatusCode: 400 } })],
    ["a 5xx", new InternalServerException({ message: "oops", $metadata: { httpStatusCode: 500 } })],
    ["no answer", Object.assign(new Error("connect ECONNREFUSED"), { name: "Error", code: "ECONNREFUSED" })],
  ])("throws what may pass (%s), for the queue to retry", async (_what, failure) => {
    r.proton.on(CreateEnvironmentTemplateVersionCommand).rejects(failure);
    const error = await protonMirror(r.publisher, "acme").publish(...(await publishArgs())).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ProtonApiError);
    expect(error).toMatchObject({ retryable: true });
  });

  it("throws a registration still running at the end of the wait", async () => {
    r.proton.on(CreateEnvironmentTemplateVersionCommand).resolves(envVersion("REGISTRATION_IN_PROGRESS"));
    r.proton.on(GetEnvironmentTemplateVersionCommand).resolves(envVersion("REGISTRATION_IN_PROGRESS"));
    await expect(protonMirror(r.publisher, "acme").publish(...(await publishArgs()))).rejects.toBeInstanceOf(ProtonTimeoutError);
  });

  it("throws an upload S3 could not take now, and returns one S3 refuses", async () => {
    r.s3.on(PutObjectCommand).rejectsOnce(Object.assign(new Error("We encountered an internal error"), { name: "InternalError", $metadata: { httpStatusCode: 500 } }))
      .rejects(Object.assign(new Error("Access Denied"), { name: "AccessDenied", $metadata: { httpStatusCode: 403 } }));
    const mirror = protonMirror(r.publisher, "acme");
    await expect(mirror.publish(...(await publishArgs()))).rejects.toBeInstanceOf(ArtifactStoreError);
    expect(await mirror.publish(...(await publishArgs()))).toEqual({ ok: false, error: expect.stringMatching(/Access Denied/) });
    expect(r.proton.commandCalls(CreateEnvironmentTemplateVersionCommand)).toHaveLength(0);
  });
});
