// What an operator reads: every settings mistake at once, and no secret in a log line.
import { describe, expect, it } from "vitest";
import { redacted, settingsFromEnv } from "../../src/compose/settings.js";

describe("settingsFromEnv", () => {
  it("has working defaults with no environment at all", () => {
    expect(settingsFromEnv({})).toEqual({ settings: { artifacts: {}, resyncEveryMs: 300_000, driftEveryMs: 86_400_000, renderEngine: "v8", logLevel: "info" }, errors: [] });
  });

  it("reports every mistake at once, and gives no settings then", () => {
    const { settings, errors } = settingsFromEnv({ REDIS_URL: "redis://127.0.0.1:6379", BARYON_RESYNC_SECONDS: "soon", BARYON_RENDER_ENGINE: "python" });
    expect(settings).toBeUndefined();
    expect(errors).toEqual([
      expect.stringContaining('BARYON_RESYNC_SECONDS must be a number of seconds, at least 1 (got "soon")'),
      expect.stringContaining("REDIS_URL is set but DATABASE_URL is not"),
      'BARYON_RENDER_ENGINE must be one of quickjs, v8 (got "python")',
    ]);
  });

  it("refuses a queue prefix Redis keys should not carry, and a job lock of no whole seconds", () => {
    expect(settingsFromEnv({ BARYON_QUEUE_PREFIX: "a b", BARYON_JOB_LOCK_SECONDS: "0.5", BARYON_DRIFT_HOURS: "daily" }).errors).toEqual([
      'BARYON_DRIFT_HOURS must be a number of hours, or 0 for no scheduled drift checks (got "daily")',
      'BARYON_QUEUE_PREFIX must be letters, digits, ".", "_" or "-" (got "a b")',
      'BARYON_JOB_LOCK_SECONDS must be a whole number of seconds, at least 1 (got "0.5")',
    ]);
  });

  it("serves the web console with the app's OAuth and a public URL, its sessions sealed with their own secret or the client's", () => {
    const env = { GITHUB_CLIENT_ID: "Iv23liabc", GITHUB_CLIENT_SECRET: "c".repeat(40), BARYON_PUBLIC_URL: "https://baryon.example.com" };
    expect(settingsFromEnv(env).settings?.console).toEqual({ clientId: "Iv23liabc", clientSecret: "c".repeat(40), publicUrl: "https://baryon.example.com", sessionSecret: "c".repeat(40) });
    expect(settingsFromEnv({ ...env, BARYON_SESSION_SECRET: "s".repeat(32) }).settings?.console?.sessionSecret).toBe("s".repeat(32));
    expect(settingsFromEnv({}).settings?.console).toBeUndefined();
    expect(settingsFromEnv({ GITHUB_CLIENT_ID: "Iv23liabc", BARYON_SESSION_SECRET: "short" }).errors).toEqual([
      "the web console needs both GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET (the GitHub App's settings page), or neither",
      "GITHUB_CLIENT_ID is set but BARYON_PUBLIC_URL is not: GitHub sends the console's users back to <BARYON_PUBLIC_URL>/login/callback",
      "BARYON_SESSION_SECRET must be at least 32 characters (for example `openssl rand -hex 32`)",
    ]);
  });

  it("reads the registry, queue, data folder, resync interval, render engine and log level", () => {
    const { settings } = settingsFromEnv({
      REDIS_URL: "redis://redis:6379", DATABASE_URL: "postgres://db/baryon", BARYON_DATA_DIR: "/data/registry",
      BARYON_RESYNC_SECONDS: "30", LOG_LEVEL: "debug", BARYON_ARTIFACT_DIR: "/data/artifacts", BARYON_RENDER_ENGINE: "quickjs",
      BARYON_QUEUE_PREFIX: "baryon-staging", BARYON_JOB_LOCK_SECONDS: "10", BARYON_DRIFT_HOURS: "6",
    });
    expect(settings).toEqual({
      queuePrefix: "baryon-staging", jobLockMs: 10_000, driftEveryMs: 21_600_000,
      redisUrl: "redis://redis:6379", databaseUrl: "postgres://db/baryon", dataDir: "/data/registry",
      resyncEveryMs: 30_000, renderEngine: "quickjs", logLevel: "debug", artifacts: { dir: "/data/artifacts" },
    });
  });
});

describe("redacted", () => {
  it("keeps where a service is, and drops passwords and query parameters that may hold secrets", () => {
    expect(redacted("postgres://baryon:s3cret@db:5432/baryon?sslmode=require&password=other")).toBe("postgres://baryon:***@db:5432/baryon");
    expect(redacted("redis://:token@cache:6379/2")).toBe("redis://:***@cache:6379/2");
    expect(redacted("not a url")).toBe("(unparseable URL)");
  });
});
