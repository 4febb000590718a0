// Durations in .github/baryon.yml (a provisioner's `timeout: 10m`, a rollout stage's
// `soak: 1h30m`) and in the reasons Baryon writes back ("timed out after 10m").

/** A day: longer is a mistake, and Node's timers overflow past 24.8 days anyway. */
export const MAX_TIMEOUT_MS = 24 * 60 * 60 * 1000;
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

/** An entry's `timeout:` in ms, `defaultMs` when absent; a mistake is added to `errors`, with a typical minutes value as example. */
export function timeoutSetting(value: unknown, defaultMs: number, errors: string[], example = "10m"): number {
  if (value === undefined) return defaultMs;
  const ms = parseDuration(value);
  if (ms === undefined) errors.push(`timeout ${JSON.stringify(value)} is not a duration: write it like 90s, ${example}, 1h or a number of seconds`);
  else if (ms < 1000 || ms > MAX_TIMEOUT_MS) errors.push(`timeout ${JSON.stringify(value)} must be between 1s and 24h`);
  else return ms;
  return defaultMs;
}
