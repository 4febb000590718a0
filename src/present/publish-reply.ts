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
