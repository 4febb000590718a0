import { createHash, randomUUID } from "node:crypto";
import type { NewVersion } from "../../src/ports/registry.js";

/** A sha256 hex digest standing for the bundle archive called `label`. */
export function digestOf(label: string): string {
  return createHash("sha256").update(label).digest("hex");
}

/** A fake commit SHA for the merge that brought `label`. */
export function commitOf(label: string): string {
  return createHash("sha1").update(label).digest("hex");
}

/** A version of template "fargate-svc" v1 from a merged PR; override what a test cares about. */
export function newVersion(overrides: Partial<NewVersion> & { bundle?: string } = {}): NewVersion {
  const { bundle = "bundle-a", ...rest } = overrides;
  return {
    template: "fargate-svc",
    kind: "service",
    major: 1,
    status: "published",
    digest: digestOf(bundle),
    artifact: `file:///var/lib/baryon/artifacts/sha256/${digestOf(bundle)}.tar.gz`,
    // One bundle, one merge commit, unless a test says otherwise (a revert is a new commit).
    source: { repository: "acme/templates", commit: commitOf(bundle), pullRequest: 12 },
    schema: null,
    reasons: [],
    ...rest,
  };
}

/** A schema name no other test run uses. */
export function uniqueSchema(): string {
  return `baryon_test_${process.pid}_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
}
