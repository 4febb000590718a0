// The web console's catalog routes: GET shows a template version's form; POST
// (CSRF-checked by the console) answers it, with the schema's messages or with
// the inventory file and its render. Only published versions are offered.
import { answerCatalogRequest, catalogFields } from "../flows/catalog-request.js";
import { bundleLoader } from "../flows/stored-bundle.js";
import type { RequestedResource } from "../inventory/catalog-form.js";
import type { ArtifactStore } from "../ports/artifact-store.js";
import type { Owner, Registry } from "../ports/registry.js";
import type { Renderer } from "../ports/renderer.js";
import { catalogIndexPage, catalogPage } from "../present/web/catalog.js";

export interface CatalogContext {
  registry: Registry;
  artifacts: ArtifactStore;
  renderer: Renderer;
  owner: Owner;
  /** The session's CSRF token, put in every form. */
  csrf: string;
}

/** The page for a catalog path and its HTTP status (`form`: what was posted), or undefined when there is none. */
export async function catalogRoute(parts: readonly string[], ctx: CatalogContext, form?: Readonly<Record<string, string>>): Promise<{ status: number; body: string } | undefined> {
  const versions = ctx.registry.versions(ctx.owner);
  const login = ctx.owner.login;
  if (parts.length === 2) {
    const names = await versions.templates();
    const recommended = (await Promise.all(names.map((n) => versions.recommendedVersion(n)))).flatMap((v) => (v ? [v] : []));
    return { status: 200, body: catalogIndexPage(login, recommended) };
  }
  const [, , template, version] = parts;
  const number = /^(\d+)\.(\d+)$/.exec(version ?? "");
  if (parts.length !== 4 || !template || !number) return undefined;
  const record = await versions.getVersion(template, Number(number[1]), Number(number[2]));
  if (!record || record.status !== "published") return undefined;
  const fields = catalogFields(record);
  if (!form) return { status: 200, body: catalogPage(login, { version: record, fields, csrf: ctx.csrf }) };
  const who: RequestedResource = {
    name: form.name?.trim() ?? "",
    ...(form.stage?.trim() ? { stage: form.stage.trim() } : {}),
    ...(form.instance !== undefined ? { instance: form.instance.trim() } : {}),
    ...(form.environment !== undefined ? { environment: form.environment.trim() } : {}),
  };
  const answer = await answerCatalogRequest({ version: record, who, form }, { bundleOf: bundleLoader(ctx.artifacts), renderer: ctx.renderer });
  const status = Object.keys(answer.problems).length ? 422 : 200;
  return { status, body: catalogPage(login, { version: record, fields, csrf: ctx.csrf, who, form, answer }) };
}
