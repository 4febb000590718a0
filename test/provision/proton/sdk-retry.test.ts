// Throttling against the real SDK stack: the Proton client's own retry middleware runs,
// because here only the HTTP layer is scripted (aws-sdk-client-mock would replace send()).
import { Readable } from "node:stream";
import { ProtonClient, type ProtonClientConfig } from "@aws-sdk/client-proton";
import { HeadObjectCommand, NotFound, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { createProtonPublisher } from "../../../src/adapters/proton/publisher.js";
import { BUCKET, environmentVersion, FAST_WAIT } from "./helpers.js";

interface Scripted {
  status: number;
  body: object;
  errorType?: string;
}

/** An HTTP handler that answers each request with the next scripted response, and records the targets. */
function scriptedHandler(script: Scripted[]): { handler: ProtonClientConfig["requestHandler"]; targets: string[] } {
  const targets: string[] = [];
  const handler = {
    handle: async (request: { headers: Record<string, string> }) => {
      targets.push(request.headers["x-amz-target"] ?? "");
      const next = script.shift();
      if (!next) throw new Error("unexpected request: the script is empty");
      const headers: Record<string, string> = { "content-type": "application/x-amz-json-1.0" };
      if (next.errorType) headers["x-amzn-errortype"] = next.errorType;
      return { response: { statusCode: next.status, headers, body: Readable.from([Buffer.from(JSON.stringify(next.body))]) } };
    },
    updateHttpClientConfig: () => {},
    httpHandlerConfigs: () => ({}),
  };
  return { handler: handler as never, targets };
}

const version = (status: string) => ({ environmentTemplateVersion: {
  templateName: "fargate-env", majorVersion: "1", minorVersion: "4", status,
  arn: "arn:aws:proton:us-east-1:123456789012:environment-template/fargate-env:1.4", createdAt: 0, lastModifiedAt: 0,
} });

describe("AWS Proton publisher on the real SDK stack", () => {
  let restore = (): void => {};
  afterEach(() => restore());

  it("retries a throttled call (the SDK's retry strategy) and goes on", async () => {
    const { handler, targets } = scriptedHandler([
      { status: 400, errorType: "ThrottlingException", body: { __type: "ThrottlingException", message: "Rate exceeded" } },
      { status: 200, body: version("DRAFT") },
      { status: 200, body: version("PUBLISHED") },
    ]);
    const proton = new ProtonClient({ region: "us-east-1", credentials: { accessKeyId: "a", secretAccessKey: "b" }, requestHandler: handler });
    const s3 = new S3Client({ region: "us-east-1", credentials: { accessKeyId: "a", secretAccessKey: "b" } });
    const s3Mock = mockClient(s3);
    restore = () => s3Mock.restore();
    s3Mock.on(HeadObjectCommand).rejects(new NotFound({ message: "Not Found", $metadata: { httpStatusCode: 404 } }));
    s3Mock.on(PutObjectCommand).resolves({});
    const publisher = createProtonPublisher({ region: "us-east-1", bucket: BUCKET, wait: FAST_WAIT, clients: { proton, s3 } });

    const result = await publisher.publish(await environmentVersion());

    expect(result).toMatchObject({ ok: true, status: "PUBLISHED", protonVersion: { major: "1", minor: "4" } });
    expect(targets).toEqual([
      "AwsProton20200720.CreateEnvironmentTemplateVersion",
      "AwsProton20200720.CreateEnvironmentTemplateVersion",
      "AwsProton20200720.UpdateEnvironmentTemplateVersion",
    ]);
  });
});
