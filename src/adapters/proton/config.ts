// Reading the publisher's settings from the environment. Off unless BARYON_PROTON_REGION
// is set; mistakes come back as messages, so the composition root can report them all.
import type { ProtonPublisherOptions } from "./publisher.js";

export interface ProtonConfigResult {
  /** The options, when the publisher is configured and the settings are valid. */
  value?: Omit<ProtonPublisherOptions, "clients">;
  errors: string[];
}

/**
 * BARYON_PROTON_REGION    turns the publisher on (e.g. us-east-1)
 * BARYON_PROTON_BUCKET    bucket Proton reads bundles from (required when on)
 * BARYON_PROTON_PREFIX    key prefix in it (default "baryon")
 * BARYON_PROTON_WAIT_SECONDS  longest wait for a registration (default 300)
 * Credentials: the AWS SDK's usual chain (AWS_PROFILE, AWS_ACCESS_KEY_ID, a role, ...).
 */
export function protonConfigFromEnv(env: Record<string, string | undefined>): ProtonConfigResult {
  const region = env.BARYON_PROTON_REGION?.trim();
  if (!region) return { errors: [] };
  const errors: string[] = [];
  const bucket = env.BARYON_PROTON_BUCKET?.trim();
  if (!bucket) errors.push("BARYON_PROTON_BUCKET is required when BARYON_PROTON_REGION is set: the S3 bucket AWS Proton reads bundles from");
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) errors.push(`BARYON_PROTON_REGION ${JSON.stringify(region)} is not an AWS Region name such as us-east-1`);
  let maxSeconds: number | undefined;
  const wait = env.BARYON_PROTON_WAIT_SECONDS?.trim();
  if (wait) {
    maxSeconds = Number(wait);
    if (!Number.isFinite(maxSeconds) || maxSeconds < 10) errors.push(`BARYON_PROTON_WAIT_SECONDS must be a number of seconds, at least 10 (got ${JSON.stringify(wait)})`);
  }
  if (errors.length > 0 || !bucket) return { errors };
  const value: Omit<ProtonPublisherOptions, "clients"> = { region, bucket };
  if (env.BARYON_PROTON_PREFIX !== undefined) value.prefix = env.BARYON_PROTON_PREFIX;
  if (maxSeconds !== undefined) value.wait = { maxSeconds };
  return { value, errors };
}
