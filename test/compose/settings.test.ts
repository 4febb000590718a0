// What an operator reads: every settings mistake at once, and no secret in a log line.
import { describe, expect, it } from "vitest";
import { redacted, settingsFromEnv } from "../../src/compose/settings.js";

describe("settingsFromEnv", () => {
  it("has working defaults with no environment at all", () => {
    expect(settingsFromEnv({})).toEqual({ settings: { artifacts: {}, resyncEveryMs: 300_000, renderEngine: "v8", logLevel: "info" }, errors: [] });
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

  it("reads the registry, queue, data folder, resync interval, render engine and log level", () => {
    const { settings } = settingsFromEnv({
      REDIS_URL: "redis://redis:6379", DATABASE_URL: "postgres://db/baryon", BARYON_DATA_DIR: "/data/registry",
      BARYON_RESYNC_SECONDS: "30", LOG_LEVEL: "debug", BARYON_ARTIFACT_DIR: "/data/artifacts", BARYON_RENDER_ENGINE: "quickjs",
    });
    expect(settings).toEqual({
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
