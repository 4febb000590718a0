// What a pull request (or a terminal) is told after a publish.
import type { PublishOutcome } from "../flows/publish-change.js";

/**
 * The short reply a merged pull request gets. For `/publish`, only what this very
 * command recorded counts as published: a merge published before is "nothing new".
 */
export function publishSummary(outcomes: PublishOutcome[], options: { command?: boolean } = {}): string | undefined {
  const lines = outcomes.flatMap((o) => {
    if ((o.result === "published" || o.result === "draft") && options.command && !o.recordedNow) return [];
    if (o.result === "published") return [`Published ${o.template} ${o.version}`];
    if (o.result === "draft") return [`Saved ${o.template} ${o.version} as a draft`];
    if (o.result === "refused") return [`Not published: ${o.template} v${o.major}: ${o.reason}`];
    if (o.result === "superseded") return [`Not published: ${o.template} v${o.major} has changed again on the default branch since this commit; the later change publishes it.`];
    return [];
  });
  if (lines.length) return lines.join("\n");
  return options.command ? nothingNew(outcomes) : undefined;
}

function nothingNew(outcomes: PublishOutcome[]): string {
  const current = outcomes.flatMap((o) => (o.result === "unchanged" || o.result === "published" || o.result === "draft" ? [`${o.template} ${o.version}`] : []));
  return `Nothing new was published: ${current.length ? `this merge's bundles are already recorded (${current.join(", ")})` : "this merge changed no template bundle"}.`;
}

/** A version the legacy mirror refused: Baryon's own version stands. */
export function mirrorFailed(version: { template: string; major: number; minor: number }, mirror: string, error: string): string {
  return `${version.template} ${version.major}.${version.minor} is published in Baryon, but was not mirrored to ${mirror}: ${error}`;
}
