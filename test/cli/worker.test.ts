// `baryon worker` only makes sense beside others on a shared queue: alone, it says
// so and exits, rather than taking jobs nobody can give it.
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { baryon } from "../support/cli.js";

describe("baryon worker", () => {
  it("refuses to start without REDIS_URL, saying what it is for, and without the app's credentials", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
    const dir = mkdtempSync(join(tmpdir(), "baryon-worker-"));
    const env = { APP_ID: "1", PRIVATE_KEY: privateKey, WEBHOOK_SECRET: "s", BARYON_DATA_DIR: join(dir, "registry"), BARYON_ARTIFACT_DIR: join(dir, "artifacts"), REDIS_URL: "", DATABASE_URL: "" };
    const alone = await baryon(["worker"], { cwd: dir, env });
    expect(alone.code).toBe(1);
    expect(alone.stderr).toBe("baryon: cannot start: baryon worker needs REDIS_URL (and DATABASE_URL): it takes its jobs from the queue that `baryon serve --no-workers` fills. On one machine, `baryon serve` runs the jobs itself\n");
    const anonymous = await baryon(["worker"], { cwd: dir, env: { ...env, APP_ID: "" } });
    expect(anonymous.code).toBe(2);
    expect(anonymous.stderr).toContain("APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH) are not set");
  });
});
