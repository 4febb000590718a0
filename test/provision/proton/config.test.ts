import { describe, expect, it } from "vitest";
import { protonConfigFromEnv } from "../../../src/adapters/proton/config.js";

describe("protonConfigFromEnv", () => {
  it("is off, with no error, unless BARYON_PROTON_REGION is set", () => {
    expect(protonConfigFromEnv({})).toEqual({ errors: [] });
    expect(protonConfigFromEnv({ BARYON_PROTON_BUCKET: "b", BARYON_PROTON_REGION: " " })).toEqual({ errors: [] });
  });

  it("reads region, bucket, prefix and wait", () => {
    expect(protonConfigFromEnv({
      BARYON_PROTON_REGION: "eu-west-1", BARYON_PROTON_BUCKET: "acme-proton-bundles", BARYON_PROTON_PREFIX: "from-baryon", BARYON_PROTON_WAIT_SECONDS: "600",
    })).toEqual({ value: { region: "eu-west-1", bucket: "acme-proton-bundles", prefix: "from-baryon", wait: { maxSeconds: 600 } }, errors: [] });
    expect(protonConfigFromEnv({ BARYON_PROTON_REGION: "us-gov-west-1", BARYON_PROTON_BUCKET: "b" }).value).toEqual({ region: "us-gov-west-1", bucket: "b" });
  });

  it("reports every mistake at once", () => {
    const { value, errors } = protonConfigFromEnv({ BARYON_PROTON_REGION: "Ireland", BARYON_PROTON_WAIT_SECONDS: "soon" });
    expect(value).toBeUndefined();
    expect(errors).toHaveLength(3);
    expect(errors.join("\n")).toMatch(/BARYON_PROTON_BUCKET is required/);
    expect(errors.join("\n")).toMatch(/not an AWS Region/);
    expect(errors.join("\n")).toMatch(/BARYON_PROTON_WAIT_SECONDS/);
  });
});
