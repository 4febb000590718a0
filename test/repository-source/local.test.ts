// The local RepositorySource on real temp git repositories: the adapter's git
// processes and file reads are counted through its trace hook.
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { localRepositorySource } from "../../src/adapters/local/repository-source.js";
import { gitRepo } from "../support/git-repo.js";
import { repositorySourceContract, type Files, type Reads } from "./contract.js";

/** `base` committed on main, `head` on the branch `change` (committed, or left in the working tree). */
function change(base: Files, head: Files, commitHead: boolean) {
  const repo = gitRepo();
  repo.write(base);
  repo.commit("base");
  repo.git("checkout", "-q", "-b", "change");
  repo.write({ ...head, ...Object.fromEntries(Object.keys(base).filter((p) => !(p in head)).map((p) => [p, null])) });
  if (commitHead) {
    repo.git("add", "-A");
    repo.git("commit", "-q", "--allow-empty", "-m", "head"); // a change may leave every file as it was
  }
  return repo;
}

async function counted(dir: string, options: { base?: string; head?: string }) {
  const reads: Reads = { config: 0, base: 0, head: 0 };
  const source = await localRepositorySource(dir, { ...options, trace: (part) => void reads[part]++ });
  return { source, reads: () => ({ ...reads }) };
}

repositorySourceContract("local git, head a commit", () => ({
  create: async (base, head) => counted(change(base, head, true).dir, { base: "main", head: "change" }),
}));

repositorySourceContract("local git, head the working tree", () => ({
  create: async (base, head) => counted(change(base, head, false).dir, { base: "main" }),
}));

describe("localRepositorySource", () => {
  it("reads a commit with one ls-tree and one cat-file, the config with one cat-file", async () => {
    const files = { ".github/baryon.yml": "publish: draft\n", "vpc/v1/schema/schema.yaml": "schema: {}\n", "vpc/README.md": "# vpc\n" };
    const repo = change(files, files, true);
    const processes: string[] = [];
    const source = await localRepositorySource(repo.dir, { base: "main", head: "change", trace: (part, io) => void processes.push(`${part}: ${"git" in io ? io.git.slice(0, 2).join(" ") : io.file}`) });
    await Promise.all([source.config(), source.base(), source.head(), source.base()]);
    expect(processes.sort()).toEqual(["base: cat-file --batch", "base: ls-tree -r", "config: cat-file --batch", "head: cat-file --batch", "head: ls-tree -r"]);
  });

  it("warns that _extends needs GitHub, at its line, and uses the file's own settings", async () => {
    const files = { ".github/baryon.yml": "# shared settings live in the org\n_extends: .github\ntemplates: templates\n" };
    const { source } = await counted(change(files, files, false).dir, { base: "main" });
    const result = await source.config();
    expect(result).toMatchObject({ ok: true, config: { templates: "templates", publish: "published" } });
    expect(result.diagnostics).toEqual([expect.objectContaining({
      file: ".github/baryon.yml", line: 2, severity: "warning", code: "config-extends-unresolved",
    })]);
    expect(result.diagnostics[0]!.message).toMatch(/_extends: \.github is read only by the GitHub App/);
  });

  it("reads a folder that is no git checkout file by file, with an empty base", async () => {
    const dir = mkdtempSync(join(tmpdir(), "baryon-folder-"));
    for (const [path, text] of Object.entries({ ".github/baryon.yml": "templates: t\n", "t/vpc/v1/schema/schema.yaml": "schema: {}\n" })) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    const source = await localRepositorySource(dir);
    expect(source.baseName).toBe("no base");
    expect((await source.base()).files.size).toBe(0);
    expect([...(await source.head()).files.keys()].sort()).toEqual([".github/baryon.yml", "t/vpc/v1/schema/schema.yaml"]);
    expect(await source.config()).toMatchObject({ ok: true, config: { templates: "t" } });
  });
});
