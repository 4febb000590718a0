// `.github/baryon.yml` as text, from whichever side a source read it: parsed,
// checked against the schema, each mistake at its line. Pure: adapters do the reading.
import { warningAt, type Diagnostic } from "../bundle/diagnostics.js";
import { sameBytes } from "../bundle/classify/classify.js";
import type { Snapshot } from "../bundle/files.js";
import { isRecord, parseYaml } from "../bundle/parse/yaml.js";
import { checkConfig, CONFIG_PATH, type ConfigResult } from "./repo-config.js";

/**
 * The config a file's text gives on its own, `undefined` text meaning no file
 * (the defaults). `_extends` names another repository, which only the GitHub App
 * can read: here it is a warning at its line, and the file's own keys apply.
 */
export function configFromText(text: string | undefined): ConfigResult {
  if (text === undefined) return checkConfig(undefined);
  const parsed = parseYaml(CONFIG_PATH, text);
  if (parsed.diagnostics.length) return { ok: false, diagnostics: parsed.diagnostics };
  const result = checkConfig(parsed.value, text);
  if (!result.ok || !isRecord(parsed.value) || parsed.value._extends === undefined) return result;
  const unresolved = warningAt(
    CONFIG_PATH, "config-extends-unresolved",
    `${CONFIG_PATH}: _extends: ${String(parsed.value._extends)} is read only by the GitHub App; here Baryon uses this file's own settings`,
    parsed.positionOf(["_extends"]),
  );
  return { ...result, diagnostics: [...result.diagnostics, unresolved] };
}

/**
 * A config already merged by a loader that resolved `_extends` (Probot's). `text`,
 * the repository's own file, is only needed to point errors at their lines.
 */
export function checkMergedConfig(merged: Record<string, unknown>, text?: string): ConfigResult {
  const own = { ...merged };
  delete own._extends;
  return checkConfig(own, text);
}

/** A change that edits `.github/baryon.yml` is checked before it can break the reviews after its merge. */
export function configEditProblems(base: Snapshot, head: Snapshot): Diagnostic[] {
  const after = head.files.get(CONFIG_PATH);
  const before = base.files.get(CONFIG_PATH);
  if (!after || (before && sameBytes(before, after))) return [];
  // Warnings too (a deprecated `stages:`, a setting that does nothing), but the app resolves `_extends` itself.
  const result = configFromText(new TextDecoder().decode(after));
  return result.diagnostics.filter((d) => d.code !== "config-extends-unresolved");
}
