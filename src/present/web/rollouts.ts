// The web console's rollout and deployment pages: a rollout's stages (the same
// rows as the pull request's comment), its approvals and every target; a
// deployment with its outputs and log. Pages of something still moving reload
// themselves (a refresh every few seconds, no JavaScript).
import { versionText } from "../../inventory/model.js";
import { isFinished } from "../../inventory/deployment-status.js";
import type { DeploymentRecord } from "../../ports/deployment-store.js";
import type { RolloutRecord } from "../../rollout/model.js";
import { nextStep, pending, stageRows, type RolloutView } from "../rollout-progress.js";
import { html, ownerPath, page, type Markup } from "./html.js";

/** How often a page of a rollout or deployment still under way reloads itself. */
export const REFRESH_SECONDS = 3;

const FINISHED_ROLLOUTS = ["succeeded", "aborted", "superseded"];
const when = (at: Date | undefined) => (at ? at.toISOString().slice(0, 19).replace("T", " ") : "");

export function rolloutsPage(owner: string, rollouts: readonly RolloutRecord[]): string {
  const body = html`<h1>Rollouts</h1>
${rollouts.length === 0 ? html`<p>No rollouts yet: publishing a new minor starts one.</p>` : html`<table><caption>Newest first</caption>
<thead><tr><th scope="col">Rollout</th><th scope="col">Version</th><th scope="col">Status</th><th scope="col">Stage</th><th scope="col">Started</th></tr></thead>
<tbody>${rollouts.map((r) => html`<tr><th scope="row"><a href="${ownerPath(owner, `/rollouts/${r.id}`)}">${r.id}</a></th><td>${r.template} ${versionText(r)}</td>
<td>${r.status.replace("_", " ")}</td><td>${r.stage ?? ""}</td><td>${when(r.createdAt)}</td></tr>`)}</tbody></table>`}`;
  return page("Rollouts", owner, body);
}

export function rolloutPage(owner: string, view: RolloutView): string {
  const { rollout, targets } = view;
  const live = !FINISHED_ROLLOUTS.includes(rollout.status);
  const stageOf = new Map(rollout.plan.stages.flatMap((s) => s.resources.map((r) => [r, s.name] as const)));
  const body = html`<h1>Rollout of ${rollout.template} ${versionText(rollout)}</h1>
<p aria-live="polite">Status: <strong id="status">${rollout.status.replace("_", " ")}</strong>. Next: <span id="next">${nextStep(view).replaceAll("`", "")}</span></p>
<table><caption>Stages</caption>
<thead><tr><th scope="col">Stage</th><th scope="col">Done</th><th scope="col">Failed</th><th scope="col">In flight</th><th scope="col">Pending</th><th scope="col">Soak</th><th scope="col">Gate</th></tr></thead>
<tbody>${stageRows(view).map((r) => html`<tr><th scope="row">${r.stage}</th><td>${r.progress.done}/${r.progress.total}</td><td>${r.progress.failed}</td>
<td>${r.progress.inFlight}</td><td>${pending(r.progress)}</td><td>${r.soak}</td><td>${r.gate.replaceAll("`", "")}</td></tr>`)}</tbody></table>
${approvals(rollout)}
<table><caption>Resources</caption>
<thead><tr><th scope="col">Resource</th><th scope="col">Stage</th><th scope="col">Attempt</th><th scope="col">Deployment</th><th scope="col">Verification</th></tr></thead>
<tbody>${[...stageOf].map(([resource, stage]) => {
    const target = targets.get(resource);
    return html`<tr><th scope="row">${resource}</th><td>${stage}</td><td>${target?.attempt ?? 0}</td>
<td>${target?.deployment ? html`<a href="${ownerPath(owner, `/deployments/${target.deployment.id}`)}">#${target.deployment.id}</a> ${target.deployment.status}` : target?.nothingToDo ? "nothing to do" : "not yet"}</td>
<td>${target?.verification ? `${target.verification.verdict}: ${target.verification.detail}` : ""}</td></tr>`;
  })}</tbody></table>
${rollout.plan.skipped.length ? html`<table><caption>Skipped</caption><tbody>${rollout.plan.skipped.map((s) => html`<tr><th scope="row">${s.resource}</th><td>${s.why}</td></tr>`)}</tbody></table>` : ""}`;
  return page(`Rollout ${rollout.id}`, owner, body, live ? { refreshSeconds: REFRESH_SECONDS } : {});
}

function approvals(rollout: RolloutRecord): Markup {
  if (rollout.approvals.length === 0) return html``;
  return html`<table><caption>Gates opened</caption>
<thead><tr><th scope="col">Stage</th><th scope="col">By</th><th scope="col">At</th></tr></thead>
<tbody>${rollout.approvals.map((a) => html`<tr><th scope="row">${a.stage}</th><td>${a.commentUrl?.startsWith("https://") ? html`<a href="${a.commentUrl}">@${a.by}</a>` : `@${a.by}`}</td><td>${when(a.at)}</td></tr>`)}</tbody></table>`;
}

export function deploymentPage(owner: string, deployment: DeploymentRecord, log: string | undefined): string {
  const live = !isFinished(deployment.status);
  const outputs = Object.entries(deployment.outputs);
  const by = deployment.requestedBy;
  const body = html`<h1>Deployment #${deployment.id}</h1>
<table><caption>What and why</caption><tbody>
<tr><th scope="row">Resource</th><td>${deployment.resource}</td></tr>
<tr><th scope="row">Action</th><td>${deployment.action} ${deployment.template} ${versionText(deployment)}</td></tr>
<tr><th scope="row">Status</th><td id="status">${deployment.status}${deployment.reason ? `: ${deployment.reason}` : ""}</td></tr>
<tr><th scope="row">Asked by</th><td>${by.actor} (${by.reason})${by.rollout ? html`, <a href="${ownerPath(owner, `/rollouts/${by.rollout}`)}">rollout ${by.rollout}</a>` : ""}</td></tr>
<tr><th scope="row">Provisioner</th><td>${deployment.provisioner}</td></tr>
<tr><th scope="row">Asked, started, finished</th><td>${when(deployment.createdAt)} · ${when(deployment.startedAt)} · ${when(deployment.finishedAt)}</td></tr>
</tbody></table>
${outputs.length ? html`<table><caption>Outputs</caption><tbody>${outputs.map(([k, v]) => html`<tr><th scope="row">${k}</th><td><code>${v}</code></td></tr>`)}</tbody></table>` : ""}
<h2>Log</h2>
${log === undefined ? html`<p>No log yet.</p>` : html`<pre>${log}</pre>`}`;
  return page(`Deployment ${deployment.id}`, owner, body, live ? { refreshSeconds: REFRESH_SECONDS } : {});
}
