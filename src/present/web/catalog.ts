// The self-service catalog's pages: the templates a developer may ask for, and
// per template version a form generated from its input schema, answered with
// the schema's own messages at each field, or with the inventory file the
// request makes and what it renders.
import type { CatalogProposal } from "../../flows/catalog-proposal.js";
import type { FormField, RequestedResource } from "../../inventory/catalog-form.js";
import { versionText } from "../../inventory/model.js";
import type { VersionRecord } from "../../ports/registry.js";
import { CATALOG_SCRIPT_PATH } from "./catalog-script.js";
import { html, ownerPath, page, type Markup } from "./html.js";

export const catalogPath = (owner: string, v: { template: string; major: number; minor: number }) => ownerPath(owner, `/catalog/${encodeURIComponent(v.template)}/${versionText(v)}`);

export function catalogIndexPage(owner: string, versions: readonly VersionRecord[]): string {
  const body = html`<h1>Catalog</h1>
${versions.length === 0 ? html`<p>Nothing is published yet.</p>` : html`<table><caption>Templates, at their recommended version</caption>
<thead><tr><th scope="col">Template</th><th scope="col">Kind</th><th scope="col">Version</th></tr></thead>
<tbody>${versions.map((v) => html`<tr><th scope="row"><a href="${catalogPath(owner, v)}">${v.template}</a></th><td>${v.kind}</td><td>${versionText(v)}</td></tr>`)}</tbody></table>`}`;
  return page("Catalog", owner, body);
}

export interface CatalogPageInput {
  version: VersionRecord;
  fields: readonly FormField[];
  csrf: string;
  /** The person can send the request as a pull request (signed in with GitHub). */
  canPropose: boolean;
  /** What was posted, to show again. */
  who?: RequestedResource;
  form?: Readonly<Record<string, string | undefined>>;
  answer?: CatalogProposal;
}

export function catalogPage(owner: string, input: CatalogPageInput): string {
  const { version, fields, answer } = input;
  const problems = answer?.problems ?? {};
  const failed = Object.keys(problems).length > 0;
  const who = version.kind === "environment"
    ? [text("name", "Environment name", input.who?.name, problems), text("stage", "Stage", input.who?.stage, problems)]
    : [text("name", "Service name", input.who?.name, problems), text("instance", "Instance name", input.who?.instance, problems), text("environment", "Environment", input.who?.environment, problems)];
  const body = html`<h1>New ${version.kind === "environment" ? "environment" : "service"} from ${version.template} ${versionText(version)}</h1>
<div id="answer" aria-live="polite">${failed ? html`<p class="failed" role="alert">The request has ${Object.keys(problems).length} problem${Object.keys(problems).length === 1 ? "" : "s"}; each is shown at its field.</p>` : ""}</div>
<form method="post" action="${catalogPath(owner, version)}" data-catalog>
<input type="hidden" name="csrf" value="${input.csrf}">
<fieldset><legend>Who</legend>${who}</fieldset>
${group("Inputs", fields.filter((f) => f.group === "inputs"), input.form, problems, true)}
${group("Pipeline inputs", fields.filter((f) => f.group === "pipeline"), input.form, problems, false)}
<p><button type="submit">Preview</button>${input.canPropose ? html` <button type="submit" name="intent" value="propose">Open pull request</button>` : ""}</p>
</form>
<div id="preview-section">${answer?.proposal ? proposal(answer.proposal) : ""}${answer?.file ? preview(answer, input.canPropose) : ""}</div>`;
  return page(`Catalog: ${version.template}`, owner, body, { scripts: [CATALOG_SCRIPT_PATH] });
}

function text(name: string, label: string, value: string | undefined, problems: Record<string, string>): Markup {
  const problem = problems[name];
  return html`<p><label for="f-${name}">${label}</label>
<input id="f-${name}" name="${name}" value="${value ?? ""}"${problem ? html` aria-invalid="true" aria-describedby="e-${name}"` : ""}>
${problem ? html`<span id="e-${name}" class="failed">${problem}</span>` : ""}</p>`;
}

