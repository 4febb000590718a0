// A new major starts no rollout: each repository holding spec files of resources
// on an older major gets one pull request that moves them to it.
//   1. read the new major's recommended version and, from its stored bundle, its schema;
//   2. find the owner's resources on an older major of the template and group them by
//      the repository that holds their spec file (`<repo>:<path>` is another repository's);
//   3. per repository: read those files on its default branch, upgrade them
//      (src/inventory/upgrade.ts), and open one pull request with the files that
//      changed, on a branch named for the template and major: a retry, a redelivery
//      or a second publish finds it and opens nothing new.
import type { Bundle } from "../bundle/model.js";
import { upgradeSpecFiles, type SpecUpgrade, type UpgradedFile } from "../inventory/upgrade.js";
import type { DeploymentStore, ResourceRecord } from "../ports/deployment-store.js";
import type { InventoryWriter, ProposedChange } from "../ports/inventory-writer.js";
import type { VersionRecord, VersionStore } from "../ports/registry.js";

export interface UpgradePorts {
  store: DeploymentStore;
  versions: VersionStore;
  /** A stored version's bundle (the artifact store, read back). */
  bundleOf(version: VersionRecord): Promise<Bundle>;
  writer: InventoryWriter;
}

export interface UpgradeInput {
  template: string;
  /** The new major. */
  major: number;
}

/** What happened in one repository: its pull request, or why it has none. */
export interface RepositoryUpgrade {
  /** "owner/name". */
  repository: string;
  /** Keys of the resources on an older major whose spec files are there. */
  resources: string[];
  pullRequest?: ProposedChange;
  files: UpgradedFile[];
  /** Files Baryon could not edit, and why (listed in the pull request too). */
  skipped: SpecUpgrade["skipped"];
  why?: string;
}

export interface UpgradeOutcome {
  /** `net 2.0`: the version whose schema the upgrade follows. */
  version?: string;
  repositories: RepositoryUpgrade[];
  /** Why nothing was done at all. */
  why?: string;
}

export const upgradeBranch = (template: string, major: number): string => `baryon/upgrade-${template}-${major}`;

export async function upgradeMajor(ports: UpgradePorts, input: UpgradeInput): Promise<UpgradeOutcome> {
  const { template, major } = input;
  const version = await ports.versions.recommendedVersion(template, major);
  if (!version) return { repositories: [], why: `no version of ${template}@${major} is published` };
  const label = `${template} ${version.major}.${version.minor}`;
  const all = await ports.store.resources();
  const older = all.filter((r) => r.template.name === template && r.template.major < major);
  if (older.length === 0) return { version: label, repositories: [], why: `no resource is on an older major of ${template}` };
  const bundle = await ports.bundleOf(version);
  const target = { template, kind: bundle.kind, major, minor: version.minor, schema: bundle.schema };

  const byRepository = new Map<string, Map<string, ResourceRecord[]>>();
  for (const resource of older) {
    const { repository, path } = specFileOf(resource);
    const files = byRepository.get(repository) ?? new Map<string, ResourceRecord[]>();
    byRepository.set(repository, files.set(path, [...(files.get(path) ?? []), resource]));
  }

  const repositories: RepositoryUpgrade[] = [];
  for (const [repository, files] of byRepository) {
    const resources = [...files.values()].flat().map((r) => r.key);
    const done = (rest: Partial<RepositoryUpgrade>): number => repositories.push({ repository, resources, files: [], skipped: [], ...rest });
    const read = await ports.writer.readFiles(repository, [...files.keys()]);
    if ("refused" in read) {
      done({ why: read.refused });
      continue;
    }
    const upgrade = upgradeSpecFiles(read.map((f) => ({ file: f.path, text: f.text })), target);
    if (upgrade.files.length === 0) {
      done({ skipped: upgrade.skipped, why: upgrade.skipped.length ? "no spec file could be edited" : `the spec files no longer name an older major of ${template}` });
      continue;
    }
    const moved = upgrade.files.flatMap((f) => files.get(f.file) ?? []).filter((r) => r.kind === "environment").map((r) => r.name);
    const blocked = await incompatibleInstances(ports, all, new Set(moved), { template, major });
    const body = upgradeBody({ template, major, label }, upgrade, files, blocked);
    const opened = await ports.writer.proposeChange(repository, upgradeBranch(template, major),
      upgrade.files.map((f) => ({ path: f.file, text: f.text })), `Upgrade to ${template}@${major}`, body);
    if ("refused" in opened) done({ files: upgrade.files, skipped: upgrade.skipped, why: opened.refused });
    else done({ pullRequest: opened, files: upgrade.files, skipped: upgrade.skipped });
  }
  return { version: label, repositories };
}

