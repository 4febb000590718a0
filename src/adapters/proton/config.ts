// Reading the publisher's settings from the environment. Off unless BARYON_PROTON_REGION
// is set; mistakes come back as messages, so the composition root can report them all.
import type { ProtonPublisherOptions } from "./publisher.js";

/** The mirror's settings: the publisher's options and the one owner it serves. */
export interface ProtonMirrorSettings extends Omit<ProtonPublisherOptions, "clients"> {
  /** The GitHub login whose versions are mirrored, lower-cased. */
  owner: string;
}

export interface ProtonConfigResult {
  /** The settings, when the mirror is configured and they are valid. */
  value?: ProtonMirrorSettings;
  errors: string[];
}

/** GitHub logins: letters, digits, hyphens (and underscores for managed users); never a repository's "owner/name". */
const LOGIN = /^[a-z\d][a-z\d_-]{0,99}$/i;

/**
 * BARYON_PROTON_REGION    turns the publisher on (e.g. us-east-1)
 * BARYON_PROTON_OWNER     the one GitHub owner (organization or user) whose versions are mirrored (required when on)
 * BARYON_PROTON_BUCKET    bucket Proton reads bundles from (required when on)
 * BARYON_PROTON_PREFIX    key prefix in it (default "baryon")
 * BARYON_PROTON_WAIT_SECONDS  longest wait for a registration (default 300)
 * Credentials: the AWS SDK's usual chain (AWS_PROFILE, AWS_ACCESS_KEY_ID, a role, ...).
 */
export function protonConfigFromEnv(env: Record<string, string | undefined>): ProtonConfigResult {
  const region = env.BARYON_PROTON_REGION?.trim();
  if (!region) return { errors: [] };
  const errors: string[] = [];
  // Proton's template names are unique per AWS account, and every owner's templates would share them.
  const owner = env.BARYON_PROTON_OWNER?.trim();
  if (!owner) errors.push("BARYON_PROTON_OWNER is required when BARYON_PROTON_REGION is set: the GitHub organization or user whose versions go to this Proton account (one owner per account, as Proton's template names are unique per account)");
  else if (!LOGIN.test(owner)) errors.push(`BARYON_PROTON_OWNER ${JSON.stringify(owner)} is not a GitHub login such as acme (an organization or user, not a repository)`);
  const bucket = env.BARYON_PROTON_BUCKET?.trim();
  if (!bucket) errors.push("BARYON_PROTON_BUCKET is required when BARYON_PROTON_REGION is set: the S3 bucket AWS Proton reads bundles from");
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) errors.push(`BARYON_PROTON_REGION ${JSON.stringify(region)} is not an AWS Region name such as us-east-1`);
  let maxSeconds: number | undefined;
  const wait = env.BARYON_PROTON_WAIT_SECONDS?.trim();
  if (wait) {
    maxSeconds = Number(wait);
    if (!Number.isFinite(maxSeconds) || maxSeconds < 10) errors.push(`BARYON_PROTON_WAIT_SECONDS must be a number of seconds, at least 10 (got ${JSON.stringify(wait)})`);
  }
  if (errors.length > 0 || !bucket || !owner) return { errors };
  const value: ProtonMirrorSettings = { region, bucket, owner: owner.toLowerCase() };
  if (env.BARYON_PROTON_PREFIX !== undefined) value.prefix = env.BARYON_PROTON_PREFIX;
  if (maxSeconds !== undefined) value.wait = { maxSeconds };
  return { value, errors };
}
