// The settings of one `kind: command` entry of `provisioners:` in .github/baryon.yml,
// checked once when the provisioner is built: every mistake in one error, so an
// operator fixes them in one go.
import { timeoutSetting } from "../../config/duration.js";
import { settingsEntry } from "./settings-entry.js";
import { checkPassedVariables } from "./command-env.js";

export interface CommandConfig {
  /** Run with `/bin/sh -c` in the work folder. */
  deploy: string;
  destroy?: string;
  /** Drift detection (`baryon drift`): exit 0 in sync, 1 drifted (its output says how), else unknown. */
  drift?: string;
  timeoutMs: number;
  /** Variables passed from Baryon's environment, as listed. */
  env: string[];
}

export const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;
const KEYS = ["kind", "deploy", "destroy", "drift", "timeout", "env"];
/** Checks one entry as parsed from YAML; throws ProvisionerConfigError naming every mistake. */
export function parseCommandConfig(raw: unknown, name = "command"): CommandConfig {
  const { entry, errors, done } = settingsEntry(raw, name, "command", KEYS, "`deploy:`");

  const command = (key: "deploy" | "destroy" | "drift", required: boolean): string | undefined => {
    const value = entry[key];
    if (value === undefined || value === null) {
      if (required) errors.push(`\`${key}:\` is required: the command (or path of a script) to run`);
      return undefined;
    }
    if (typeof value !== "string" || !value.trim()) {
      errors.push(`\`${key}:\` must be a command or the path of a script (got ${JSON.stringify(value)})`);
      return undefined;
    }
    return value;
  };
  const deploy = command("deploy", true);
  const destroy = command("destroy", false);
  const drift = command("drift", false);

  const timeoutMs = timeoutSetting(entry.timeout, DEFAULT_TIMEOUT_MS, errors);

  let env: string[] = [];
  if (entry.env !== undefined) {
    if (!Array.isArray(entry.env) || entry.env.some((v) => typeof v !== "string")) errors.push("`env:` must be a list of environment variable names");
    else {
      env = entry.env as string[];
      errors.push(...checkPassedVariables(env));
    }
  }

  done(); // throws when deploy: is missing
  const config: CommandConfig = { deploy: deploy!, timeoutMs, env };
  if (destroy !== undefined) config.destroy = destroy;
  if (drift !== undefined) config.drift = drift;
  return config;
}
