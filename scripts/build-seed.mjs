// The embedded registry's seed (src/adapters/registry/seed.ts): a cluster made by
// initdb and migrated, dumped by PGlite as a gzipped tar beside the compiled registry.
// Run after tsc, from the compiled code, so the seed holds exactly dist's migrations.
import { writeFile } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";

const dist = new URL("../dist/adapters/registry/", import.meta.url);
const { registryOnPglite } = await import(new URL("pglite.js", dist).href);
const { SEED_PATH } = await import(new URL("seed.js", dist).href);

// Postgres' default 128 MB of shared buffers is most of PGlite's memory; a registry's hot
// pages fit in far less. Written into the seed's postgresql.conf, never into an existing one.
const instance = await PGlite.create({ postgresqlconf: "shared_buffers=16MB" });
const registry = await registryOnPglite(instance);
await registry.close();
const dump = await instance.dumpDataDir("gzip");
await instance.close();
await writeFile(SEED_PATH, Buffer.from(await dump.arrayBuffer()));