/** A service instance living in an environment the upgrade moves, whose template does not list the new major as compatible. */
export interface BlockedInstance {
  key: string;
  /** `api@1`. */
  template: string;
  environment: string;
}

/** The instances in `environments` whose template version (their pin, or their major's recommended) is not compatible with the new major. */
async function incompatibleInstances(ports: UpgradePorts, resources: readonly ResourceRecord[], environments: ReadonlySet<string>, to: UpgradeInput): Promise<BlockedInstance[]> {
  const blocked: BlockedInstance[] = [];
  for (const r of resources) {
    if (r.kind !== "service_instance" || !r.environment || !environments.has(r.environment)) continue;
    const { name, major, minor } = r.template;
    const version = minor === undefined ? await ports.versions.recommendedVersion(name, major) : await ports.versions.getVersion(name, major, minor);
    const compatible = version ? (await ports.bundleOf(version)).compatibleEnvironments : [];
    if (!compatible.some((c) => c.name === to.template && c.major === to.major)) blocked.push({ key: r.key, template: `${name}@${major}`, environment: r.environment });
  }
  return blocked;
}

/** The repository and path of a resource's spec file: its source's, or the other repository its `<repo>:` prefix names. */
function specFileOf(resource: ResourceRecord): { repository: string; path: string } {
  const file = resource.declared.file;
  const colon = file.indexOf(":");
  if (colon < 0) return { repository: resource.source, path: file };
  const owner = resource.source.slice(0, resource.source.indexOf("/"));
  return { repository: `${owner}/${file.slice(0, colon)}`, path: file.slice(colon + 1) };
}

/** What the pull request says: what changed, what to fill in, and how it is reviewed. */
export function upgradeBody(
  to: { template: string; major: number; label: string }, upgrade: SpecUpgrade, resourcesByFile: ReadonlyMap<string, ResourceRecord[]>, blocked: readonly BlockedInstance[] = [],
): string {
  const { template, major, label } = to;
  const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;
  const keys = (file: string) => (resourcesByFile.get(file) ?? []).map((r) => code(r.key)).join(", ");
  const written = upgrade.files.flatMap((f) => f.inputs.map((i) => ({ file: f.file, ...i })));
  const todos = written.filter((i) => i.todo);
  const defaults = written.filter((i) => !i.todo);
  const lines = [
    `<!-- baryon:upgrade ${template}@${major} -->`,
    `Baryon published **${label}**, a new major. A new major is not rolled out: resources move to it when their spec files say so, and this pull request does that for this repository's spec files.`,
    "",
    "| spec file | was | now | resources |",
    "| --- | --- | --- | --- |",
    ...upgrade.files.map((f) => `| ${code(f.file)} | ${code(f.from)} | ${code(`${template}@${major}`)} | ${keys(f.file)} |`),
  ];
  if (todos.length) {
    lines.push("", `**To do before merging**: ${label} requires ${todos.length === 1 ? "an input these specs do not give and that has" : "inputs these specs do not give and that have"} no default. Each is written as \`TODO\`, and the inventory review fails until it is set:`, "");
    lines.push(...todos.map((i) => `- [ ] ${code(i.input)} of ${i.of} — ${code(`${i.file}:${i.line}`)}`));
  }
  if (defaults.length) {
    lines.push("", `Required by ${label} and written with the schema's default (change it if the default is wrong for you):`, "");
    lines.push(...defaults.map((i) => `- ${code(`${i.input}: ${JSON.stringify(i.value)}`)} for ${i.of} — ${code(`${i.file}:${i.line}`)}`));
  }
  if (blocked.length) {
    lines.push("", `**Not compatible**: these service instances live in environments this pull request moves to ${template}@${major}, and their templates do not list ${template}@${major} as a compatible environment. The review fails until each moves to a version that does:`, "");
    lines.push(...blocked.map((b) => `- ${code(b.key)} (${code(b.template)}) in ${code(b.environment)}`));
  }
  if (upgrade.skipped.length) {
    lines.push("", "**Not changed** — upgrade these by hand:", "");
    lines.push(...upgrade.skipped.map((s) => `- ${code(s.file)} (${keys(s.file)}): ${s.reason}`));
  }
  lines.push("", `Baryon reviews this pull request like any inventory change: its review comment checks each spec against ${label}'s schema and renders each resource at ${label} against what is deployed now. Merging it is an inventory change like any other. Close it to stay on the old major; Baryon does not open it again for ${template}@${major}.`);
  return `${lines.join("\n")}\n`;
}
