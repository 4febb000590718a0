// The web console's catalog routes: GET shows a template version's form; POST
// (CSRF-checked by the console) answers it, with the schema's messages or with
// the inventory file and its render, or (the "Open pull request" button) with the
// pull request it opened. Only published versions are offered.
import { proposeCatalogRequest, type CatalogProposal } from "../flows/catalog-proposal.js";
import { answerCatalogRequest, catalogFields } from "../flows/catalog-request.js";
import { bundleLoader } from "../flows/stored-bundle.js";
import type { RequestedResource } from "../inventory/catalog-form.js";
import type { ArtifactStore } from "../ports/artifact-store.js";
import type { InventoryWriter } from "../ports/inventory-writer.js";
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
  /** Who is signed in. */
  user: string;
  /** GitHub as that person: with it, a request can be sent as a pull request on the inventory. */
  writer?: InventoryWriter;
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
  const canPropose = ctx.writer !== undefined;
  if (!form) return { status: 200, body: catalogPage(login, { version: record, fields, csrf: ctx.csrf, canPropose }) };
  const who: RequestedResource = {
    name: form.name?.trim() ?? "",
    ...(form.stage?.trim() ? { stage: form.stage.trim() } : {}),
    ...(form.instance !== undefined ? { instance: form.instance.trim() } : {}),
    ...(form.environment !== undefined ? { environment: form.environment.trim() } : {}),
  };
  const request = { version: record, who, form };
  const ports = { bundleOf: bundleLoader(ctx.artifacts), renderer: ctx.renderer };
  const answer: CatalogProposal = form.intent === "propose" && ctx.writer
    ? await proposeCatalogRequest(request, ctx.user, { ...ports, writer: ctx.writer })
    : await answerCatalogRequest(request, ports);
  const status = Object.keys(answer.problems).length ? 422 : answer.proposal && "refused" in answer.proposal ? 403 : 200;
  return { status, body: catalogPage(login, { version: record, fields, csrf: ctx.csrf, canPropose, who, form, answer }) };
}
