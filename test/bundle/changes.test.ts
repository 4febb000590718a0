import { describe, expect, it } from "vitest";
import { detectChanges } from "../../src/bundle/classify/changes.js";
import { parseRepository } from "../../src/bundle/parse/repository.js";
import { envTemplate, snapshot } from "../support/snapshot.js";

function changes(base: Record<string, string | Uint8Array>, head: Record<string, string | Uint8Array>) {
  const side = (files: Record<string, string | Uint8Array>) => {
    const s = snapshot(files);
    return { snapshot: s, repo: parseRepository(s, { templates: "templates" }) };
  };
  return detectChanges(side(base), side(head));
}

const SPEC = "proton: EnvironmentSpec\nspec:\n  count: 2\n";
const base: Record<string, string | Uint8Array> = { ...envTemplate({}, "templates/vpc-env/v1"), "templates/vpc-env/spec/spec.yaml": SPEC, "README.md": "# repo\n" };

describe("detectChanges", () => {
  it("lists a changed example spec with its template, not as a file outside every bundle", () => {
    const cfn = "templates/vpc-env/v1/infrastructure/cloudformation.yaml";
    const head = { ...base, [cfn]: `${base[cfn]}      EnableDnsSupport: true\n`, "templates/vpc-env/spec/spec.yaml": SPEC.replace("2", "3"), "templates/vpc-env/spec/prod.yml": SPEC };
    const result = changes(base, head);
    expect(result.bundles.map((b) => [b.template, b.major, b.status])).toEqual([["vpc-env", 1, "modified"]]);
    expect(result.specFiles).toEqual([
      { template: "vpc-env", path: "templates/vpc-env/spec/prod.yml" },
      { template: "vpc-env", path: "templates/vpc-env/spec/spec.yaml" },
    ]);
    expect(result.unbundledFiles).toEqual([]);
  });

  it("a spec alone makes no bundle change; a deleted spec and one whose template was removed still belong to it", () => {
    const onlySpec = changes(base, { ...base, "templates/vpc-env/spec/spec.yaml": SPEC.replace("2", "4") });
    expect(onlySpec).toEqual({ bundles: [], specFiles: [{ template: "vpc-env", path: "templates/vpc-env/spec/spec.yaml" }], unbundledFiles: [] });

    const removed = Object.fromEntries(Object.entries(base).filter(([p]) => !p.startsWith("templates/vpc-env/")));
    const gone = changes(base, removed);
    expect(gone.bundles.map((b) => b.status)).toEqual(["removed"]);
    expect(gone.specFiles).toEqual([{ template: "vpc-env", path: "templates/vpc-env/spec/spec.yaml" }]);
  });

  it("keeps other files outside every bundle apart, including YAML that is not an example spec", () => {
    const head = { ...base, "README.md": "# changed\n", "templates/vpc-env/README.md": "docs\n", "templates/vpc-env/spec/nested/x.yaml": SPEC, "templates/spec/x.yaml": SPEC };
    const result = changes(base, head);
    expect(result.specFiles).toEqual([]);
    expect(result.unbundledFiles).toEqual(["README.md", "templates/spec/x.yaml", "templates/vpc-env/README.md", "templates/vpc-env/spec/nested/x.yaml"]);
  });
});
