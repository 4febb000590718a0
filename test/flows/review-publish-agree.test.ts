// Review (against a pull request's base) and publish (against the registry's
// latest stored version) answer "is this bundle publishable, and as what?" with
// one function: fed the same change, they must agree on the classification,
// the version and every error.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalArtifactStore } from "../../src/adapters/artifacts/local.js";
import { createPgliteRegistry } from "../../src/adapters/registry/pglite.js";
import type { ChangeReason } from "../../src/bundle/classify/classify.js";
import type { Diagnostic } from "../../src/bundle/diagnostics.js";
import { publishChange, type PublishOutcome } from "../../src/flows/publish-change.js";
import { reviewChange } from "../../src/flows/review-change.js";
import { createRenderPool } from "../../src/jinja/pool.js";
import type { Registry, VersionStore } from "../../src/ports/registry.js";
import type { TemplateReview } from "../../src/present/review-report.js";
import { snapshot } from "../support/snapshot.js";
import { CHANGES, serviceFiles, type Files } from "./support/bundle-changes.js";

const renderer = createRenderPool({ size: 2 });
const artifacts = createLocalArtifactStore({ dir: mkdtempSync(join(tmpdir(), "baryon-agree-")) });
let registry: Registry;
beforeAll(async () => {
  registry = await createPgliteRegistry();
});
afterAll(async () => {
  await registry.close();
  await renderer.close();
});

/** Each case in an owner of its own: the registry keeps them apart. */
let owners = 0;
const newStore = () => registry.versions({ login: `case-${++owners}` });

const publish = (files: Files, commit: string, store: VersionStore, base?: Files) =>
  publishChange(
    { repository: "acme/templates", commit, status: "published" },
    { head: async () => snapshot(files), ...(base ? { base: async () => snapshot(base) } : {}), versions: store, artifacts, renderer },
  );

const review = (base: Files, head: Files, store: VersionStore) =>
  reviewChange({}, { changes: { baseName: "base", headName: "head", base: async () => snapshot(base), head: async () => snapshot(head) }, renderer, versions: store });

interface Answer {
  change: string;
  reasons: ChangeReason[];
  version: string | null;
  errors: Diagnostic[];
}

const errorsOf = (diagnostics: Diagnostic[]) => diagnostics.filter((d) => d.severity === "error");

function reviewAnswer(t: TemplateReview): Answer {
  return { change: t.change, reasons: t.reasons, version: t.version ?? null, errors: errorsOf(t.diagnostics) };
}

function publishAnswer(o: PublishOutcome): Answer {
  if (o.result === "refused") {
    return { change: o.classification?.change ?? "unassessed", reasons: o.classification?.reasons ?? [], version: null, errors: o.errors };
  }
  if (o.result === "unchanged") return { change: "none", reasons: [], version: null, errors: [] };
  if (o.result === "superseded") throw new Error("nothing moved the default branch in these cases");
  const change = o.reasons.some((r) => r.breaking) ? "major" : o.reasons.length ? "minor" : "none";
  return { change, reasons: o.reasons, version: o.version, errors: [] };
}

describe("review and publish agree on the same change", () => {
  it.each(CHANGES)("$name", async ({ base, head, template, major, change, fails }) => {
    const store = newStore();
    const first = await publish(base, "c0", store);
    expect(first.map((o) => o.result)).toEqual(first.map(() => "published"));

    const reviewed = (await review(base, head, store)).templates.find((t) => t.name === template && t.major === major);
    const published = (await publish(head, "c1", store, base)).find((o) => o.template === template && o.major === major);
    expect(reviewed).toBeDefined();
    expect(published).toBeDefined();

    const answer = reviewAnswer(reviewed!);
    expect(publishAnswer(published!)).toEqual(answer);
    expect(answer.change).toBe(change);
    expect(answer.errors.length > 0).toBe(fails);
    if (change === "major" && major === 1) expect(answer.errors.map((d) => d.code)).toContain("breaking-change-in-major");
    if (!fails) expect(answer.version).toBe(major === 1 ? "1.1" : `${major}.0`);
  });

  it("an identical bundle: review lists no template, publish publishes nothing", async () => {
    const store = newStore();
    await publish(serviceFiles(), "c0", store);
    const files = { ...serviceFiles(), "svc/README.md": "# docs\n" };
    expect((await review(serviceFiles(), files, store)).templates).toEqual([]);
    expect(await publish(files, "c1", store, serviceFiles())).toEqual([]);
    expect(await publish(files, "c2", store)).toEqual([{ template: "svc", major: 1, result: "unchanged", version: "1.0" }]);
  });
});
