// A catalog request sent for real: the inventory file it makes is proposed as a
// pull request on the inventory repository (GitOps: nothing is deployed before a
// reviewed merge). Where the inventory lives is what the template repository's
// `.github/baryon.yml` says; the writer acts as the person asking, so GitHub
// decides whether they may. One branch per requested resource: sending the
// same request again updates its pull request instead of opening a second.
import { parseYaml } from "../bundle/parse/yaml.js";
import { checkConfig, CONFIG_PATH, DEFAULT_CONFIG, type InventoryLocation } from "../config/repo-config.js";
import type { InventoryWriter, ProposedChange, Refused } from "../ports/inventory-writer.js";
import { answerCatalogRequest, type CatalogAnswer, type CatalogPorts, type CatalogRequest } from "./catalog-request.js";

export interface ProposalPorts extends CatalogPorts {
  writer: InventoryWriter;
}

export interface CatalogProposal extends CatalogAnswer {
  /** The pull request, or why there is none; absent when the request itself has problems. */
  proposal?: ProposedChange | Refused;
}

/** `by`: who asked (named in the pull request). */
export async function proposeCatalogRequest(request: CatalogRequest, by: string, ports: ProposalPorts): Promise<CatalogProposal> {
  const answer = await answerCatalogRequest(request, ports);
  if (!answer.file || Object.keys(answer.problems).length) return answer;
  const { version, who } = request;
  const source = version.source.repository;

  const config = await ports.writer.readFiles(source, [CONFIG_PATH]);
  if ("refused" in config) return { ...answer, proposal: config };
  const location = inventoryLocation(config[0]?.text);
  if ("refused" in location) return { ...answer, proposal: { refused: `${source}: ${location.refused}` } };
  const repository = location.repository ? `${source.split("/")[0]}/${location.repository}` : source;
  const path = `${location.path}/${answer.file.path}`;

  const existing = await ports.writer.readFiles(repository, [path]);
  if ("refused" in existing) return { ...answer, proposal: existing };
  if (existing.length) return { ...answer, problems: { name: `${repository} has ${path} already: choose another name` } };

  const what = version.kind === "environment" ? `environment ${who.name}` : `service ${who.name}`;
  const title = `Add ${what} (${version.template} ${version.major}.x)`;
  const body = [
    `@${by} asked for ${what} in Baryon's catalog, from ${version.template} ${version.major}.${version.minor}.`,
    "",
    "Baryon reviews this pull request like any inventory change; merging it deploys the new resource.",
  ].join("\n");
  const branch = `baryon/catalog/${version.kind}-${who.name}`;
  const proposal = await ports.writer.proposeChange(repository, branch, [{ path, text: answer.file.text }], title, body);
  return { ...answer, file: { path, text: answer.file.text }, proposal };
}

/** The first inventory folder the config names (the default without a config), or why it cannot be read. */
function inventoryLocation(text: string | undefined): InventoryLocation | Refused {
  if (text === undefined) return DEFAULT_CONFIG.inventory[0]!;
  const parsed = parseYaml(CONFIG_PATH, text);
  const checked = parsed.diagnostics.length ? undefined : checkConfig(parsed.value, text);
  if (!checked?.ok) return { refused: `${CONFIG_PATH} does not pass Baryon's check; fix it first` };
  return checked.config.inventory[0] ?? DEFAULT_CONFIG.inventory[0]!;
}
