// One contract for every RepositorySource adapter: each of config, base and head
// is read once however often and however concurrently it is asked, and the
// config means the same wherever it was read.
import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG } from "../../src/config/repo-config.js";
import { DEFAULT_STAGE } from "../../src/rollout/policy.js";
import type { RepositorySource } from "../../src/ports/repository-source.js";

export type Files = Record<string, string>;

/** The I/O behind each part of a source since it was made: requests, git processes, file reads. */
export interface Reads {
  config: number;
  base: number;
  head: number;
}

export interface SourceFixture {
  /** A repository whose default branch holds `base` and a change on top of it holds `head`; a source for that change. */
  create(base: Files, head: Files): Promise<{ source: RepositorySource; reads(): Reads }>;
}

const SCHEMA = "schema:\n  format:\n    openapi: 3.0.0\n  environment_input_type: In\n  types:\n    In:\n      type: object\n      properties: {}\n";
const text = (bytes: Uint8Array | undefined) => (bytes ? Buffer.from(bytes).toString("utf8") : undefined);

export function repositorySourceContract(name: string, fixture: () => SourceFixture): void {
  describe(`RepositorySource contract: ${name}`, () => {
    it("gives the base and head of the change and the default config when there is no .github/baryon.yml", async () => {
      const { source } = await fixture().create({ "vpc/v1/schema/schema.yaml": SCHEMA }, { "vpc/v1/schema/schema.yaml": `${SCHEMA}# more\n` });
      expect(text((await source.base()).files.get("vpc/v1/schema/schema.yaml"))).toBe(SCHEMA);
      expect(text((await source.head()).files.get("vpc/v1/schema/schema.yaml"))).toBe(`${SCHEMA}# more\n`);
      expect(await source.config()).toEqual({ ok: true, config: DEFAULT_CONFIG, diagnostics: [] });
    });

    it("reads config, base and head once each, however often and however concurrently they are asked", async () => {
      const files = { ".github/baryon.yml": "templates: templates\n", "templates/vpc/v1/schema/schema.yaml": SCHEMA };
      const changed = { ...files, "templates/vpc/v1/schema/schema.yaml": `${SCHEMA}# more\n` };
      // What one call of each costs, on a source of its own…
      const single = await fixture().create(files, changed);
      await single.source.config();
      await single.source.base();
      await single.source.head();
      const once = single.reads();
      expect(once.config).toBeGreaterThan(0);
      expect(once.base).toBeGreaterThan(0);
      expect(once.head).toBeGreaterThan(0);
      // …is what many calls cost, at once and after.
      const busy = await fixture().create(files, changed);
      const ask = () => [busy.source.config(), busy.source.base(), busy.source.head(), busy.source.head(), busy.source.base()];
      const first = await Promise.all([...ask(), ...ask(), ...ask()]);
      const again = await Promise.all(ask());
      expect(busy.reads()).toEqual(once);
      // Every caller shares the one result.
      expect(again[1]).toBe(first[1]);
      expect(again[2]).toBe(first[2]);
    });

    it("reads `templates:`, `publish:` and `rollout:` from .github/baryon.yml", async () => {
      const files = { ".github/baryon.yml": "templates: platform/templates/\npublish: draft\nrollout:\n  stages:\n    - name: dev\n", "platform/templates/vpc/v1/schema/schema.yaml": SCHEMA };
      const { source } = await fixture().create(files, files);
      expect(await source.config()).toEqual({
        ok: true, diagnostics: [],
        config: {
          templates: "platform/templates", publish: "draft", rollout: { stages: [{ ...DEFAULT_STAGE, name: "dev" }], autoRollback: false },
          inventory: [{ path: "platform/inventory" }], provisioners: {},
        },
      });
      expect(text((await source.head()).files.get("platform/templates/vpc/v1/schema/schema.yaml"))).toBe(SCHEMA);
    });

    it("reports an invalid config at its line", async () => {
      const files = { ".github/baryon.yml": "templates: templates\npublish: later\n", "templates/vpc/v1/schema/schema.yaml": SCHEMA };
      const { source } = await fixture().create(files, files);
      const result = await source.config();
      expect(result.ok).toBe(false);
      expect(result.diagnostics.map((d) => [d.file, d.line, d.severity, d.message])).toEqual([
        [".github/baryon.yml", 2, "error", ".github/baryon.yml: publish must be one of published, draft"],
      ]);
    });

    it("reports YAML it cannot parse at its line", async () => {
      const files = { ".github/baryon.yml": "templates: templates\nrollout: [\n", "templates/vpc/v1/schema/schema.yaml": SCHEMA };
      const { source } = await fixture().create(files, files);
      const result = await source.config();
      expect(result.ok).toBe(false);
      expect(result.diagnostics[0]).toMatchObject({ file: ".github/baryon.yml", severity: "error", code: "yaml-syntax" });
      expect(result.diagnostics[0]!.line).toBeGreaterThanOrEqual(2);
    });
  });
}
