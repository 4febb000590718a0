// The settings of a `kind: command` provisioner: what is accepted, and every
// refusal named in one ProvisionerConfigError.
import { describe, expect, it } from "vitest";
import { parseCommandConfig } from "../../src/adapters/provisioners/command-config.js";
import { formatDuration, parseDuration } from "../../src/config/duration.js";
import { commandEnvironment } from "../../src/adapters/provisioners/command-env.js";
import { commandProvisioner } from "../../src/adapters/provisioners/command.js";
import { ProvisionerConfigError } from "../../src/ports/provisioner.js";
import { request } from "./helpers.js";

function refusal(settings: unknown): string {
  try {
    commandProvisioner(settings, { name: "scripts" });
  } catch (error) {
    expect(error).toBeInstanceOf(ProvisionerConfigError);
    return (error as Error).message;
  }
  throw new Error("the settings were accepted");
}

describe("command provisioner settings", () => {
  it("reads deploy, destroy, drift, timeout and env, with a 10m timeout by default", () => {
    expect(parseCommandConfig({ kind: "command", deploy: "./deploy.sh" })).toEqual({ deploy: "./deploy.sh", timeoutMs: 600_000, env: [] });
    expect(parseCommandConfig({ kind: "command", deploy: "make apply", destroy: "make destroy", drift: "make plan", timeout: "1h30m", env: ["AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] }))
      .toEqual({ deploy: "make apply", destroy: "make destroy", drift: "make plan", timeoutMs: 5_400_000, env: ["AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] });
  });

  it.each([["90s", 90_000], ["10m", 600_000], ["1h", 3_600_000], ["2m30s", 150_000], [600, 600_000], ["45", 45_000], [" 5m ", 300_000]])("reads the duration %j", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([[600_000, "10m"], [90_000, "90s"], [3_600_000, "1h"], [5_400_000, "90m"], [1500, "1.5s"]])("writes %d ms back as %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each([
    [{ kind: "command" }, 'provisioner "scripts": `deploy:` is required: the command (or path of a script) to run'],
    [{ deploy: "  " }, 'provisioner "scripts": `deploy:` must be a command or the path of a script (got "  ")'],
    [{ deploy: ["a"] }, 'provisioner "scripts": `deploy:` must be a command or the path of a script (got ["a"])'],
    [{ deploy: "x", destroy: 3 }, 'provisioner "scripts": `destroy:` must be a command or the path of a script (got 3)'],
    [{ deploy: "x", timeout: "10 minutes" }, 'provisioner "scripts": timeout "10 minutes" is not a duration: write it like 90s, 10m, 1h or a number of seconds'],
    [{ deploy: "x", timeout: "0s" }, 'provisioner "scripts": timeout "0s" must be between 1s and 24h'],
    [{ deploy: "x", timeout: "25h" }, 'provisioner "scripts": timeout "25h" must be between 1s and 24h'],
    [{ deploy: "x", timeout: true }, 'provisioner "scripts": timeout true is not a duration: write it like 90s, 10m, 1h or a number of seconds'],
    [{ deploy: "x", env: "AWS_PROFILE" }, 'provisioner "scripts": `env:` must be a list of environment variable names'],
    [{ deploy: "x", env: ["AWS PROFILE"] }, 'provisioner "scripts": env: "AWS PROFILE" is not an environment variable name'],
    [{ deploy: "x", env: ["BARYON_RESOURCE"] }, 'provisioner "scripts": env: BARYON_RESOURCE is set by Baryon for each deployment and cannot be passed'],
    [{ deploy: "x", env: ["BARYON_INPUT_PORT"] }, 'provisioner "scripts": env: BARYON_INPUT_PORT is set by Baryon for each deployment and cannot be passed'],
    [{ deploy: "x", command: "y" }, 'provisioner "scripts": unknown setting "command" (a command provisioner takes deploy, destroy, drift, timeout, env)'],
    [{ kind: "cloudformation", deploy: "x" }, 'provisioner "scripts": kind is "cloudformation", not "command"'],
    ["deploy.sh", 'provisioner "scripts": settings must be a mapping with at least `deploy:`'],
  ])("refuses %j", (settings, message) => {
    expect(refusal(settings)).toBe(message);
  });

  it("refuses each of Baryon's credentials listed in env:, naming it, and every mistake at once", () => {
    const listed = ["PRIVATE_KEY", "PRIVATE_KEY_PATH", "WEBHOOK_SECRET", "GITHUB_CLIENT_SECRET", "DATABASE_URL", "REDIS_URL", "PGPASSWORD", "BARYON_CALLBACK_TOKEN", "BARYON_API_SECRET", "webhook_secret"];
    const message = refusal({ deploy: "x", timeout: "soon", env: ["AWS_ACCESS_KEY_ID", ...listed] });
    for (const name of listed) expect(message).toContain(`env: ${name} is one of Baryon's own credentials and is never passed to a command`);
    expect(message).toContain('timeout "soon" is not a duration');
    expect(message).not.toContain("AWS_ACCESS_KEY_ID");
  });

  it("leaves a credential out of the environment even when a config slipped past the check lists it", () => {
    const base = { PATH: "/bin", PRIVATE_KEY: "pk", WEBHOOK_SECRET: "ws", DATABASE_URL: "postgres://u:p@h/db", AWS_SECRET_ACCESS_KEY: "aws" };
    const result = commandEnvironment(request(), ["PRIVATE_KEY", "WEBHOOK_SECRET", "DATABASE_URL", "AWS_SECRET_ACCESS_KEY"], base);
    expect("env" in result && Object.keys(result.env).filter((k) => !k.startsWith("BARYON_"))).toEqual(["PATH", "AWS_SECRET_ACCESS_KEY"]);
  });
});
