// The console's first page for someone who may see several owners: one link per
// owner, and signing out.
import { html, ownerPath, page } from "./html.js";

export function ownersPage(user: string, owners: readonly string[], csrf: string): string {
  const body = html`<h1>Owners</h1>
<p>Signed in as <strong>${user}</strong>.</p>
${owners.length === 0
    ? html`<p>Baryon is not installed on any account you belong to. Install the GitHub App on your organization (or ask its owners to), then sign in again.</p>`
    : html`<ul>${owners.map((o) => html`<li><a href="${ownerPath(o, "/")}">${o}</a></li>`)}</ul>`}
<form method="post" action="/logout"><input type="hidden" name="csrf" value="${csrf}"><button type="submit">Sign out</button></form>`;
  return page("Owners", "", body);
}
