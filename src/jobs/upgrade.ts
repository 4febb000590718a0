// The `upgrade-major` job: after a new major of a template is published, open the
// upgrade pull requests on the spec files of the owner's resources that are on an
// older major (src/flows/upgrade-major.ts). One job per owner, template and major;
// an owner's upgrades run one at a time, so two never race for one repository's
// branch. Re-run, it finds the pull requests it opened and opens none again.
import { githubInventoryWriter } from "../adapters/github/inventory-writer.js";
import type { Adapters } from "../compose/adapters.js";
import type { PublishOutcome } from "../flows/publish-change.js";
import { bundleLoader } from "../flows/stored-bundle.js";
import { upgradeMajor, type UpgradeOutcome } from "../flows/upgrade-major.js";
import type { Owner } from "../ports/registry.js";
import { githubFor, submit, type JobKind } from "./job-kind.js";

export interface UpgradeJobData {
  installationId: number;
  owner: string;
  template: string;
  /** The new major. */
  major: number;
}

/** GitHub sends "Acme", the registry stores "acme": one upgrade is one job, whatever the case. */
const login = (d: Pick<UpgradeJobData, "owner">) => d.owner.trim().toLowerCase();

export const upgradeMajorJob: JobKind<UpgradeJobData> = {
  name: "upgrade-major",
  id: (d) => `upgrade-major:${login(d)}/${d.template}@${d.major}`,
  key: (d) => `upgrade:${login(d)}`,
  owner: (d) => d.owner,
  attempts: 5,
  backoffMs: 5000,
  async run(data, context) {
    const octokit = await githubFor(context, data.installationId);
    const owner: Owner = { login: data.owner, installationId: data.installationId };
    const { registry, artifacts } = context.adapters;
    const outcome = await upgradeMajor({
      store: registry.deployments(owner), versions: registry.versions(owner), bundleOf: bundleLoader(artifacts), writer: githubInventoryWriter(octokit),
    }, { template: data.template, major: data.major });
    return describe(outcome);
  },
};

/** A new major queued for its upgrade pull requests, and how many resources are on an older major. */
export interface UpgradeStart {
  template: string;
  major: number;
  resources: number;
}

/**
 * After a publish: each new major (x.0) published whose template has resources on an older
 * major gets its upgrade job, recorded before it is queued so the resync finds a lost one.
 * A retried publish asks again; the job's id makes that a no-op.
 */
export async function startUpgrades(adapters: Adapters, owner: string, outcomes: readonly PublishOutcome[], installationId: number): Promise<UpgradeStart[]> {
  const majors = outcomes.flatMap((o) => (o.result === "published" && o.minor === 0 ? [{ template: o.template, major: o.major }] : []));
  if (majors.length === 0) return [];
  const resources = await adapters.registry.deployments({ login: owner, installationId }).resources();
  const starts: UpgradeStart[] = [];
  for (const { template, major } of majors) {
    const older = resources.filter((r) => r.template.name === template && r.template.major < major).length;
    if (older === 0) continue;
    await submit(adapters, upgradeMajorJob, { installationId, owner, template, major });
    starts.push({ template, major, resources: older });
  }
  return starts;
}

function describe(outcome: UpgradeOutcome): string {
  if (outcome.why) return outcome.why;
  return outcome.repositories.map((r) => {
    const pull = r.pullRequest ? `${r.pullRequest.created ? "opened" : "found"} ${r.pullRequest.url}` : `no pull request: ${r.why}`;
    const todos = r.files.flatMap((f) => f.inputs).filter((i) => i.todo).length;
    return `${r.repository}: ${pull} (${r.files.length} file(s), ${todos} TODO(s)${r.skipped.length ? `, ${r.skipped.length} left to a person` : ""})`;
  }).join("; ");
}
