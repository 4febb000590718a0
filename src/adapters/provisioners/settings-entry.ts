// What every provisioner's settings share: one `provisioners:` entry, checked
// key by key, every mistake collected so the config's author sees them all at
// once; and the `{name}`-style patterns that name a resource's stack or folder.
import { ProvisionerConfigError, type ResourceRef } from "../../ports/provisioner.js";

export interface SettingsEntry {
  entry: Record<string, unknown>;
  /** Mistakes found so far; add the kind's own, then call `done()`. */
  errors: string[];
  /** Throws one ProvisionerConfigError naming every mistake, if there are any. */
  done(): void;
}

/** Starts checking an entry of `kind` whose keys must be among `keys` (`kind` first); `needs` is said when it is no mapping. */
export function settingsEntry(raw: unknown, name: string, kind: string, keys: readonly string[], needs: string): SettingsEntry {
  const where = `provisioner "${name}"`;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new ProvisionerConfigError(`${where}: settings must be a mapping with at least ${needs}`);
  const entry = raw as Record<string, unknown>;
  const errors: string[] = [];
  for (const key of Object.keys(entry)) {
    if (!keys.includes(key)) errors.push(`unknown setting "${key}" (a ${kind} provisioner takes ${keys.slice(1).join(", ")})`);
  }
  if (entry.kind !== undefined && entry.kind !== kind) errors.push(`kind is ${JSON.stringify(entry.kind)}, not "${kind}"`);
  return {
    entry, errors,
    done: () => {
      if (errors.length) throw new ProvisionerConfigError(`${where}: ${errors.join("; ")}`);
    },
  };
}

/** `{kind}` in names: CloudFormation allows no underscore, so Proton's words are shortened. */
export const KIND_WORDS: Record<ResourceRef["kind"], string> = { environment: "environment", service_instance: "instance", service_pipeline: "pipeline" };
export const PATTERN_PLACEHOLDERS = ["name", "service", "environment", "kind"];

/** A pattern with `{name}`, `{service}`, `{environment}`, `{kind}` filled in for a resource, or the placeholder it lacks. */
export function expandPattern(pattern: string, resource: ResourceRef): { value: string } | { missing: string } {
  const values: Record<string, string | undefined> = {
    name: resource.name,
    service: resource.service ?? (resource.kind === "service_pipeline" ? resource.name : undefined),
    environment: resource.environment,
    kind: KIND_WORDS[resource.kind],
  };
  const missing = [...pattern.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]!).find((p) => values[p] === undefined);
  return missing !== undefined ? { missing } : { value: pattern.replace(/\{([^}]*)\}/g, (_, p: string) => values[p]!) };
}
