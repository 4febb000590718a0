// AWS Signature Version 4, checked on Baryon's side: the request is signed again
// with the secret its access key id derives (api-token.ts), by the same signer the
// AWS SDK uses, over exactly the headers the client says it signed, and the two
// signatures are compared in constant time. The clock may be off by 15 minutes at
// most, as on AWS; a body whose declared SHA-256 is not its own is refused.
import { createHash, createHmac, timingSafeEqual, type Hash, type Hmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";

export const MAX_SKEW_MS = 15 * 60 * 1000;

export interface SignedRequest {
  method: string;
  /** The path as sent, query included (`/api/proton/`). */
  url: string;
  /** Node's lower-cased request headers. */
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array;
}

/** The names AWS answers with; the SDKs throw them as errors of that name (and correct their clock on InvalidSignatureException). */
export type SignatureFailure = "MissingAuthenticationTokenException" | "UnrecognizedClientException" | "InvalidSignatureException";

export type Verification = { ok: true; accessKeyId: string } | { ok: false; code: SignatureFailure; message: string };

const AUTHORIZATION = /^AWS4-HMAC-SHA256 (.+)$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** `secretOf` answers the secret of an access key id it knows, undefined otherwise. */
export async function verifySignature(request: SignedRequest, secretOf: (accessKeyId: string) => string | undefined, now: Date): Promise<Verification> {
  const fail = (code: SignatureFailure, message: string): Verification => ({ ok: false, code, message });
  const header = one(request.headers.authorization);
  if (!header) return fail("MissingAuthenticationTokenException", "Missing Authentication Token: sign the request with SigV4 (credentials from `baryon token create`)");
  const parsed = parseAuthorization(header);
  if (!parsed) return fail("InvalidSignatureException", "the Authorization header is not an AWS4-HMAC-SHA256 signature");
  const secret = secretOf(parsed.accessKeyId);
  if (secret === undefined) return fail("UnrecognizedClientException", "The security token included in the request is invalid: it is not a Baryon token (`baryon token create`)");

  const amzDate = one(request.headers["x-amz-date"]);
  const date = amzDate ? parseAmzDate(amzDate) : undefined;
  if (!date || !parsed.signedHeaders.includes("x-amz-date") || !parsed.signedHeaders.includes("host")) {
    return fail("InvalidSignatureException", "the signature must cover the host and x-amz-date headers");
  }
  if (Math.abs(now.getTime() - date.getTime()) > MAX_SKEW_MS) {
    return fail("InvalidSignatureException", `Signature expired: ${amzDate} is more than 15 min. away from ${formatAmzDate(now)}`);
  }
  if (parsed.scope.date !== amzDate!.slice(0, 8)) return fail("InvalidSignatureException", "the credential scope's date is not the request's");

  const headers: Record<string, string> = {};
  for (const name of parsed.signedHeaders) {
    const value = request.headers[name];
    if (value === undefined) return fail("InvalidSignatureException", `signed header ${name} is missing`);
    headers[name] = Array.isArray(value) ? value.join(",") : value;
  }
  // The signer would take a declared payload hash on trust: it must be the body's own.
  const declared = headers["x-amz-content-sha256"];
  if (declared !== undefined && declared !== createHash("sha256").update(request.body).digest("hex")) {
    return fail("InvalidSignatureException", "x-amz-content-sha256 is not the body's SHA-256 (unsigned payloads are refused)");
  }
  const url = new URL(request.url, "http://localhost");
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of url.searchParams) {
    const before = query[key];
    query[key] = before === undefined ? value : [...(Array.isArray(before) ? before : [before]), value];
  }
  const signer = new SignatureV4({
    credentials: { accessKeyId: parsed.accessKeyId, secretAccessKey: secret },
    region: parsed.scope.region, service: parsed.scope.service, sha256: NodeSha256, applyChecksum: false,
  });
  const signed = await signer.sign(
    { method: request.method, protocol: "http:", hostname: headers.host ?? "", path: url.pathname, query, headers, body: request.body },
    { signingDate: date, signingRegion: parsed.scope.region, signingService: parsed.scope.service },
  );
  const expected = parseAuthorization(String(signed.headers.authorization ?? ""));
  const matches = expected !== undefined && expected.signature.length === parsed.signature.length
    && timingSafeEqual(Buffer.from(expected.signature), Buffer.from(parsed.signature));
  if (!matches) return fail("InvalidSignatureException", "The request signature we calculated does not match the signature you provided: check the secret access key");
  return { ok: true, accessKeyId: parsed.accessKeyId };
}

interface Authorization {
  accessKeyId: string;
  scope: { date: string; region: string; service: string };
  signedHeaders: string[];
  signature: string;
}

function parseAuthorization(header: string): Authorization | undefined {
  const body = AUTHORIZATION.exec(header.trim())?.[1];
  if (!body) return undefined;
  const parts = new Map(body.split(",").map((p) => p.trim().split("=", 2) as [string, string | undefined]));
  const credential = parts.get("Credential")?.split("/");
  const signedHeaders = parts.get("SignedHeaders")?.split(";");
  const signature = parts.get("Signature");
  if (!credential || credential.length !== 5 || credential[4] !== "aws4_request" || !signedHeaders || !signature || !/^[0-9a-f]{64}$/.test(signature)) return undefined;
  const [accessKeyId, date, region, service] = credential as [string, string, string, string];
  if (!accessKeyId || !/^\d{8}$/.test(date) || !region || !service) return undefined;
  return { accessKeyId, scope: { date, region, service }, signedHeaders, signature };
}

function parseAmzDate(text: string): Date | undefined {
  const m = AMZ_DATE.exec(text);
  if (!m) return undefined;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

const formatAmzDate = (date: Date) => date.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");

const one = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

/** SHA-256, and HMAC-SHA-256 when given a key, as the signer asks for them (node:crypto, not a second hashing package). */
export class NodeSha256 {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = this.fresh();
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash("sha256") : createHmac("sha256", bytes(this.secret));
  }
}

function bytes(data: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof data === "string") return Buffer.from(data, "utf8");
  return ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);
}
