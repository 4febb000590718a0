import { describe, expect, it } from "vitest";
import { protonConfigFromEnv } from "../../../src/adapters/proton/config.js";
import { settingsFromEnv } from "../../../src/compose/settings.js";

const on = { BARYON_PROTON_REGION: "eu-west-1", BARYON_PROTON_BUCKET: "acme-proton-bundles", BARYON_PROTON_OWNER: "acme" };

describe("protonConfigFromEnv", () => {
  it("is off, with no error, unless BARYON_PROTON_REGION is set", () => {
    expect(protonConfigFromEnv({})).toEqual({ errors: [] });
    expect(protonConfigFromEnv({ BARYON_PROTON_BUCKET: "b", BARYON_PROTON_OWNER: "acme", BARYON_PROTON_REGION: " " })).toEqual({ errors: [] });
  });

  it("reads region, owner, bucket, prefix and wait", () => {
    expect(protonConfigFromEnv({ ...on, BARYON_PROTON_PREFIX: "from-baryon", BARYON_PROTON_WAIT_SECONDS: "600" }))
      .toEqual({ value: { region: "eu-west-1", bucket: "acme-proton-bundles", owner: "acme", prefix: "from-baryon", wait: { maxSeconds: 600 } }, errors: [] });
    expect(protonConfigFromEnv({ BARYON_PROTON_REGION: "us-gov-west-1", BARYON_PROTON_BUCKET: "b", BARYON_PROTON_OWNER: "acme" }).value).toEqual({ region: "us-gov-west-1", bucket: "b", owner: "acme" });
  });

  it("keeps the owner as a lower-case login, as the registry does", () => {
    expect(protonConfigFromEnv({ ...on, BARYON_PROTON_OWNER: " Acme-Platform " }).value?.owner).toBe("acme-platform");
  });

  it("requires the one owner the Proton account serves, and a login rather than a repository", () => {
    expect(protonConfigFromEnv({ ...on, BARYON_PROTON_OWNER: undefined })).toEqual({
      errors: [expect.stringMatching(/^BARYON_PROTON_OWNER is required when BARYON_PROTON_REGION is set/)],
    });
    expect(protonConfigFromEnv({ ...on, BARYON_PROTON_OWNER: "acme/templates" }).errors).toEqual([expect.stringMatching(/BARYON_PROTON_OWNER "acme\/templates" is not a GitHub login/)]);
  });

  it("reports every mistake at once", () => {
    const { value, errors } = protonConfigFromEnv({ BARYON_PROTON_REGION: "Ireland", BARYON_PROTON_WAIT_SECONDS: "soon" });
    expect(value).toBeUndefined();
    expect(errors).toHaveLength(4);
    expect(errors.join("\n")).toMatch(/BARYON_PROTON_OWNER is required/);
    expect(errors.join("\n")).toMatch(/BARYON_PROTON_BUCKET is required/);
    expect(errors.join("\n")).toMatch(/not an AWS Region/);
    expect(errors.join("\n")).toMatch(/BARYON_PROTON_WAIT_SECONDS/);
  });

  it("is reported among the other settings' mistakes at start", () => {
    const { settings, errors } = settingsFromEnv({ BARYON_PROTON_REGION: "us-east-1", BARYON_PROTON_BUCKET: "b", BARYON_RESYNC_SECONDS: "0" });
    expect(settings).toBeUndefined();
    expect(errors).toEqual([
      expect.stringMatching(/^AWS Proton mirror: BARYON_PROTON_OWNER is required/),
      expect.stringMatching(/^BARYON_RESYNC_SECONDS must be/),
    ]);
    expect(settingsFromEnv({ ...on, BARYON_PROTON_OWNER: "Acme" }).settings?.proton).toMatchObject({ owner: "acme" });
  });
});
