// Loads the fidelity corpus (fixtures/fidelity): YAML files of small cases,
// one behaviour per file, and directories holding a realistic template with
// its context (template.yaml + context.json), rendered byte for byte. Case
// files are read as specs are (parseYaml), so a context's 5.0 stays a float.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseYaml } from "../../src/bundle/parse/yaml.js";

export const CORPUS_DIR = fileURLToPath(new URL("../../fixtures/fidelity", import.meta.url));

export interface FidelityCase {
  /** The corpus file (or directory) the case comes from: the behaviour under test. */
  group: string;
  name: string;
  template: string;
  context: Record<string, unknown>;
  /** Compare error messages too (default: yes). */
  sameMessage: boolean;
}

interface RawCase {
  name?: unknown;
  template?: unknown;
  context?: unknown;
  same_message?: unknown;
}

export function loadCorpus(dir = CORPUS_DIR): FidelityCase[] {
  const cases: FidelityCase[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      cases.push({
        group: "templates",
        name: entry,
        template: readFileSync(join(path, "template.yaml"), "utf8"),
        context: JSON.parse(readFileSync(join(path, "context.json"), "utf8")) as Record<string, unknown>,
        sameMessage: true,
      });
    } else if (entry.endsWith(".yaml")) {
      const group = entry.replace(/\.yaml$/, "");
      const parsed = parseYaml(entry, readFileSync(path, "utf8"));
      if (parsed.value === undefined) throw new Error(`${entry}: ${parsed.diagnostics.map((d) => `line ${d.line}: ${d.message}`).join("; ")}`);
      const raw = parsed.value as RawCase[];
      for (const [i, c] of raw.entries()) {
        if (typeof c.name !== "string" || typeof c.template !== "string") {
          throw new Error(`${entry} case ${i + 1}: needs a string name and template`);
        }
        cases.push({
          group,
          name: c.name,
          template: c.template,
          context: (c.context ?? {}) as Record<string, unknown>,
          sameMessage: c.same_message !== false,
        });
      }
    }
  }
  return cases;
}
