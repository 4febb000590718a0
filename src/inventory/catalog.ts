// A TemplateCatalog over a list of versions: what the flow loads from the
// registry, and what tests build by hand.
import type { Bundle } from "../bundle/model.js";
import type { CatalogVersion, TemplateCatalog } from "./model.js";

export interface CatalogEntry {
  template: string;
  major: number;
  minor: number;
  status: "draft" | "published";
  bundle: Bundle;
}

export function catalogOf(entries: readonly CatalogEntry[]): TemplateCatalog {
  const byTemplate = new Map<string, CatalogEntry[]>();
  for (const entry of entries) byTemplate.set(entry.template, [...(byTemplate.get(entry.template) ?? []), entry]);
  const version = (e: CatalogEntry | undefined): CatalogVersion | undefined => e && { major: e.major, minor: e.minor, bundle: e.bundle };
  const of = (template: string) => byTemplate.get(template) ?? [];
  return {
    templateNames: () => byTemplate.keys(),
    majors: (template) => [...new Set(of(template).map((e) => e.major))].sort((a, b) => a - b),
    recommended: (template, major) => version(of(template)
      .filter((e) => e.major === major && e.status === "published")
      .reduce<CatalogEntry | undefined>((best, e) => (!best || e.minor > best.minor ? e : best), undefined)),
    version: (template, major, minor) => version(of(template).find((e) => e.major === major && e.minor === minor)),
  };
}
