// Semantic versioning of a bundle change, decided by diffing the input schemas
// (DESIGN.md "Versions"): what could break an existing spec is breaking and
// needs a new major; everything else is a minor; identical bundles are no change.
import type { Bundle, CompatibleEnvironment, InputSchema, InputType, PropertySchema } from "../model.js";

export type ChangeLevel = "major" | "minor" | "none";

export interface ChangeReason {
  /** What changed, as a template author names it: `service_instance.inputs.port`, `pipeline`, a file path. */
  path: string;
  /** What happened to it, e.g. `minimum raised from 0 to 1`. */
  change: string;
  breaking: boolean;
}

export interface Classification {
  change: ChangeLevel;
  reasons: ChangeReason[];
}

type Role = "environment" | "service_instance" | "pipeline";
const ROLES: { role: Role; key: "environmentInputType" | "serviceInputType" | "pipelineInputType" }[] = [
  { role: "environment", key: "environmentInputType" },
  { role: "service_instance", key: "serviceInputType" },
  { role: "pipeline", key: "pipelineInputType" },
];

/** Classifies head against base; without a base (a new `vN/` folder) the change is a new major. */
export function classifyChange(base: Bundle | undefined, head: Bundle): Classification {
  if (!base) return { change: "major", reasons: [{ path: `v${head.major}`, change: "new major version folder", breaking: true }] };
  const reasons: ChangeReason[] = [];
  if (base.kind !== head.kind) reasons.push({ path: "kind", change: `changed from ${base.kind} to ${head.kind} template`, breaking: true });
  reasons.push(...diffSchemas(base.schema, head.schema));
  reasons.push(...diffPipeline(base, head));
  reasons.push(...diffCompatibleEnvironments(base.compatibleEnvironments, head.compatibleEnvironments));
  // A schema or registration edit already explained above is not listed again as a file change.
  reasons.push(...diffFiles(base, head, reasons.length > 0));
  const change: ChangeLevel = reasons.some((r) => r.breaking) ? "major" : reasons.length ? "minor" : "none";
  return { change, reasons };
}

function inputType(schema: InputSchema | undefined, key: (typeof ROLES)[number]["key"]): InputType | undefined {
  const name = schema?.[key];
  return name ? schema.types[name] : undefined;
}

function diffSchemas(base: InputSchema | undefined, head: InputSchema | undefined): ChangeReason[] {
  const reasons: ChangeReason[] = [];
  for (const { role, key } of ROLES) {
    const before = inputType(base, key);
    const after = inputType(head, key);
    if (!before && !after) continue;
    // The pipeline's own removal is reported once, by diffPipeline.
    if (before && !after) {
      if (role !== "pipeline") reasons.push({ path: `${role}.inputs`, change: "input type removed", breaking: true });
      continue;
    }
    if (!before && after) {
      if (role !== "pipeline") reasons.push(...diffObject(`${role}.inputs`, { type: "object" }, after));
      continue;
    }
    reasons.push(...diffObject(`${role}.inputs`, before!, after!));
    // Keywords on the input type itself, such as additionalProperties: false.
    diffOtherKeywords(before!, after!, (change, breaking) => reasons.push({ path: `${role}.inputs`, change, breaking }));
  }
  return reasons;
}

