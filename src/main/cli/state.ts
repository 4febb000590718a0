// The registry and artifact store a terminal uses, and whose versions it sees:
// DATABASE_URL, else BARYON_DATA_DIR, else embedded under `<checkout>/.baryon/`;
// the owner is the account of the checkout's `origin` on GitHub, or `local`.
import { join, resolve } from "node:path";
import { artifactStoreConfigFromEnv } from "../../adapters/artifacts/index.js";
import { repositoryOwner } from "../../adapters/local/git.js";
import { createRegistry, inspectDataDir } from "../../adapters/registry/index.js";
import { composeAdapters, type Adapters } from "../../compose/adapters.js";
import { settingsFromEnv } from "../../compose/settings.js";
import type { Owner, Registry } from "../../ports/registry.js";
import { UsageError } from "./output.js";

type Env = Record<string, string | undefined>;

function registryPlace(top: string, env: Env): { databaseUrl: string; dataDir?: undefined } | { dataDir: string } {
  if (env.DATABASE_URL) return { databaseUrl: env.DATABASE_URL };
  // Absolute, so that messages about it (and the `mv` they suggest) work from any folder.
  return { dataDir: resolve(env.BARYON_DATA_DIR ?? join(top, ".baryon/registry")) };
}

/**
 * Everything publish and versions use, from the one composition root the app uses too:
 * the registry (created on first use), the artifact store, the render pool, the AWS
 * Proton mirror when BARYON_PROTON_* is set, and an in-process job queue.
 */
export async function openState(top: string, env: Env = process.env): Promise<Adapters> {
  // A terminal runs its jobs itself: REDIS_URL is for the app's workers.
  const { settings, errors } = settingsFromEnv({ ...env, REDIS_URL: undefined });
  if (!settings) throw new UsageError(errors.join("; "));
  const fromEnv = artifactStoreConfigFromEnv(env);
  return composeAdapters({
    ...settings,
    ...registryPlace(top, env),
    artifacts: fromEnv.s3 || fromEnv.dir ? fromEnv : { dir: join(top, ".baryon/artifacts") },
  });
}

/**
 * The same registry when one exists already, up to date; undefined otherwise: looking never
 * creates or upgrades one (a shared Postgres is upgraded by the servers, not by a terminal).
 * Throws MigrationError for a registry older than this Baryon, and a RegistryUnavailableError
 * for one that cannot be used at all.
 */
export async function existingRegistry(top: string, env: Env = process.env): Promise<Registry | undefined> {
  const place = registryPlace(top, env);
  if (place.dataDir !== undefined && (await inspectDataDir(place.dataDir)) !== "cluster") return undefined;
  return createRegistry({ ...place, migrate: false });
}

/** Two checkouts of different GitHub owners number their templates apart, even in one registry. */
export async function checkoutOwner(top: string): Promise<Owner> {
  return { login: await repositoryOwner(top) };
}
