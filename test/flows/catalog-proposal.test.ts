// A catalog request sent as a pull request: to the inventory folder the template
// repository's config names (in another repository too), never over a file that
// is there, and with GitHub's refusals shown rather than thrown.
import { afterAll, describe, expect, it } from "vitest";
import { parseRepository } from "../../src/bundle/parse/repository.js";
import { proposeCatalogRequest } from "../../src/flows/catalog-proposal.js";
import { createRenderPool } from "../../src/jinja/pool.js";
import type { InventoryWriter, RepositoryFile } from "../../src/ports/inventory-writer.js";
import type { VersionRecord } from "../../src/ports/registry.js";
import { envTemplate, snapshot } from "../support/snapshot.js";

const renderer = createRenderPool({ size: 1 });
afterAll(() => renderer.close());

const [template] = parseRepository(snapshot(envTemplate())).templates;
const bundle = template!.bundles[0]!;
const version: VersionRecord = {
  template: "env", kind: "environment", major: 1, minor: 2, status: "published", digest: "0".repeat(64), artifact: "file:///x",
  source: { repository: "acme/templates", commit: "c" }, reasons: [], createdAt: new Date(), publishedAt: new Date(), schema: bundle.schema ?? null,
};
const request = { version, who: { name: "staging", stage: "test" }, form: { "inputs.count": "2" } };

/** GitHub's repositories as files by "owner/name", and what was proposed. */
function writer(repositories: Record<string, Record<string, string>>) {
  const proposed: { repository: string; branch: string; files: readonly RepositoryFile[]; title: string }[] = [];
  const port: InventoryWriter = {
    async readFiles(repository, paths) {
      const files = repositories[repository];
      if (!files) return { refused: `GitHub refused a request on ${repository}: 404 Not Found` };
      return paths.flatMap((path) => (files[path] !== undefined ? [{ path, text: files[path]! }] : []));
    },
    async proposeChange(repository, branch, files, title) {
      proposed.push({ repository, branch, files, title });
      return { url: `https://github.com/${repository}/pull/7`, number: 7, created: true };
    },
  };
  return { port, proposed };
}

describe("proposeCatalogRequest", () => {
  it("adds the file under the inventory folder of the repository the config names", async () => {
    const github = writer({ "acme/templates": { ".github/baryon.yml": "templates: platform/templates\ninventory: 'fleet:envs'\n" }, "acme/fleet": {} });
    const answer = await proposeCatalogRequest(request, "alice", { bundleOf: async () => bundle, renderer, writer: github.port });
    expect(answer.problems).toEqual({});
    expect(answer.proposal).toEqual({ url: "https://github.com/acme/fleet/pull/7", number: 7, created: true });
    expect(github.proposed).toEqual([{
      repository: "acme/fleet", branch: "baryon/catalog/environment-staging", title: "Add environment staging (env 1.x)",
      files: [{ path: "envs/environments/staging.yaml", text: answer.file!.text }],
    }]);
    expect(answer.file!.text).toContain("template: env@1\nstage: test\nspec:\n  count: 2\n");
  });

  it("uses the default inventory folder without a config, and refuses a name that is taken", async () => {
    const fresh = writer({ "acme/templates": {} });
    await proposeCatalogRequest(request, "alice", { bundleOf: async () => bundle, renderer, writer: fresh.port });
    expect(fresh.proposed[0]!.files[0]!.path).toBe("inventory/environments/staging.yaml");

    const taken = writer({ "acme/templates": { "inventory/environments/staging.yaml": "proton: EnvironmentSpec\n" } });
    const answer = await proposeCatalogRequest(request, "alice", { bundleOf: async () => bundle, renderer, writer: taken.port });
    expect(answer.problems).toEqual({ name: "acme/templates has inventory/environments/staging.yaml already: choose another name" });
    expect(answer.proposal).toBeUndefined();
    expect(taken.proposed).toEqual([]);
  });

  it("says why nothing was opened when GitHub refuses or the config is broken, and proposes nothing for a bad request", async () => {
    const refused = await proposeCatalogRequest(request, "alice", { bundleOf: async () => bundle, renderer, writer: writer({}).port });
    expect(refused.proposal).toEqual({ refused: "GitHub refused a request on acme/templates: 404 Not Found" });

    const broken = writer({ "acme/templates": { ".github/baryon.yml": "publish: sometimes\n" } });
    const answer = await proposeCatalogRequest(request, "alice", { bundleOf: async () => bundle, renderer, writer: broken.port });
    expect(answer.proposal).toEqual({ refused: "acme/templates: .github/baryon.yml does not pass Baryon's check; fix it first" });

    const bad = writer({ "acme/templates": {} });
    const invalid = await proposeCatalogRequest({ ...request, form: { "inputs.count": "0" } }, "alice", { bundleOf: async () => bundle, renderer, writer: bad.port });
    expect(Object.keys(invalid.problems)).toEqual(["inputs.count"]);
    expect(bad.proposed).toEqual([]);
  });
});
