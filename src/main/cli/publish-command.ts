// `baryon publish` and `baryon versions`: the publish flow and the registry from
// a terminal, on the embedded defaults (PGlite and a local folder under .baryon/)
// unless DATABASE_URL or BARYON_ARTIFACT_* say otherwise.
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { artifactStoreConfigFromEnv, createArtifactStore } from "../../adapters/artifacts/index.js";
import { createRenderPool } from "../../jinja/pool.js";
import { publishChange, type PublishOutcome } from "../../flows/publish-change.js";
import { publishSummary } from "../../present/publish-reply.js";
import { checkConfig, CONFIG_PATH, DEFAULT_CONFIG, type RepoConfig } from "../../config/repo-config.js";
import { parseYaml } from "../../bundle/parse/yaml.js";
import { gitTop, readCommit, headCommit, repositoryName } from "../../adapters/local/git-change-source.js";
import { createRegistry } from "../../adapters/registry/index.js";
import type { Registry, VersionRecord } from "../../ports/registry.js";
import { printDiagnostic, type Out } from "./output.js";
import { UsageError } from "./render-command.js";

/** The registry and artifact store a terminal uses: DATABASE_URL / BARYON_* when set, else embedded under `<dir>/.baryon/`. */
async function openState(dir: string): Promise<{ registry: Registry; artifacts: ReturnType<typeof createArtifactStore> }> {
  const env = process.env;
  const registry = await createRegistry(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : { dataDir: env.BARYON_DATA_DIR ?? join(dir, ".baryon/registry") });
  const fromEnv = artifactStoreConfigFromEnv(env);
  const artifacts = createArtifactStore(fromEnv.s3 || fromEnv.dir ? fromEnv : { dir: join(dir, ".baryon/artifacts") });
  return { registry, artifacts };
}

function localConfig(top: string, err: Out): RepoConfig | undefined {
  const path = join(top, CONFIG_PATH);
  if (!existsSync(path)) return DEFAULT_CONFIG;
  const text = readFileSync(path, "utf8");
  const parsed = parseYaml(CONFIG_PATH, text);
  const result = parsed.diagnostics.length ? { ok: false as const, diagnostics: parsed.diagnostics } : checkConfig(parsed.value, text);
  if (result.ok) return result.config;
  result.diagnostics.forEach((d) => printDiagnostic(err, d));
  return undefined;
}

export async function runPublish(dir: string, options: { format: "text" | "json" }, out: Out, err: Out): Promise<number> {
  const top = await gitTop(resolve(dir));
  const config = localConfig(top, err);
  if (!config) return 1;
  const commit = await headCommit(top);
  const { registry, artifacts } = await openState(top);
  const renderer = createRenderPool();
  try {
    const outcomes = await publishChange(
      { repository: await repositoryName(top), commit, status: config.publish, ...(config.templates ? { root: config.templates } : {}) },
      { head: () => readCommit(top, commit), registry, artifacts, renderer },
    );
    if (options.format === "json") out.write(JSON.stringify({ commit, outcomes }, null, 2) + "\n");
    else out.write(`${publishSummary(outcomes) ?? "Nothing new to publish."}\n${unchanged(outcomes)}`);
    return outcomes.some((o) => o.result === "refused") ? 1 : 0;
  } finally {
    await Promise.all([registry.close(), renderer.close()]);
  }
}

function unchanged(outcomes: PublishOutcome[]): string {
  const same = outcomes.flatMap((o) => (o.result === "unchanged" ? [`${o.template} ${o.version}`] : []));
  return same.length ? `Unchanged: ${same.join(", ")}\n` : "";
}

export async function runVersions(template: string, options: { format: "text" | "json"; dir: string }, out: Out): Promise<number> {
  const top = existsSync(join(options.dir, ".git")) ? await gitTop(resolve(options.dir)) : resolve(options.dir);
  const { registry } = await openState(top);
  try {
    const versions = await registry.listVersions(template);
    if (versions.length === 0) throw new UsageError(`no versions of "${template}" in the registry`);
    const recommended = await registry.recommendedVersion(template);
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
    await registry.close();
  }
}
