// Service templates name the environment templates they can deploy into:
// `.template-registration.yaml`, or the legacy `.compatible-envs` (one per line).
import { errorAt, type Diagnostic } from "../diagnostics.js";
import type { CompatibleEnvironment } from "../model.js";
import { isRecord, parseYaml } from "./yaml.js";

const ENTRY = /^([0-9A-Za-z][0-9A-Za-z_-]*):([1-9]\d*)$/;
const COMPONENT_SOURCES = ["DIRECTLY_DEFINED"];

export interface ParsedRegistration {
  compatibleEnvironments: CompatibleEnvironment[];
  supportedComponentSources: string[];
  diagnostics: Diagnostic[];
}

function parseEntry(value: unknown): CompatibleEnvironment | undefined {
  const match = typeof value === "string" ? ENTRY.exec(value.trim()) : null;
  return match ? { name: match[1]!, major: Number(match[2]) } : undefined;
}

const entryMessage = (value: unknown) =>
  `compatible environment ${JSON.stringify(value)} must be "<environment-template>:<major>", e.g. "fargate-env:1"`;

export function parseRegistration(file: string, text: string): ParsedRegistration {
  const yaml = parseYaml(file, text);
  const out: ParsedRegistration = { compatibleEnvironments: [], supportedComponentSources: [], diagnostics: [...yaml.diagnostics] };
  if (yaml.value === undefined) return out;
  const fail = (message: string, path: (string | number)[]) =>
    out.diagnostics.push(errorAt(file, "registration-invalid", message, yaml.positionOf(path)));

  const root = yaml.value;
  if (!isRecord(root) || !Array.isArray(root.compatible_environments) || root.compatible_environments.length === 0) {
    fail("`compatible_environments` must be a non-empty list of \"<environment-template>:<major>\"", []);
    return out;
  }
  root.compatible_environments.forEach((value: unknown, i) => {
    const entry = parseEntry(value);
    if (entry) out.compatibleEnvironments.push(entry);
    else fail(entryMessage(value), ["compatible_environments", i]);
  });
  const sources = root.supported_component_sources;
  if (sources !== undefined) {
    if (!Array.isArray(sources)) fail("`supported_component_sources` must be a list", ["supported_component_sources"]);
    else
      sources.forEach((value: unknown, i) => {
        if (typeof value === "string" && COMPONENT_SOURCES.includes(value)) out.supportedComponentSources.push(value);
        else fail(`supported component source ${JSON.stringify(value)} is not one of ${COMPONENT_SOURCES.join(", ")}`, ["supported_component_sources", i]);
      });
  }
  return out;
}

/** The legacy `.compatible-envs` file: one `env-template:major` a line; blank lines and # comments allowed. */
export function parseCompatibleEnvs(file: string, text: string): ParsedRegistration {
  const out: ParsedRegistration = { compatibleEnvironments: [], supportedComponentSources: [], diagnostics: [] };
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*$/, "").trim();
    if (!line) return;
    const entry = parseEntry(line);
    if (entry) out.compatibleEnvironments.push(entry);
    else out.diagnostics.push(errorAt(file, "registration-invalid", entryMessage(line), { line: i + 1, column: 1 }));
  });
  if (out.compatibleEnvironments.length === 0 && out.diagnostics.length === 0) {
    out.diagnostics.push(errorAt(file, "registration-invalid", "lists no compatible environment (one \"<environment-template>:<major>\" a line)", { line: 1, column: 1 }));
  }
  return out;
}
