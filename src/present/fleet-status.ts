// `baryon status`: the fleet as a table for people and as JSON for scripts
// (the JSON shape is an interface users rely on: see the README).
import type { ResourceStatus } from "../ports/deployment-store.js";
import type { DriftOutcome } from "../flows/detect-drift.js";
import type { DeploymentRecord, DriftRecord } from "../ports/deployment-store.js";

const version = (d: Pick<DeploymentRecord, "major" | "minor">) => `${d.major}.${d.minor}`;

export function fleetStatusJson(statuses: readonly ResourceStatus[]): object {
  return {
    resources: statuses.map(({ resource: r, running, latest, drift }) => ({
      kind: r.kind,
      name: r.name,
      ...(r.kind === "service_instance" || r.kind === "service_pipeline" ? { service: r.service } : {}),
      ...(r.kind === "service_instance" ? { environment: r.environment } : {}),
      template: r.template.name,
      version: running ? version(running) : null,
      stage: r.stage ?? null,
      provisioner: r.provisioner,
      lastDeployment: latest
        ? { id: latest.id, status: latest.status, version: version(latest), finishedAt: latest.finishedAt?.toISOString() ?? null }
        : null,
      drift: drift ? { state: drift.state, checkedAt: drift.checkedAt.toISOString(), deployment: drift.deployment, findings: drift.findings } : null,
    })),
  };
}

/** A drift check in a few words: `drifted: Queue.VisibilityTimeout (and 2 more)`. */
export function driftText(drift: Pick<DriftRecord, "state" | "findings"> | undefined): string {
  if (!drift) return "-";
  if (drift.state === "in_sync") return "in sync";
  const [first, ...rest] = drift.findings;
  const what = first ? (first.subject ? `${first.subject}${first.property ? `.${first.property}` : ""}` : first.detail) : "";
  return `${drift.state.replace("_", " ")}${what ? `: ${what}` : ""}${rest.length ? ` (and ${rest.length} more)` : ""}`;
}

export function fleetStatusText(statuses: readonly ResourceStatus[]): string {
  if (statuses.length === 0) return "No resources yet: `baryon apply` deploys the inventory.\n";
  const rows = statuses.map(({ resource: r, running, latest, drift }) => [
    r.key,
    r.kind === "service_pipeline" ? "pipeline" : r.kind === "service_instance" ? "instance" : "environment",
    r.stage ?? "-",
    `${r.template.name} ${running ? version(running) : "-"}`,
    r.provisioner,
    driftText(drift),
    latest ? `#${latest.id} ${latest.status}${latest.status === "succeeded" ? "" : ` (${version(latest)})`}${latest.reason ? `: ${latest.reason}` : ""}` : "-",
  ]);
  const header = ["RESOURCE", "KIND", "STAGE", "VERSION", "PROVISIONER", "DRIFT", "LAST DEPLOYMENT"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd();
  return [line(header), ...rows.map(line)].join("\n") + "\n";
}

/** `baryon drift`: one block per resource, its findings under it. */
export function driftReportText(outcomes: readonly DriftOutcome[]): string {
  if (outcomes.length === 0) return "No resources yet: `baryon apply` deploys the inventory.\n";
  return outcomes.map(({ resource, check, skipped }) => {
    if (!check) return `${resource}: not checked (${skipped})\n`;
    const head = `${resource}: ${check.state.replace("_", " ")} (against deployment #${check.deployment})\n`;
    return head + check.findings.map((f) => `  - ${f.subject ? `${f.subject}${f.property ? ` ${f.property}` : ""}: ` : ""}${f.detail}\n`).join("");
  }).join("");
}
