// The review comment after its pull request merged: a header saying what was
// published, and the summary table's "Will publish X" turned into what happened.
// Applying it again with the same outcomes changes nothing.

export interface PublishedVersion {
  template: string;
  /** `MAJOR.MINOR` */
  version: string;
  /** Saved as a draft rather than published. */
  draft: boolean;
}

/** Hidden marker of the header line, so a second merge job replaces it instead of adding one. */
const HEADER = /^<!-- baryon:published -->.*\n/m;

/**
 * `body` (a review comment from review-markdown.ts) with a merge header right
 * after its hidden markers and its table rows marked. `refused` counts bundles
 * that were not published (their reasons are in the publish reply). Nothing
 * published and nothing refused leaves the body as it is.
 */
export function markPublished(body: string, published: readonly PublishedVersion[], refused: number): string {
  if (!published.length && !refused) return body;
  const done = published.map((p) => `${p.template} ${p.version}${p.draft ? " (draft)" : ""}`);
  const header = `**Merged.** ${done.length ? `Published ${done.join(", ")}.` : "Nothing was published."}` +
    (refused ? ` ${refused} bundle${refused === 1 ? " was" : "s were"} not published: see the reply below.` : "");
  const lines = body.replace(HEADER, "").split("\n").map((line) => markRow(line, published));
  const at = lines.findIndex((l) => !l.startsWith("<!-- "));
  lines.splice(at === -1 ? lines.length : at, 0, `<!-- baryon:published -->${header}`);
  return lines.join("\n");
}

/** A summary-table row of a published version: `| \`name\` vN | … | Will publish N.M | …`. */
function markRow(line: string, published: readonly PublishedVersion[]): string {
  for (const p of published) {
    const major = p.version.split(".")[0];
    if (!line.startsWith(`| \`${p.template}\` v${major} |`)) continue;
    return line.replace(`| Will publish ${p.version} |`, `| ${p.draft ? `Saved ${p.version} as draft` : `Published ${p.version}`} |`);
  }
  return line;
}
