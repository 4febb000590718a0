// The pull-request provisioner's settings, folders and callback tokens: pure checks.
import { describe, expect, it } from "vitest";
import { callbackToken, parseCallbackBody, verifyCallbackToken } from "../../src/adapters/provisioners/pull-request-callback.js";
import { folderOf, parsePullRequestConfig } from "../../src/adapters/provisioners/pull-request-config.js";
import { settingsFromEnv } from "../../src/compose/settings.js";

describe("pull-request settings", () => {
  it("takes repository, branch, path and check, and refuses every mistake in one error", () => {
    expect(parsePullRequestConfig({ kind: "pull-request", repository: "acme/infra", branch: "live", path: "/envs/{name}/", check: "terraform" }))
      .toEqual({ repository: "infra", repositoryOwner: "acme", branch: "live", path: "envs/{name}", check: "terraform" });
    expect(() => parsePullRequestConfig({ kind: "pull-request", path: "{stage}/{name}", check: "", stack: "x" }, "infra")).toThrow(
      'provisioner "infra": unknown setting "stack" (a pull-request provisioner takes repository, branch, path, check); `repository:` is required (the infrastructure repository, like infrastructure or acme/infrastructure); `check:` must be a non-empty string; path uses {stage}; a path pattern may use {name}, {service}, {environment}, {kind}',
    );
  });

  it("puts each kind of resource in its own folder, and refuses a pattern it cannot fill or that leaves the repository", () => {
    expect(folderOf({ kind: "environment", name: "prod" })).toEqual({ path: "environment/prod" });
    expect(folderOf({ kind: "service_instance", name: "web-prod", service: "web", environment: "prod" })).toEqual({ path: "instance/web/web-prod" });
    expect(folderOf({ kind: "service_pipeline", name: "web", service: "web" })).toEqual({ path: "pipeline/web" });
    expect(folderOf({ kind: "environment", name: "prod" }, "{service}/{name}")).toEqual({ error: 'path pattern "{service}/{name}" uses {service}, which environment prod does not have' });
    expect(folderOf({ kind: "environment", name: ".." }, "x/{name}")).toEqual({ error: 'folder "x/.." (from the path pattern "x/{name}") is not a plain relative folder' });
  });
});

describe("callback tokens and bodies", () => {
  const secret = "s".repeat(32);
  it("is valid for one owner's one deployment", () => {
    const token = callbackToken(secret, "acme", "d-1");
    expect(verifyCallbackToken(secret, "d-1", `Bearer ${token}`)).toBe("acme");
    expect(verifyCallbackToken(secret, "d-2", `Bearer ${token}`)).toBeUndefined();
    expect(verifyCallbackToken("t".repeat(32), "d-1", `Bearer ${token}`)).toBeUndefined();
    expect(verifyCallbackToken(secret, "d-1", `Bearer other.${token.split(".")[1]}`)).toBeUndefined();
    expect(verifyCallbackToken(secret, "d-1", token)).toBeUndefined();
  });

  it("reads a success with outputs as strings, or a failure with its reason", () => {
    expect(parseCallbackBody('{"status":"succeeded","outputs":{"port":8080,"public":true,"id":"vpc-1"}}')).toEqual({ report: { status: "succeeded", outputs: { port: "8080", public: "true", id: "vpc-1" } } });
    expect(parseCallbackBody('{"status":"failed","reason":"apply failed"}')).toEqual({ report: { status: "failed", reason: "apply failed" } });
    expect(parseCallbackBody('{"status":"done"}')).toEqual({ error: 'status must be "succeeded" or "failed" (got "done")' });
    expect(parseCallbackBody('{"status":"succeeded","outputs":{"tags":{"a":1}}}')).toEqual({ error: 'output "tags" is object; outputs are strings, numbers or booleans' });
    expect(parseCallbackBody('{"status":"succeeded","extra":1}')).toEqual({ error: 'unknown field "extra" (the body takes status, outputs, reason)' });
  });

  it("needs a long secret and the public address together", () => {
    expect(settingsFromEnv({ BARYON_CALLBACK_SECRET: secret, BARYON_PUBLIC_URL: "https://baryon.example.com" }).settings?.callback).toEqual({ secret, url: "https://baryon.example.com" });
    expect(settingsFromEnv({ BARYON_CALLBACK_SECRET: "short" }).errors).toEqual([
      "BARYON_CALLBACK_SECRET must be at least 32 characters (for example `openssl rand -hex 32`)",
      "BARYON_CALLBACK_SECRET is set but BARYON_PUBLIC_URL is not: the callback needs the address the infrastructure repository's CI reaches Baryon at",
    ]);
  });
});
