// The registry and artifact store a terminal uses, and whose versions it sees:
// DATABASE_URL, else BARYON_DATA_DIR, else embedded under `<checkout>/.baryon/`;
// the owner is the account of the checkout's `origin` on GitHub, or `local`.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { artifactStoreConfigFromEnv, createArtifactStore } from "../../adapters/artifacts/index.js";
import { repositoryOwner } from "../../adapters/local/git.js";
import { createRegistry } from "../../adapters/registry/index.js";
import type { ArtifactStore } from "../../ports/artifact-store.js";
import type { Owner, Registry } from "../../ports/registry.js";

type Env = Record<string, string | undefined>;

function registryPlace(top: string, env: Env): { databaseUrl: string; dataDir?: undefined } | { dataDir: string } {
  if (env.DATABASE_URL) return { databaseUrl: env.DATABASE_URL };
  return { dataDir: env.BARYON_DATA_DIR ?? join(top, ".baryon/registry") };
}

/** The registry publish and versions write and read, created on first use. */
export function openRegistry(top: string, env: Env = process.env): Promise<Registry> {
  return createRegistry(registryPlace(top, env));
}

/** The same registry when one exists already; undefined otherwise: looking never creates one. */
export async function existingRegistry(top: string, env: Env = process.env): Promise<Registry | undefined> {
  const place = registryPlace(top, env);
  if (place.dataDir !== undefined && !existsSync(place.dataDir)) return undefined;
  return createRegistry(place);
}

export function openArtifacts(top: string, env: Env = process.env): ArtifactStore {
  const fromEnv = artifactStoreConfigFromEnv(env);
  return createArtifactStore(fromEnv.s3 || fromEnv.dir ? fromEnv : { dir: join(top, ".baryon/artifacts") });
}

/** Two checkouts of different GitHub owners number their templates apart, even in one registry. */
export async function checkoutOwner(top: string): Promise<Owner> {
  return { login: await repositoryOwner(top) };
}
