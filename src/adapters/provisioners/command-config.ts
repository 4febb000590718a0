// The settings of one `kind: command` entry of `provisioners:` in .github/baryon.yml,
// checked once when the provisioner is built: every mistake in one error, so an
// operator fixes them in one go.
import { settingsEntry } from "./settings-entry.js";
import { checkPassedVariables } from "./command-env.js";

export interface CommandConfig {
  /** Run with `/bin/sh -c` in the work folder. */
  deploy: string;
  destroy?: string;
  /** Kept for drift detection; the port does not run it yet. */
  drift?: string;
  timeoutMs: number;
  /** Variables passed from Baryon's environment, as listed. */
  env: string[];
}

export const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;
/** A day: longer is a mistake, and Node's timers overflow past 24.8 days anyway. */
const MAX_TIMEOUT_MS = 24 * 60 * 60 * 1000;
const KEYS = ["kind", "deploy", "destroy", "drift", "timeout", "env"];
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000 };

/** `90s`, `10m`, `1h`, `1h30m`, or a number of seconds (`600`, "600"); undefined when it is none of these. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value * 1000 : undefined;
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  if (!/^(\d+[hms])+$/.test(text)) return undefined;
  let ms = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)([hms])/g)) ms += Number(n) * UNIT_MS[unit!]!;
  return ms;
}

/** The shortest way to write it back: `10m`, `90s`, `1h` (for reasons such as "timed out after 10m"). */
export function formatDuration(ms: number): string {
  if (ms % UNIT_MS.h! === 0) return `${ms / UNIT_MS.h!}h`;
  if (ms % UNIT_MS.m! === 0) return `${ms / UNIT_MS.m!}m`;
  return `${ms / 1000}s`;
}

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

  let timeoutMs = DEFAULT_TIMEOUT_MS;
  if (entry.timeout !== undefined) {
    const ms = parseDuration(entry.timeout);
    if (ms === undefined) errors.push(`timeout ${JSON.stringify(entry.timeout)} is not a duration: write it like 90s, 10m, 1h or a number of seconds`);
    else if (ms < 1000 || ms > MAX_TIMEOUT_MS) errors.push(`timeout ${JSON.stringify(entry.timeout)} must be between 1s and 24h`);
    else timeoutMs = ms;
  }

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
