// The settings of one `kind: pull-request` entry of `provisioners:`, checked once
// when the provisioner is built, and the names they give: the folder of a
// resource in the infrastructure repository, the branch of a deployment. Also the
// handle a deployment in flight keeps, which carries the callback's report so that
// the deploy flow (the one place that finishes deployments) reads it from `status`.
import { expandPattern, KIND_WORDS, PATTERN_PLACEHOLDERS, settingsEntry } from "./settings-entry.js";
import type { DeploymentOutputs, ResourceRef } from "../../ports/provisioner.js";

export interface PullRequestConfig {
  /** The repository's name (the owner is the deployment's). */
  repository: string;
  /** The owner the setting named (`acme/infrastructure`), checked against each deployment's. */
  repositoryOwner?: string;
  /** The base branch; undefined means the repository's default branch. */
  branch?: string;
  /** The configured pattern; undefined means DEFAULT_PATHS. */
  path?: string;
  /** The check run or commit status on the merge commit that decides; undefined: only the callback does. */
  check?: string;
}

/** Used when `path:` is not set; docs/provisioners.md lists them. An instance's name is unique only within its service. */
export const DEFAULT_PATHS: Record<ResourceRef["kind"], string> = {
  environment: "{kind}/{name}",
  service_instance: "{kind}/{service}/{name}",
  service_pipeline: "{kind}/{service}",
};
const KEYS = ["kind", "repository", "branch", "path", "check"];
const REPOSITORY = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)?$/;
/** Where the deployment's own file goes, inside the resource's folder. */
export const DEPLOYMENT_FILE = ".baryon/deployment.json";

/** Checks one entry as parsed from YAML, for deployments of `owner`; throws ProvisionerConfigError naming every mistake. */
export function parsePullRequestConfig(raw: unknown, name = "pull-request", owner?: string): PullRequestConfig {
  const { entry, errors, done } = settingsEntry(raw, name, "pull-request", KEYS, "`repository:`");
  let repository = "";
  if (typeof entry.repository !== "string" || !REPOSITORY.test(entry.repository)) {
    errors.push(entry.repository === undefined ? "`repository:` is required (the infrastructure repository, like infrastructure or acme/infrastructure)" : `repository ${JSON.stringify(entry.repository)} is not a repository name`);
  } else {
    const [first, second] = entry.repository.split("/");
    repository = second ?? first!;
    // The app's installation is per owner: another owner's repository is out of its reach.
    if (second && owner && first!.toLowerCase() !== owner.toLowerCase()) errors.push(`repository ${entry.repository} belongs to ${first}, not to ${owner}: the infrastructure repository must be of the same owner`);
  }
  for (const key of ["branch", "check"] as const) {
    if (entry[key] !== undefined && (typeof entry[key] !== "string" || !(entry[key] as string).trim())) errors.push(`\`${key}:\` must be a non-empty string`);
  }
  if (entry.path !== undefined) {
    if (typeof entry.path !== "string" || !entry.path.trim()) errors.push("`path:` must be a pattern such as {kind}/{name}");
    else {
      for (const [, placeholder] of entry.path.matchAll(/\{([^}]*)\}/g)) {
        if (!PATTERN_PLACEHOLDERS.includes(placeholder!)) errors.push(`path uses {${placeholder}}; a path pattern may use ${PATTERN_PLACEHOLDERS.map((p) => `{${p}}`).join(", ")}`);
      }
    }
  }
  done();
  const config: PullRequestConfig = { repository };
  const named = (entry.repository as string).split("/");
  if (named.length === 2) config.repositoryOwner = named[0]!;
  if (entry.branch !== undefined) config.branch = entry.branch as string;
  if (entry.path !== undefined) config.path = (entry.path as string).replace(/^\/+|\/+$/g, "");
  if (entry.check !== undefined) config.check = entry.check as string;
  return config;
}

/** The resource's folder in the infrastructure repository, from the pattern. */
export function folderOf(resource: ResourceRef, pattern?: string): { path: string } | { error: string } {
  const template = pattern ?? DEFAULT_PATHS[resource.kind];
  const expanded = expandPattern(template, resource);
  if ("missing" in expanded) return { error: `path pattern "${template}" uses {${expanded.missing}}, which ${KIND_WORDS[resource.kind]} ${resource.name} does not have` };
  const path = expanded.value;
  if (path.split("/").some((part) => part === "" || part === "." || part === ".." || part === ".git")) {
    return { error: `folder "${path}" (from the path pattern "${template}") is not a plain relative folder` };
  }
  return { path };
}

export const branchOf = (deploymentId: string): string => `baryon/deploy-${deploymentId}`;

/** What the infrastructure repository's CI reported through the callback. */
export type CallbackReport =
  | { status: "succeeded"; outputs: DeploymentOutputs }
  | { status: "failed"; reason: string };

export interface PullRequestHandle {
  /** `owner/name`. */
  repository: string;
  pullRequest: number;
  callback?: CallbackReport;
}

export function encodeHandle(handle: PullRequestHandle): string {
  return JSON.stringify(handle);
}

/** The handle `encodeHandle` gave, or undefined for an empty or foreign one. */
export function decodeHandle(handle: string): PullRequestHandle | undefined {
  if (!handle.trim().startsWith("{")) return undefined;
  try {
    const value = JSON.parse(handle) as Partial<PullRequestHandle>;
    if (typeof value.repository !== "string" || typeof value.pullRequest !== "number") return undefined;
    return { repository: value.repository, pullRequest: value.pullRequest, ...(value.callback ? { callback: value.callback } : {}) };
  } catch {
    return undefined;
  }
}
