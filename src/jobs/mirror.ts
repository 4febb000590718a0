// The `mirror` job: register one published version with the legacy AWS Proton
// mirror. It runs after publishing, never inside it, so a slow or failing Proton
// never delays or costs Baryon's own version. The registry says what is left to
// mirror (status "pending"), so a lost job is found again by the resync job.
import { unpackBundle } from "../bundle/archive/archive.js";
import { parseRepository } from "../bundle/parse/repository.js";
import { mirrorFailed } from "../present/publish-reply.js";
import { pullRequestReporter } from "../adapters/github/reporter.js";
import { PermanentJobError } from "../ports/job-queue.js";
import { githubFor, type JobKind } from "./job-kind.js";

export interface MirrorJobData {
  owner: string;
  installationId?: number;
  template: string;
  major: number;
  minor: number;
}

export const mirrorJob: JobKind<MirrorJobData> = {
  name: "mirror",
  id: (d) => `mirror:${d.owner}/${d.template}@${d.major}.${d.minor}`,
  // Proton numbers minors in the order they are created: one template's versions go one at a time.
  key: (d) => `mirror:${d.owner}/${d.template}`,
  async run(data, context) {
    const { adapters } = context;
    const { mirror, registry, artifacts } = adapters;
    if (!mirror) return "no mirror configured";
    const versions = registry.versions({ login: data.owner, ...(data.installationId !== undefined ? { installationId: data.installationId } : {}) });
    const version = await versions.getVersion(data.template, data.major, data.minor);
    if (!version) throw new PermanentJobError(`${data.owner}: ${data.template} ${data.major}.${data.minor} is not in the registry`);
    if (version.mirror?.status !== "pending") return `already ${version.mirror?.status ?? "not to be mirrored"}`;

    const tar = await artifacts.get(version.artifact);
    const files = await unpackBundle(tar);
    const dir = `${version.template}/v${version.major}`;
    const bundle = parseRepository({ files: new Map([...files].map(([path, bytes]) => [`${dir}/${path}`, bytes])) }).templates[0]?.bundles[0];
    if (!bundle) throw new PermanentJobError(`${version.template} ${version.major}.${version.minor}: the stored bundle does not parse`);

    const result = await mirror.publish(version, bundle, tar, version.minor === 0);
    if (result.ok) {
      await versions.setMirrorState(version.template, version.major, version.minor, { status: "done" });
      return `${version.template} ${version.major}.${version.minor} mirrored to ${mirror.name}`;
    }
    await versions.setMirrorState(version.template, version.major, version.minor, { status: "failed", error: result.error });
    const pr = version.source.pullRequest;
    if (pr !== undefined && data.installationId !== undefined && context.probot) {
      const [owner, repo] = version.source.repository.split("/") as [string, string];
      const octokit = await githubFor(context, data.installationId);
      const marker = `<!-- baryon:mirror ${version.template} ${version.major}.${version.minor} -->`;
      await pullRequestReporter(octokit, { owner, repo, number: pr }).ensureComment(marker, `${marker}\n${mirrorFailed(version, mirror.name, result.error)}`);
    }
    return `${version.template} ${version.major}.${version.minor} not mirrored: ${result.error}`;
  },
};
