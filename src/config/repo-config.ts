// `.github/baryon.yml`: validated against schema/baryon.schema.json (the same file
// editors use to complete it). Mistakes are data, reported in the check run.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv, type ErrorObject } from "ajv";
import { errorAt, type Diagnostic } from "../bundle/diagnostics.js";
import { parseYaml } from "../bundle/parse/yaml.js";

export const CONFIG_PATH = ".github/baryon.yml";

export interface Stage {
  name: string;
  gate: "none" | "comment";
}

/** A folder of inventory spec files, in this repository or another of the same owner. */
export interface InventoryLocation {
  /** Another repository's name; undefined for the repository that holds the config. */
  repository?: string;
  path: string;
}

export type ProvisionerKind = "command" | "cloudformation" | "pull-request";

/** One entry of `provisioners:`; each adapter reads (and checks) the settings of its kind. */
export type ProvisionerSettings = { kind: ProvisionerKind } & Record<string, unknown>;

export interface RepoConfig {
  /** Templates folder, or undefined for the whole repository. */
  templates?: string;
  publish: "published" | "draft";
  stages: Stage[];
  /** Where the inventory lives: `inventory/` beside the templates folder by default. */
  inventory: InventoryLocation[];
  provisioners: Record<string, ProvisionerSettings>;
}

export const DEFAULT_CONFIG: RepoConfig = {
  publish: "published",
  stages: [{ name: "test", gate: "none" }, { name: "prod", gate: "comment" }],
  inventory: [{ path: "inventory" }],
  provisioners: {},
};

/** `inventory/` beside the templates folder: `platform/templates` → `platform/inventory`. */
export function defaultInventory(templates: string | undefined): InventoryLocation[] {
  const parent = templates?.includes("/") ? templates.slice(0, templates.lastIndexOf("/") + 1) : "";
  return [{ path: `${parent}inventory` }];
}

function inventoryLocation(text: string): InventoryLocation {
  const colon = text.indexOf(":");
  const path = (colon < 0 ? text : text.slice(colon + 1)).replace(/\/+$/, "");
  return colon < 0 ? { path } : { repository: text.slice(0, colon), path };
}

/** schema/baryon.schema.json at the package root, found from src/, dist/ or a bundle in dist/bench/. */
function schemaPath(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, "schema", "baryon.schema.json");
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error("schema/baryon.schema.json is missing from the Baryon package");
  }
}

const schema = JSON.parse(readFileSync(schemaPath(), "utf8")) as object;
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

/** A config, or why there is none; a usable config may still carry warnings. */
export type ConfigResult = { ok: true; config: RepoConfig; diagnostics: Diagnostic[] } | { ok: false; diagnostics: Diagnostic[] };

/**
 * Checks a parsed config (as Probot's config loader returns it, `_extends` already
 * merged). `source` is the file's text, when known, to point errors at their line.
 */
export function checkConfig(value: unknown, source?: string): ConfigResult {
  const data = value ?? {};
  if (validate(data)) {
    const raw = data as {
      templates?: string; publish?: RepoConfig["publish"]; stages?: { name: string; gate?: Stage["gate"] }[];
      inventory?: string | string[]; provisioners?: Record<string, ProvisionerSettings>;
    };
    const templates = raw.templates?.replace(/\/+$/, "") || undefined;
    const inventory = raw.inventory === undefined ? undefined : [raw.inventory].flat();
    const config: RepoConfig = {
      publish: raw.publish ?? DEFAULT_CONFIG.publish,
      stages: raw.stages?.map((s) => ({ name: s.name, gate: s.gate ?? "none" })) ?? DEFAULT_CONFIG.stages,
      inventory: inventory?.map(inventoryLocation) ?? defaultInventory(templates),
      provisioners: raw.provisioners ?? {},
    };
    if (templates) config.templates = templates;
    const names = config.stages.map((s) => s.name);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice) return { ok: false, diagnostics: [errorAt(CONFIG_PATH, "config-invalid", `stage "${twice}" is listed twice`, lineOf(source, ["stages"]))] };
    return { ok: true, config, diagnostics: [] };
  }
  // An `if`/`then` failure only repeats the errors inside `then`, which say more.
  const errors = (validate.errors ?? []).filter((e) => e.keyword !== "if");
  return { ok: false, diagnostics: errors.map((e) => toDiagnostic(e, source)) };
}

function toDiagnostic(e: ErrorObject, source: string | undefined): Diagnostic {
  const path = e.instancePath.split("/").slice(1).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const params = e.params as Record<string, unknown>;
  const where = path.length ? path.join(".") : "the config";
  const message =
    e.keyword === "additionalProperties" ? `unknown setting "${String(params.additionalProperty)}" in ${where}`
      : e.keyword === "enum" ? `${where} must be one of ${(params.allowedValues as unknown[]).join(", ")}`
        : `${where} ${e.message ?? "is invalid"}`;
  const at = e.keyword === "additionalProperties" ? [...path, String(params.additionalProperty)] : path;
  return errorAt(CONFIG_PATH, "config-invalid", `${CONFIG_PATH}: ${message}`, lineOf(source, at));
}

function lineOf(source: string | undefined, path: (string | number)[]) {
  return source === undefined ? { line: 1 } : parseYaml(CONFIG_PATH, source).positionOf(path);
}
