// `baryon status`: the fleet as a table for people and as JSON for scripts
// (the JSON shape is an interface users rely on: see the README).
import type { ResourceStatus } from "../ports/deployment-store.js";
import type { DeploymentRecord } from "../ports/deployment-store.js";

const version = (d: Pick<DeploymentRecord, "major" | "minor">) => `${d.major}.${d.minor}`;

export function fleetStatusJson(statuses: readonly ResourceStatus[]): object {
  return {
    resources: statuses.map(({ resource: r, running, latest }) => ({
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
    })),
  };
}

export function fleetStatusText(statuses: readonly ResourceStatus[]): string {
  if (statuses.length === 0) return "No resources yet: `baryon apply` deploys the inventory.\n";
  const rows = statuses.map(({ resource: r, running, latest }) => [
    r.key,
    r.kind === "service_pipeline" ? "pipeline" : r.kind === "service_instance" ? "instance" : "environment",
    r.stage ?? "-",
    `${r.template.name} ${running ? version(running) : "-"}`,
    r.provisioner,
    latest ? `#${latest.id} ${latest.status}${latest.status === "succeeded" ? "" : ` (${version(latest)})`}${latest.reason ? `: ${latest.reason}` : ""}` : "-",
  ]);
  const header = ["RESOURCE", "KIND", "STAGE", "VERSION", "PROVISIONER", "LAST DEPLOYMENT"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd();
  return [line(header), ...rows.map(line)].join("\n") + "\n";
}