function group(legend: string, fields: readonly FormField[], form: CatalogPageInput["form"], problems: Record<string, string>, always: boolean): Markup {
  if (fields.length === 0 && !always) return html``;
  return html`<fieldset><legend>${legend}</legend>${fields.length
    ? fields.map((f) => field(f, form?.[`${f.group}.${f.name}`], problems[`${f.group}.${f.name}`]))
    : html`<p>This template takes no inputs.</p>`}</fieldset>`;
}

/** One input; the schema checks it on the server, so the browser adds no rules of its own that would say it differently. */
function field(f: FormField, value: string | undefined, problem: string | undefined): Markup {
  const id = `f-${f.group}-${f.name}`;
  const hint = [f.description, f.required ? "required" : undefined, f.default !== undefined ? `default ${JSON.stringify(f.default)}` : undefined,
    f.minimum !== undefined ? `at least ${f.minimum}` : undefined, f.maximum !== undefined ? `at most ${f.maximum}` : undefined,
    f.minLength !== undefined ? `${f.minLength}+ characters` : undefined, f.maxLength !== undefined ? `at most ${f.maxLength} characters` : undefined,
    f.control === "list" ? "comma-separated" : undefined].filter(Boolean).join("; ");
  const described = [hint ? `h-${id}` : "", problem ? `e-${id}` : ""].filter(Boolean).join(" ");
  const aria = html`${described ? html` aria-describedby="${described}"` : ""}${problem ? html` aria-invalid="true"` : ""}`;
  const name = `${f.group}.${f.name}`;
  const control = f.control === "select"
    ? html`<select id="${id}" name="${name}"${aria}><option value="">${f.default !== undefined ? `(default: ${String(f.default)})` : "(choose)"}</option>${(f.options ?? []).map((o) => html`<option${o === value ? html` selected` : ""}>${o}</option>`)}</select>`
    : f.control === "checkbox"
      ? html`<input type="checkbox" id="${id}" name="${name}"${value === "on" || (value === undefined && f.default === true) ? html` checked` : ""}${aria}>`
      : html`<input id="${id}" name="${name}" value="${value ?? ""}"${f.control === "number" ? html` inputmode="decimal"` : ""}${aria}>`;
  return html`<p><label for="${id}">${f.label}</label>${control}
${hint ? html`<span id="h-${id}" class="hint">${hint}</span>` : ""}${problem ? html`<span id="e-${id}" class="failed">${problem}</span>` : ""}</p>`;
}

function proposal(outcome: NonNullable<CatalogProposal["proposal"]>): Markup {
  if ("refused" in outcome) return html`<p class="failed" role="alert">No pull request was opened: ${outcome.refused}</p>`;
  return html`<p role="status" id="proposal">${outcome.created ? "Opened pull request" : "This request's pull request is"} <a href="${outcome.url}">#${outcome.number}</a>: it is reviewed like any inventory change, and merging it deploys the new resource.</p>`;
}

function preview(answer: CatalogProposal, canPropose: boolean): Markup {
  const problems = answer.renderProblems ?? [];
  return html`<section aria-labelledby="preview"><h2 id="preview">Preview</h2>
<p>The inventory file this request adds, <code>${answer.file!.path}</code>${canPropose ? "" : html` (copy it into your inventory and open a pull request: this console cannot act on GitHub as you)`}:</p>
<pre id="spec-file">${answer.file!.text}</pre>
${problems.length ? html`<ul class="failed">${problems.map((d) => html`<li>${d.file}:${d.line ?? 1}: ${d.message}</li>`)}</ul>` : ""}
${(answer.rendered ?? []).map((f) => html`<details><summary>${f.path}</summary><pre>${f.content}</pre></details>`)}
</section>`;
}