/** Properties of an object schema: removed, added, and each kept one compared. */
function diffObject(path: string, before: InputType | PropertySchema, after: InputType | PropertySchema): ChangeReason[] {
  const reasons: ChangeReason[] = [];
  const was = before.properties ?? {};
  const now = after.properties ?? {};
  const wasRequired = new Set(before.required ?? []);
  const nowRequired = new Set(after.required ?? []);
  for (const name of Object.keys(was)) {
    if (!(name in now)) reasons.push({ path: `${path}.${name}`, change: "input removed", breaking: true });
  }
  for (const [name, prop] of Object.entries(now)) {
    const at = `${path}.${name}`;
    if (!(name in was)) {
      const required = nowRequired.has(name) && prop.default === undefined;
      reasons.push(required
        ? { path: at, change: "required input added without a default", breaking: true }
        : { path: at, change: `optional input added${prop.default !== undefined ? ` (default ${JSON.stringify(prop.default)})` : ""}`, breaking: false });
      continue;
    }
    const old = was[name]!;
    if (!wasRequired.has(name) && nowRequired.has(name) && prop.default === undefined) {
      reasons.push({ path: at, change: "input became required without a default", breaking: true });
    } else if (wasRequired.has(name) && !nowRequired.has(name)) {
      reasons.push({ path: at, change: "input no longer required", breaking: false });
    }
    reasons.push(...diffProperty(at, old, prop, nowRequired.has(name)));
  }
  return reasons;
}

const LOWER_BOUNDS = ["minimum", "minLength", "minItems"] as const;
const UPPER_BOUNDS = ["maximum", "maxLength", "maxItems"] as const;

function diffProperty(path: string, was: PropertySchema, now: PropertySchema, required: boolean): ChangeReason[] {
  const reasons: ChangeReason[] = [];
  const add = (change: string, breaking: boolean) => reasons.push({ path, change, breaking });
  if ((was.type ?? "any") !== (now.type ?? "any")) {
    add(`type changed from ${was.type ?? "any"} to ${now.type ?? "any"}`, true);
    return reasons; // Bounds of another type do not compare.
  }
  diffEnum(was.enum, now.enum, add);
  for (const bound of LOWER_BOUNDS) diffBound(bound, was[bound], now[bound], "lower", add);
  for (const bound of UPPER_BOUNDS) diffBound(bound, was[bound], now[bound], "upper", add);
  if (was.pattern !== now.pattern) {
    if (now.pattern === undefined) add("pattern removed", false);
    else add(was.pattern === undefined ? `pattern added: ${now.pattern}` : `pattern changed from ${was.pattern} to ${now.pattern}`, true);
  }
  if (was.default !== undefined && now.default === undefined) {
    add(required ? "default removed from a required input" : "default removed", required);
  } else if (JSON.stringify(was.default) !== JSON.stringify(now.default) && now.default !== undefined) {
    add(`default changed from ${JSON.stringify(was.default ?? null)} to ${JSON.stringify(now.default)}`, false);
  }
  for (const doc of ["description", "title"] as const) {
    if (was[doc] !== now[doc]) add(`${doc} changed`, false);
  }
  diffOtherKeywords(was, now, add);
  if (was.items || now.items) {
    if (was.items && now.items) {
      reasons.push(...diffProperty(`${path}[]`, was.items, now.items, false));
      if (was.items.properties || now.items.properties) reasons.push(...diffObject(`${path}[]`, was.items, now.items));
    } else add(now.items ? "item schema added" : "item schema removed", now.items !== undefined);
  }
  if ((was.properties || now.properties) && was.type === "object") reasons.push(...diffObject(path, was, now));
  return reasons;
}

/** Keywords compared above, or that only annotate. */
const COMPARED = new Set([
  "type", "enum", "pattern", "default", "description", "title", "items", "properties", "required",
  ...LOWER_BOUNDS, ...UPPER_BOUNDS, "example", "deprecated", "readOnly", "writeOnly", "xml", "externalDocs",
]);

/**
 * Every other keyword (additionalProperties, multipleOf, uniqueItems, nullable,
 * allOf, ...): removing one only accepts more, so it is compatible; adding or
 * changing one may reject specs that pass today, so it is breaking unless shown
 * otherwise. `nullable` is the exception: losing it rejects null.
 */
