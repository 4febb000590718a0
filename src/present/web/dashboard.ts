// The web console's fleet pages: the dashboard (each template, the versions
// its resources run by stage, every resource) and a template's versions.
// Plain HTML: every page reads without JavaScript.
import type { DashboardFilter, FleetDashboard, TemplateOverview } from "../../flows/fleet-dashboard.js";
import { versionText } from "../../inventory/model.js";
import type { ResourceStatus } from "../../ports/deployment-store.js";
import { driftText } from "../fleet-status.js";
import { html, ownerPath, page, type Markup } from "./html.js";

const PALETTE = 6;

export function dashboardPage(owner: string, fleet: FleetDashboard, filter: DashboardFilter = {}): string {
  const stages = stageOrder(fleet);
  const body = html`<h1>Fleet</h1>
${fleet.choices.templates.length === 0 ? html`<p>Nothing is published yet: <code>baryon publish</code> records a repository's templates.</p>` : filterForm(owner, fleet, filter)}
${fleet.templates.map((t) => templateSection(owner, t, stages))}
${resourcesTable(owner, fleet.resources)}
${pager(owner, fleet.page, filter)}`;
  return page("Fleet", owner, body);
}

export function templatePage(owner: string, template: TemplateOverview): string {
  const body = html`<h1>${template.name}</h1>
<table><caption>Versions, newest first</caption>
<thead><tr><th scope="col">Version</th><th scope="col">Status</th><th scope="col">Source</th><th scope="col">Recorded</th></tr></thead>
<tbody>${template.versions.map((v) => html`<tr><td>${versionText(v)}${versionText(v) === template.recommended ? html`<span class="tag">recommended</span>` : ""}</td>
<td>${v.status}</td><td>${v.source.repository}${v.source.pullRequest ? html` #${v.source.pullRequest}` : ""} <code>${v.source.commit.slice(0, 7)}</code></td>
<td>${v.createdAt.toISOString().slice(0, 16).replace("T", " ")}</td></tr>`)}</tbody></table>`;
  return page(template.name, owner, body);
}

/** A plain GET form: the filtered page has a URL of its own. */
function filterForm(owner: string, fleet: FleetDashboard, filter: DashboardFilter): Markup {
  const select = (name: string, label: string, choices: readonly string[], chosen: string | undefined) => html`<p><label for="filter-${name}">${label}</label>
<select id="filter-${name}" name="${name}"><option value="">all</option>${choices.map((c) => html`<option${c === chosen ? html` selected` : ""}>${c}</option>`)}</select></p>`;
  return html`<form class="filter" method="get" action="${ownerPath(owner, "/")}" aria-label="Filter">${select("template", "Template", fleet.choices.templates, filter.template)}
${select("stage", "Stage", fleet.choices.stages, filter.stage)} <button type="submit">Show</button></form>`;
}

/** Every stage on the page, in a stable order, so a stage keeps its colour from template to template. */
function stageOrder(fleet: FleetDashboard): string[] {
  return [...new Set(fleet.templates.flatMap((t) => t.running.flatMap((r) => Object.keys(r.stages))))].sort();
}

function templateSection(owner: string, template: TemplateOverview, stages: readonly string[]): Markup {
  const most = Math.max(1, ...template.running.map((r) => r.total));
  const stageName = (stage: string) => stage || "no stage";
  return html`<section aria-labelledby="t-${template.name}">
<h2 id="t-${template.name}"><a href="${ownerPath(owner, `/templates/${encodeURIComponent(template.name)}`)}">${template.name}</a>
${template.recommended ? html`<span class="tag">recommended ${template.recommended}</span>` : ""}</h2>
${template.rollout ? html`<p>Latest rollout: <a href="${ownerPath(owner, `/rollouts/${template.rollout.id}`)}">${template.rollout.version}, ${template.rollout.status.replace("_", " ")}</a></p>` : ""}
${template.running.length === 0 ? html`<p>No resource uses this template yet.</p>` : html`<table>
<caption>Resources by the version they run</caption>
<thead><tr><th scope="col">Version</th><th scope="col">Resources</th><th scope="col">By stage</th></tr></thead>
<tbody>${template.running.map((r) => {
    const parts = Object.entries(r.stages).sort(([a], [b]) => stages.indexOf(a) - stages.indexOf(b));
    const words = parts.map(([stage, n]) => `${stageName(stage)} ${n}`).join(", ");
    return html`<tr><th scope="row">${r.version}</th><td>${r.total}</td>
<td><div class="bar" role="img" aria-label="${words}" style="width: ${(20 * r.total) / most}rem">${parts.map(([stage, n]) =>
      html`<span class="stage-${stages.indexOf(stage) % PALETTE}" style="width: ${(100 * n) / r.total}%"></span>`)}</div>
${parts.map(([stage, n]) => html`<span><span class="key stage-${stages.indexOf(stage) % PALETTE}"></span>${stageName(stage)} ${n}</span> `)}</td></tr>`;
  })}</tbody></table>`}
</section>`;
}

/** Where this page of resources sits, with links to the pages either side (the filter kept). */
function pager(owner: string, at: FleetDashboard["page"], filter: DashboardFilter): Markup {
  if (at.total <= at.limit && at.offset === 0) return html``;
  const link = (from: number, text: string) => {
    const query = new URLSearchParams({ ...(filter.template ? { template: filter.template } : {}), ...(filter.stage ? { stage: filter.stage } : {}), from: String(from) });
    return html`<a href="${ownerPath(owner, `/?${query.toString()}`)}">${text}</a>`;
  };
  const last = Math.min(at.offset + at.limit, at.total);
  return html`<nav aria-label="Pages of resources"><p>Resources ${at.total === 0 ? 0 : at.offset + 1}–${last} of ${at.total.toLocaleString("en-US")}
${at.offset > 0 ? link(Math.max(0, at.offset - at.limit), "previous") : ""} ${last < at.total ? link(last, "next") : ""}</p></nav>`;
}

function resourcesTable(owner: string, resources: readonly ResourceStatus[]): Markup {
  if (resources.length === 0) return html`<p>No resources yet: <code>baryon apply</code> deploys the inventory.</p>`;
  return html`<table><caption>Resources</caption>
<thead><tr><th scope="col">Resource</th><th scope="col">Kind</th><th scope="col">Stage</th><th scope="col">Template</th>
<th scope="col">Running</th><th scope="col">Outputs</th><th scope="col">Drift</th><th scope="col">Last deployment</th></tr></thead>
<tbody>${resources.map(({ resource, running, latest, drift }) => html`<tr><th scope="row">${resource.key}</th><td>${resource.kind.replace("service_", "")}</td>
<td>${resource.stage ?? ""}</td><td>${resource.template.name}</td><td>${running ? versionText(running) : "none"}</td><td>${outputsCell(running?.outputs ?? {})}</td>
<td${drift?.state === "drifted" ? html` class="failed"` : ""}${drift ? html` title="checked ${drift.checkedAt.toISOString().slice(0, 16).replace("T", " ")}: ${drift.findings.map((f) => f.detail).join("; ")}"` : ""}>${driftText(drift)}</td>
<td${latest && /failed|cancelled/.test(latest.status) ? html` class="failed"` : ""}>${latest ? html`<a href="${ownerPath(owner, `/deployments/${latest.id}`)}">#${latest.id}</a> ${latest.status} (${versionText(latest)})` : "never deployed"}</td></tr>`)}</tbody></table>`;
}

/** What the running version reported (a stack's outputs), folded away: a fleet page stays a page of rows. */
function outputsCell(outputs: Readonly<Record<string, string>>): Markup {
  const entries = Object.entries(outputs);
  if (entries.length === 0) return html``;
  return html`<details><summary>${entries.length} output${entries.length === 1 ? "" : "s"}</summary><dl>${entries.map(([k, v]) => html`<dt>${k}</dt><dd><code>${v}</code></dd>`)}</dl></details>`;
}
