// What a pull request (or a terminal) is told after a publish.
import type { PublishOutcome } from "../flows/publish-change.js";

/** The short reply a merged pull request gets. */
export function publishSummary(outcomes: PublishOutcome[]): string | undefined {
  const lines = outcomes.flatMap((o) => {
    if (o.result === "published") return [`Published ${o.template} ${o.version}${o.mirrorError ? ` (not mirrored: ${o.mirrorError})` : ""}`];
    if (o.result === "draft") return [`Saved ${o.template} ${o.version} as a draft${o.mirrorError ? ` (not mirrored: ${o.mirrorError})` : ""}`];
    if (o.result === "refused") return [`Not published: ${o.template} v${o.major}: ${o.reason}`];
    return [];
  });
  return lines.length ? lines.join("\n") : undefined;
}

/** A version the legacy mirror refused: Baryon's own version stands. */
export function mirrorFailed(version: { template: string; major: number; minor: number }, mirror: string, error: string): string {
  return `${version.template} ${version.major}.${version.minor} is published in Baryon, but was not mirrored to ${mirror}: ${error}`;
}
