// BARYON_API_SECRET: optional, at least 32 characters, read the same way by
// `baryon serve` (settings) and `baryon token create`.
import { describe, expect, it } from "vitest";
import { apiSecretFromEnv, settingsFromEnv } from "../../src/compose/settings.js";

describe("BARYON_API_SECRET", () => {
  it("is optional, and refused when shorter than 32 characters, with the other settings' mistakes", () => {
    expect(apiSecretFromEnv({})).toEqual({});
    expect(apiSecretFromEnv({ BARYON_API_SECRET: "  " })).toEqual({});
    expect(apiSecretFromEnv({ BARYON_API_SECRET: "short" }).error).toMatch(/at least 32 characters/);
    const secret = "s".repeat(32);
    expect(settingsFromEnv({ BARYON_API_SECRET: ` ${secret} ` }).settings?.apiSecret).toBe(secret);
    expect(settingsFromEnv({}).settings?.apiSecret).toBeUndefined();
    const { settings, errors } = settingsFromEnv({ BARYON_API_SECRET: "short", BARYON_RESYNC_SECONDS: "0" });
    expect(settings).toBeUndefined();
    expect(errors).toEqual([expect.stringContaining("BARYON_RESYNC_SECONDS"), expect.stringContaining("BARYON_API_SECRET")]);
  });
});
