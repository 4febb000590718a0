// Baryon tokens for the Proton API, shaped as AWS credentials so that the AWS CLI
// and SDKs sign with them unchanged: the access key id names the owner, the token's
// name and a random id; the secret is an HMAC of the access key id under a key
// derived from the server's secret. Nothing is stored: a token is checked by
// deriving its secret again, and rotating the server's secret revokes every token.
import { createHmac, hkdfSync, randomBytes } from "node:crypto";

/** `BYN1.<owner>.<name>.<random>`: a GitHub login has no dot, and a token name none either. */
const ACCESS_KEY_ID = /^BYN1\.([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\.([A-Za-z0-9_-]{1,64})\.([A-Z2-7]{16})$/;
export const TOKEN_NAME = /^[A-Za-z0-9_-]{1,64}$/;
export const OWNER_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
/** Distinct from every other use of the same secret (webhook signatures, deployment tokens). */
const LABEL = "baryon proton-api access keys v1";

export interface ApiToken {
  owner: string;
  name: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** The key tokens are made and checked with: derived, so the server's secret itself never signs anything here. */
export function tokenKey(serverSecret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", serverSecret, "", LABEL, 32));
}

export function createApiToken(key: Buffer, owner: string, name: string, random: Buffer = randomBytes(10)): ApiToken {
  if (!OWNER_LOGIN.test(owner)) throw new Error(`--owner ${JSON.stringify(owner)} is not a GitHub login (letters, digits and "-", at most 39)`);
  if (!TOKEN_NAME.test(name)) throw new Error(`--name ${JSON.stringify(name)} must be 1-64 letters, digits, "-" or "_"`);
  const accessKeyId = `BYN1.${owner}.${name}.${base32(random).slice(0, 16)}`;
  return { owner, name, accessKeyId, secretAccessKey: secretFor(key, accessKeyId) };
}

/** Who an access key id names, when it is one of Baryon's. */
export function parseAccessKeyId(accessKeyId: string): { owner: string; name: string } | undefined {
  const match = ACCESS_KEY_ID.exec(accessKeyId);
  return match ? { owner: match[1]!, name: match[2]! } : undefined;
}

/** The secret access key of an access key id: 43 URL-safe characters. */
export function secretFor(key: Buffer, accessKeyId: string): string {
  return createHmac("sha256", key).update(accessKeyId).digest("base64url");
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function base32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return bits > 0 ? out + ALPHABET[(value << (5 - bits)) & 31] : out;
}
