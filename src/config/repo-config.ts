// `.github/baryon.yml`: validated against schema/baryon.schema.json (the same file
// editors use to complete it). Mistakes are data, reported in the check run.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv, type ErrorObject } from "ajv";
import { errorAt, warningAt, type Diagnostic, type Position } from "../bundle/diagnostics.js";
import { parseYaml, type ParsedYaml } from "../bundle/parse/yaml.js";
import type { RolloutPolicy } from "../rollout/policy.js";
import { readRollout, type RawRolloutConfig } from "./rollout-config.js";

export const CONFIG_PATH = ".github/baryon.yml";

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
  /**
   * `rollout:`, defaults applied; undefined without one: the rollout then takes
   * its stages from the inventory (`defaultRolloutPolicy`).
   */
  rollout?: RolloutPolicy;
  /** Where the inventory lives: `inventory/` beside the templates folder by default. */
  inventory: InventoryLocation[];
  /** `drift: { issue: true }`: one issue in this repository lists its resources that drifted. */
  driftIssue?: boolean;
  provisioners: Record<string, ProvisionerSettings>;
}

export const DEFAULT_CONFIG: RepoConfig = {
  publish: "published",
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
// verbose: errors carry their schema node, whose `patternErrorMessage` (as editors read it) says what was meant.
const validate = new Ajv({ allErrors: true, strict: false, verbose: true }).compile(schema);

/** A config, or why there is none; a usable config may still carry warnings. */
export type ConfigResult = { ok: true; config: RepoConfig; diagnostics: Diagnostic[] } | { ok: false; diagnostics: Diagnostic[] };

/**
 * Checks a parsed config (as Probot's config loader returns it, `_extends` already
 * merged). `source` is the file's text, when known, to point errors at their line.
 */
export function checkConfig(value: unknown, source?: string): ConfigResult {
  const data = value ?? {};
  const at = locator(source);
  if (!validate(data)) return { ok: false, diagnostics: shownErrors(validate.errors ?? []).map((e) => toDiagnostic(e, at)) };
  const raw = data as RawRolloutConfig & {
    templates?: string; publish?: RepoConfig["publish"]; inventory?: string | string[]; provisioners?: Record<string, ProvisionerSettings>; drift?: { issue?: boolean };
  };
  const templates = raw.templates?.replace(/\/+$/, "") || undefined;
  const inventory = raw.inventory === undefined ? undefined : [raw.inventory].flat();
  const { rollout, problems } = readRollout(raw);
  const diagnostics = problems.map((p) => (p.severity === "error" ? errorAt : warningAt)(CONFIG_PATH, p.code, `${CONFIG_PATH}: ${p.message}`, at(p.path)));
  if (diagnostics.some((d) => d.severity === "error")) return { ok: false, diagnostics };
  const config: RepoConfig = {
    publish: raw.publish ?? DEFAULT_CONFIG.publish,
    inventory: inventory?.map(inventoryLocation) ?? defaultInventory(templates),
    provisioners: raw.provisioners ?? {},
  };
  if (templates) config.templates = templates;
  if (raw.drift?.issue) config.driftIssue = true;
  if (rollout) config.rollout = rollout;
  return { ok: true, config, diagnostics };
}

/**
 * The errors worth showing: an `if` failure only repeats the errors inside its
 * `then`, and a `oneOf` with its own `errorMessage` says more than its branches.
 */
function shownErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const explained = errors.filter((e) => e.keyword === "oneOf" && typeof schemaNode(e).errorMessage === "string");
  const inside = (e: ErrorObject) => explained.some((o) => o.instancePath === e.instancePath && e.schemaPath.startsWith(`${o.schemaPath}/`));
  return errors.filter((e) => e.keyword !== "if" && !inside(e));
}

function toDiagnostic(e: ErrorObject, at: Locate): Diagnostic {
  const path = e.instancePath.split("/").slice(1).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const params = e.params as Record<string, unknown>;
  const { errorMessage, patternErrorMessage } = schemaNode(e);
  const where = path.length ? path.join(".") : "the config";
  const message =
    e.keyword === "additionalProperties" ? `unknown setting "${String(params.additionalProperty)}" in ${where}`
      : e.keyword === "enum" ? `${where} must be one of ${(params.allowedValues as unknown[]).join(", ")}`
        : e.keyword === "pattern" && typeof patternErrorMessage === "string" ? `${where}: ${JSON.stringify(e.data)} is ${patternErrorMessage}`
          : e.keyword === "oneOf" && typeof errorMessage === "string" ? `${where} ${errorMessage}`
            : `${where} ${e.message ?? "is invalid"}`;
  const position = e.keyword === "additionalProperties" ? [...path, String(params.additionalProperty)] : path;
  return errorAt(CONFIG_PATH, "config-invalid", `${CONFIG_PATH}: ${message}`, at(position));
}

/** The schema node an error comes from (Ajv's `verbose` gives it). */
function schemaNode(e: ErrorObject): Record<string, unknown> {
  return (e.parentSchema ?? {}) as Record<string, unknown>;
}

type Locate = (path: (string | number)[]) => Position;

/** Where a setting stands in the file's text, parsed once and only when a mistake needs it. */
function locator(source: string | undefined): Locate {
  let parsed: ParsedYaml | undefined;
  return (path) => (source === undefined ? { line: 1 } : (parsed ??= parseYaml(CONFIG_PATH, source)).positionOf(path));
}