function diffOtherKeywords(was: PropertySchema, now: PropertySchema, add: (change: string, breaking: boolean) => void): void {
  const keys = new Set([...Object.keys(was), ...Object.keys(now)].filter((k) => !COMPARED.has(k) && !k.startsWith("x-")));
  for (const key of [...keys].sort()) {
    const before = JSON.stringify(was[key]);
    const after = JSON.stringify(now[key]);
    if (before === after) continue;
    if (key === "nullable") add(now.nullable === true ? "now accepts null" : "no longer accepts null", now.nullable !== true);
    else if (after === undefined) add(`${key} removed`, false);
    else add(`${key} ${before === undefined ? "added" : "changed"}: ${after}`, true);
  }
}

function diffEnum(was: unknown[] | undefined, now: unknown[] | undefined, add: (change: string, breaking: boolean) => void): void {
  const key = (v: unknown) => JSON.stringify(v);
  if (!was && !now) return;
  if (!now) return add("enum removed (any value allowed)", false);
  if (!was) return add(`enum added: ${now.map(key).join(", ")}`, true);
  const removed = was.filter((v) => !now.some((n) => key(n) === key(v)));
  const added = now.filter((v) => !was.some((w) => key(w) === key(v)));
  if (removed.length) add(`enum narrowed: removed ${removed.map(key).join(", ")}`, true);
  if (added.length) add(`enum widened: added ${added.map(key).join(", ")}`, false);
}

function diffBound(
  name: string, was: number | undefined, now: number | undefined, side: "lower" | "upper",
  add: (change: string, breaking: boolean) => void,
): void {
  if (was === now) return;
  if (now === undefined) return add(`${name} removed`, false);
  if (was === undefined) return add(`${name} added: ${now}`, true);
  const tightened = side === "lower" ? now > was : now < was;
  add(`${name} ${now > was ? "raised" : "lowered"} from ${was} to ${now}`, tightened);
}

function diffPipeline(base: Bundle, head: Bundle): ChangeReason[] {
  const had = base.parts.some((p) => p.name === "pipeline_infrastructure");
  const has = head.parts.some((p) => p.name === "pipeline_infrastructure");
  if (had && !has) return [{ path: "pipeline", change: "pipeline removed", breaking: true }];
  if (!had && has) return [{ path: "pipeline", change: "pipeline added", breaking: false }];
  return [];
}

function diffCompatibleEnvironments(was: CompatibleEnvironment[], now: CompatibleEnvironment[]): ChangeReason[] {
  const key = (e: CompatibleEnvironment) => `${e.name}:${e.major}`;
  const before = new Set(was.map(key));
  const after = new Set(now.map(key));
  return [
    ...[...before].filter((k) => !after.has(k)).map((k) => ({ path: `compatible_environments.${k}`, change: "compatible environment removed", breaking: true })),
    ...[...after].filter((k) => !before.has(k)).map((k) => ({ path: `compatible_environments.${k}`, change: "compatible environment added", breaking: false })),
  ];
}

/** Every other changed file (IaC, docs); schema and registration files only when no reason above explains them. */
function diffFiles(base: Bundle, head: Bundle, explained: boolean): ChangeReason[] {
  const relative = (bundle: Bundle, path: string) => path.slice(bundle.dir.length + 1);
  const was = new Map([...base.files].map(([p, b]) => [relative(base, p), b]));
  const now = new Map([...head.files].map(([p, b]) => [relative(head, p), b]));
  const reasons: ChangeReason[] = [];
  for (const path of new Set([...was.keys(), ...now.keys()])) {
    const a = was.get(path);
    const b = now.get(path);
    if ((a && b && sameBytes(a, b)) || (explained && isSchemaOrRegistration(path))) continue;
    reasons.push({ path, change: a && b ? "file changed" : a ? "file removed" : "file added", breaking: false });
  }
  return reasons.sort((x, y) => x.path.localeCompare(y.path));
}

function isSchemaOrRegistration(path: string): boolean {
  return path === "schema/schema.yaml" || path === ".template-registration.yaml" || path === ".compatible-envs";
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
