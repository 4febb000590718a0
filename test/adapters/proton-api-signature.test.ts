// Baryon tokens and the SigV4 check, on plain values: requests signed by the AWS
// SDK's own signer are accepted, and any change to what was signed, a wrong
// secret, a stale date or a payload hash that is not the body's is refused.
import { createHmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import { describe, expect, it } from "vitest";
import { createApiToken, parseAccessKeyId, secretFor, tokenKey } from "../../src/adapters/proton-api/api-token.js";
import { NodeSha256, verifySignature, type SignedRequest } from "../../src/adapters/proton-api/verify-signature.js";

const KEY = tokenKey("server-secret");
const NOW = new Date("2026-11-02T10:00:00Z");
const TOKEN = createApiToken(KEY, "acme", "deploy", Buffer.alloc(10, 7));
const BODY = JSON.stringify({ name: "shop-dev", serviceName: "shop", deploymentType: "CURRENT_VERSION" });
const secretOf = (id: string) => (parseAccessKeyId(id) ? secretFor(KEY, id) : undefined);

/** A request as the SDK signs it, and as Node's server then shows it (lower-case headers). */
async function signed(options: { secret?: string; at?: Date; body?: string; checksum?: boolean; extra?: Record<string, string> } = {}): Promise<SignedRequest> {
  const signer = new SignatureV4({ credentials: { accessKeyId: TOKEN.accessKeyId, secretAccessKey: options.secret ?? TOKEN.secretAccessKey },
    region: "eu-west-1", service: "proton", sha256: NodeSha256, applyChecksum: options.checksum ?? false });
  const body = options.body ?? BODY;
  const request = await signer.sign({
    method: "POST", protocol: "http:", hostname: "baryon.test", path: "/api/proton/", query: {}, body,
    headers: { host: "baryon.test:3000", "content-type": "application/x-amz-json-1.0", "x-amz-target": "AwsProton20200720.UpdateServiceInstance", ...options.extra },
  }, { signingDate: options.at ?? NOW });
  const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { method: "POST", url: "/api/proton/", headers, body: Buffer.from(body) };
}

describe("Baryon tokens", () => {
  it("name their owner and token, and derive their secret from the server's", () => {
    expect(TOKEN.accessKeyId).toBe("BYN1.acme.deploy.A4DQOBYHA4DQOBYH"); // RFC 4648 base32 of the random bytes
    expect(parseAccessKeyId(TOKEN.accessKeyId)).toEqual({ owner: "acme", name: "deploy" });
    expect(TOKEN.secretAccessKey).toBe(secretFor(KEY, TOKEN.accessKeyId));
    expect(secretFor(tokenKey("another-secret"), TOKEN.accessKeyId)).not.toBe(TOKEN.secretAccessKey);
    // The key is derived under its own label: not the secret, nor its plain HMAC.
    expect(KEY.toString("hex")).not.toBe(createHmac("sha256", "server-secret").update("").digest("hex"));
    expect(createApiToken(KEY, "acme", "deploy").accessKeyId).not.toBe(createApiToken(KEY, "acme", "deploy").accessKeyId);
    for (const id of ["AKIAIOSFODNN7EXAMPLE", "BYN1.acme.deploy", "BYN1.a.b.c.AAAAAAAAAAAAAAAA", "BYN1.-acme.deploy.AAAAAAAAAAAAAAAA"]) expect(parseAccessKeyId(id)).toBeUndefined();
    expect(() => createApiToken(KEY, "acme.corp", "x")).toThrow(/not a GitHub login/);
    expect(() => createApiToken(KEY, "acme", "a/b")).toThrow(/--name/);
  });
});

describe("verifySignature", () => {
  it("accepts what the SDK's signer signed, with or without a payload hash header, within 15 minutes", async () => {
    expect(await verifySignature(await signed(), secretOf, NOW)).toEqual({ ok: true, accessKeyId: TOKEN.accessKeyId });
    expect(await verifySignature(await signed({ checksum: true }), secretOf, NOW)).toMatchObject({ ok: true });
    expect(await verifySignature(await signed({ at: new Date(NOW.getTime() - 14 * 60_000) }), secretOf, NOW)).toMatchObject({ ok: true });
    expect(await verifySignature(await signed({ at: new Date(NOW.getTime() + 14 * 60_000) }), secretOf, NOW)).toMatchObject({ ok: true });
  });

  it("refuses a wrong secret, a changed body, header or path, and says which kind of failure", async () => {
    const refused = (code: string) => ({ ok: false, code });
    expect(await verifySignature(await signed({ secret: secretFor(tokenKey("guess"), TOKEN.accessKeyId) }), secretOf, NOW)).toMatchObject(refused("InvalidSignatureException"));
    const good = await signed();
    expect(await verifySignature({ ...good, body: Buffer.from(BODY.replace("shop-dev", "shop-prd")) }, secretOf, NOW)).toMatchObject(refused("InvalidSignatureException"));
    expect(await verifySignature({ ...good, headers: { ...good.headers, "x-amz-target": "AwsProton20200720.DeleteService" } }, secretOf, NOW)).toMatchObject(refused("InvalidSignatureException"));
    expect(await verifySignature({ ...good, url: "/api/proton" }, secretOf, NOW)).toMatchObject(refused("InvalidSignatureException"));
    expect(await verifySignature({ ...good, headers: { ...good.headers, authorization: undefined } }, secretOf, NOW)).toMatchObject(refused("MissingAuthenticationTokenException"));
    const foreign = String(good.headers.authorization).replace(TOKEN.accessKeyId, "AKIAIOSFODNN7EXAMPLE");
    expect(await verifySignature({ ...good, headers: { ...good.headers, authorization: foreign } }, secretOf, NOW)).toMatchObject(refused("UnrecognizedClientException"));
    expect(await verifySignature({ ...good, headers: { ...good.headers, authorization: "Bearer x" } }, secretOf, NOW)).toMatchObject(refused("InvalidSignatureException"));
  });

  it("refuses a date more than 15 minutes away, and a declared payload hash that is not the body's", async () => {
    const stale = await verifySignature(await signed({ at: new Date(NOW.getTime() - 16 * 60_000) }), secretOf, NOW);
    expect(stale).toMatchObject({ ok: false, code: "InvalidSignatureException", message: expect.stringMatching(/^Signature expired: 20261102T094400Z/) });
    const unsigned = await signed({ extra: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" } });
    expect(await verifySignature(unsigned, secretOf, NOW)).toMatchObject({ ok: false, message: expect.stringContaining("not the body's SHA-256") });
  });
});
