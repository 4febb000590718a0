// `baryon publish` and `baryon versions`: the publish flow and the registry from
// a terminal, on the embedded defaults (PGlite and a local folder under .baryon/)
// unless DATABASE_URL or BARYON_ARTIFACT_* say otherwise. The adapters come from
// the app's composition root, and new versions go to the AWS Proton mirror
// (BARYON_PROTON_*) through the same mirror job the app runs. A new minor starts
// its rollout, run on in this process until it waits at a gate, halts or ends.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { createMetrics } from "../../adapters/metrics.js";
import { startWorkers } from "../../jobs/catalogue.js";
import type { JobLogger } from "../../jobs/job-kind.js";
import { enqueueMirrors } from "../../jobs/mirror.js";
import { startRollouts } from "../../jobs/rollout.js";
import { followRollouts, printSteps } from "./rollout-commands.js";
import { publishChange, type PublishOutcome } from "../../flows/publish-change.js";
import { publishSummary } from "../../present/publish-reply.js";
import { gitTop, repositoryName, resolveCommit } from "../../adapters/local/git.js";
import { localRepositorySource } from "../../adapters/local/repository-source.js";
import type { VersionRecord } from "../../ports/registry.js";
import { mirrorsOwner } from "../../ports/version-mirror.js";
import { printDiagnostic, UsageError, type Out } from "./output.js";
import { checkoutOwner, openState } from "./state.js";

export interface PublishOptions {
  format: "text" | "json";
  /** Overrides `templates:` in .github/baryon.yml. */
  templates?: string;
}

export async function runPublish(dir: string, options: PublishOptions, out: Out, err: Out): Promise<number> {
  const top = await gitTop(resolve(dir));
  const commit = await resolveCommit(top, "HEAD");
  const source = await localRepositorySource(top, { head: commit });
  const config = await source.config();
  config.diagnostics.forEach((d) => printDiagnostic(err, d));
  if (!config.ok) return 1;
  const templates = options.templates ?? config.config.templates;
  const adapters = await openState(top);
  try {
    const owner = await checkoutOwner(top);
    const { mirror } = adapters;
    // The mirror and rollout jobs, and the resync that finds what an earlier run left unfinished.
    await startWorkers({ adapters, metrics: createMetrics(), log: terminalLog(err), onRolloutStep: printSteps(err) }, { resyncEveryMs: 60 * 60 * 1000 });
    const outcomes = await publishChange(
      { repository: await repositoryName(top), commit, status: config.config.publish, mirror: mirrorsOwner(mirror, owner.login), ...(templates ? { templates } : {}) },
      { head: source.head, versions: adapters.registry.versions(owner), artifacts: adapters.artifacts, renderer: adapters.renderer },
    );
    await enqueueMirrors(adapters, owner, outcomes);
    if (options.format === "json") out.write(JSON.stringify({ commit, outcomes }, null, 2) + "\n");
    else out.write(`${publishSummary(outcomes) ?? "Nothing new to publish."}\n${unchanged(outcomes)}`);
    // Each new minor rolls out now, in this process, until a gate, a halt or the end.
    const starts = await startRollouts(adapters, owner, outcomes, { repository: await repositoryName(top), commit }, config.config.rollout);
    const ids = starts.flatMap((s) => ("rollout" in s ? [s.rollout.id] : []));
    const rolled = await followRollouts(adapters, owner, ids, options.format === "json" ? err : out);
    return outcomes.some((o) => o.result === "refused") || rolled ? 1 : 0;
  } finally {
    await adapters.close();
  }
}

/** The mirror's outcomes and every failure as plain lines on stderr; rollouts print their own steps. */
function terminalLog(err: Out): JobLogger {
  const line = (_fields: object, message: string) => err.write(`baryon: ${message}\n`);
  const info = (fields: object, message: string) => ((fields as { kind?: string }).kind === "mirror" ? line(fields, message) : undefined);
  return { info, warn: line, error: line };
}

function unchanged(outcomes: PublishOutcome[]): string {
  const same = outcomes.flatMap((o) => (o.result === "unchanged" ? [`${o.template} ${o.version}`] : []));
  return same.length ? `Unchanged: ${same.join(", ")}\n` : "";
}

export async function runVersions(template: string, options: { format: "text" | "json"; dir: string }, out: Out): Promise<number> {
  const top = existsSync(join(options.dir, ".git")) ? await gitTop(resolve(options.dir)) : resolve(options.dir);
  const adapters = await openState(top);
  const { registry } = adapters;
  try {
    const owner = await checkoutOwner(top);
    const store = registry.versions(owner);
    const versions = await store.listVersions(template);
    if (versions.length === 0) throw new UsageError(`no versions of "${template}" in the registry of ${owner.login}`);
    const recommended = await store.recommendedVersion(template);
    const isRecommended = (v: VersionRecord) => recommended !== undefined && recommended !== null && v.major === recommended.major && v.minor === recommended.minor;
    if (options.format === "json") {
      out.write(JSON.stringify(versions.map((v) => ({
        version: `${v.major}.${v.minor}`, status: v.status, recommended: isRecommended(v), digest: v.digest, artifact: v.artifact,
        source: v.source, createdAt: v.createdAt, publishedAt: v.publishedAt,
      })), null, 2) + "\n");
      return 0;
    }
    out.write(`${template}\n`);
    for (const v of versions) {
      const source = `${v.source.repository}@${v.source.commit.slice(0, 7)}${v.source.pullRequest ? ` #${v.source.pullRequest}` : ""}`;
      out.write(`  ${`${v.major}.${v.minor}`.padEnd(7)} ${v.status.padEnd(10)} ${v.createdAt.toISOString().slice(0, 10)}  ${source}${isRecommended(v) ? "  (recommended)" : ""}\n`);
    }
    return 0;
  } finally {
    await adapters.close();
  }
}
