// The drift issue of a repository: one issue listing the resources it reconciles
// whose last drift check found them changed outside Baryon, with what differs.
// Baryon finds its own issue again by the marker, and edits it in place.
import type { ResourceStatus } from "../ports/deployment-store.js";

export const DRIFT_ISSUE_MARKER = "<!-- baryon:drift -->";
export const DRIFT_LABEL = "baryon-drift";

/** The issue for these resources, or undefined when none drifted (the issue is then closed). */
export function driftIssue(repository: string, statuses: readonly ResourceStatus[]): { title: string; body: string } | undefined {
  const drifted = statuses.filter((s) => s.drift?.state === "drifted");
  if (drifted.length === 0) return undefined;
  const rows = drifted.map(({ resource, drift }) => {
    const findings = drift!.findings.map((f) => `${f.subject ? `\`${f.subject}${f.property ? ` ${f.property}` : ""}\`: ` : ""}${escapeCell(f.detail)}`).join("<br>");
    return `| \`${resource.key}\` | ${resource.stage ?? "—"} | ${resource.template.name} | #${drift!.deployment} | ${findings} |`;
  });
  const body = [
    DRIFT_ISSUE_MARKER,
    `${drifted.length} resource${drifted.length === 1 ? "" : "s"} that \`${repository}\` reconciles no longer match${drifted.length === 1 ? "es" : ""} what Baryon deployed: changed outside Baryon.`,
    "",
    "| Resource | Stage | Template | Deployment | What differs |",
    "| --- | --- | --- | --- | --- |",
    ...rows,
    "",
    "Redeploy a resource to put it back (`baryon deploy <resource>`), or bring its spec in line with the change. Baryon edits this issue after each drift check, and closes it once every resource is in sync.",
  ].join("\n");
  return { title: `Drift: ${drifted.length} resource${drifted.length === 1 ? "" : "s"} changed outside Baryon`, body };
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}
