import { LIVE_SCRIPT_PATH } from "./live.js";

// HTML for the web console, written as strings: every value passes through
// `html` (escaped) unless it is already markup (`Markup`), so nothing a
// template, a spec or a login says can become markup.

/** Markup already escaped; anything else interpolated into `html` is escaped. */
export class Markup {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

type Value = Markup | string | number | undefined | null | false | readonly Value[];

function render(value: Value): string {
  if (value === undefined || value === null || value === false) return "";
  if (value instanceof Markup) return value.text;
  if (Array.isArray(value)) return value.map(render).join("");
  return escapeHtml(String(value));
}

/** A tagged template: `html\`<td>${name}</td>\`` escapes `name`. */
export function html(strings: TemplateStringsArray, ...values: Value[]): Markup {
  let out = strings[0]!;
  values.forEach((value, i) => (out += render(value) + strings[i + 1]!));
  return new Markup(out);
}

const STYLE = `
:root { font-family: system-ui, sans-serif; color: #1b1f24; background: #fff; }
body { margin: 0; }
header { background: #1b1f24; color: #fff; padding: 0.75rem 1.5rem; display: flex; gap: 1.5rem; align-items: baseline; }
header a { color: #fff; margin-right: 1rem; }
pre { background: #f6f8fa; padding: 0.75rem; overflow-x: auto; font-size: 0.85rem; }
main { padding: 1rem 1.5rem 3rem; max-width: 72rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
caption { text-align: left; font-weight: 600; padding: 0.25rem 0; }
th, td { text-align: left; padding: 0.3rem 0.75rem 0.3rem 0; border-bottom: 1px solid #d0d7de; vertical-align: top; }
.bar { display: flex; height: 1.1rem; width: 20rem; background: #eaeef2; }
.bar span { display: block; height: 100%; }
.stage-0 { background: #0a5ac2; } .stage-1 { background: #8250df; } .stage-2 { background: #bf3989; }
.stage-3 { background: #1a7f37; } .stage-4 { background: #9a6700; } .stage-5 { background: #57606a; }
.key { display: inline-block; width: 0.8rem; height: 0.8rem; margin-right: 0.3rem; vertical-align: -0.1rem; }
.tag { font-size: 0.8rem; padding: 0 0.4rem; border-radius: 1rem; border: 1px solid #57606a; margin-left: 0.4rem; }
.failed { color: #a40e26; }
form.filter { margin: 0.5rem 0 1rem; display: flex; gap: 1rem; align-items: end; }
form.filter p { margin: 0; display: flex; flex-direction: column; gap: 0.2rem; }
label { font-size: 0.85rem; }
fieldset { border: 1px solid #d0d7de; margin: 0 0 1rem; padding: 0.5rem 1rem; max-width: 40rem; }
fieldset p { display: flex; flex-direction: column; align-items: flex-start; gap: 0.2rem; margin: 0.5rem 0; }
fieldset input:not([type=checkbox]), fieldset select { width: 100%; max-width: 30rem; }
.hint { font-size: 0.8rem; color: #57606a; }
`;

export interface PageOptions {
  /** A page of something still moving reloads its content this often (live.ts). */
  refreshSeconds?: number;
  /** The console's own scripts the page uses. */
  scripts?: string[];
}

/** An owner's page: every page of the console but the list of owners sits under `/<owner>`, so each URL names whose data it shows. */
export function ownerPath(owner: string, path: string): string {
  return `/${encodeURIComponent(owner)}${path}`;
}

/** A whole page: one <main>, the header naming the owner (none: a page of no owner's), a stable title. */
export function page(title: string, owner: string, body: Markup, options: PageOptions = {}): string {
  const { refreshSeconds } = options;
  const scripts = [...(refreshSeconds ? [LIVE_SCRIPT_PATH] : []), ...(options.scripts ?? [])];
  return `<!doctype html>\n${html`<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${scripts.map((src) => html`<script src="${src}" defer></script>`)}
<title>${title} · Baryon</title><style>${new Markup(STYLE)}</style></head>
<body${refreshSeconds ? html` data-refresh="${refreshSeconds}"` : ""}><header><strong>Baryon</strong>${owner ? html`<span>${owner}</span><nav aria-label="Main"><a href="${ownerPath(owner, "/")}">Fleet</a> <a href="${ownerPath(owner, "/rollouts")}">Rollouts</a> <a href="${ownerPath(owner, "/catalog")}">Catalog</a> <a href="/">Owners</a></nav>` : ""}</header>
<main>${body}</main></body></html>`.text}\n`;
}
