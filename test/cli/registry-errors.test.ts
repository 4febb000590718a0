// What a person sees when the registry cannot be used: which one, that nothing was changed,
// how to recover, and an exit code of its own (3 unreadable, 4 unreachable, 5 newer) —
// from publish, check, versions and serve alike, never a stack or WebAssembly's own words.
import { generateKeyPairSync } from "node:crypto";
import { cpSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import { baryon, ROOT, type CliResult } from "../support/cli.js";
import { gitRepo } from "../support/git-repo.js";
import { closedPort, damagedCopy, fingerprint, healthyDataDir } from "../registry/support/damaged-registry.js";
import { uniqueSchema } from "../registry/helpers.js";

const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** Runs baryon with these variables set (the helper passes this process's environment on). */
async function baryonWith(env: Record<string, string>, args: string[]): Promise<CliResult> {
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env);
  try {
    return await baryon(args);
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

function templatesCheckout(): string {
  const repo = gitRepo();
  cpSync(join(ROOT, "examples/templates/fargate-env"), join(repo.dir, "fargate-env"), { recursive: true });
  repo.commit("fargate-env");
  return repo.dir;
}

function expectNoEngineNoise(r: CliResult): void {
  expect(r.stderr + r.stdout).not.toMatch(/Aborted\(|ASSERTIONS|RuntimeError|\n\s+at /);
}

describe("baryon on a registry that cannot be used", () => {
  let healthy: string;
  let repo: string;
  beforeAll(async () => {
    ({ dataDir: healthy } = await healthyDataDir());
    repo = templatesCheckout();
  }, 60_000);

  it("a damaged data directory: publish, check and versions exit 3, say how to recover, and change no byte", async () => {
    const dataDir = damagedCopy(healthy, "a relation file truncated");
    const before = fingerprint(dataDir);
    for (const args of [["publish", repo], ["check", repo], ["versions", "fargate-env", "--dir", repo]]) {
      const r = await baryonWith({ BARYON_DATA_DIR: dataDir }, args);
      expect(r.code, args[0]).toBe(3);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(new RegExp(
        `^baryon: the registry in ${dataDir} cannot be read: could not read blocks 3\\.\\.3 in file "base/5/1255": read only 0 of 8192 bytes\\. Nothing was changed\\.\n` +
          "Restore it from a backup, or move it aside and run the command again to start a new, empty registry:\n" +
          `  mv ${dataDir} ${dataDir}\\.damaged-\\d{8}-\\d{6}\n$`,
      ));
      expectNoEngineNoise(r);
      expect(fingerprint(dataDir)).toBe(before);
    }
  }, 120_000);

  it("the mv it prints works: the damaged registry kept aside, the next publish starts a new one", async () => {
    const dataDir = damagedCopy(healthy, "pg_control garbled");
    const before = fingerprint(dataDir);
    const r = await baryonWith({ BARYON_DATA_DIR: dataDir }, ["publish", repo]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("cannot be read: PGlite could not start on its files. Nothing was changed.");
    expectNoEngineNoise(r);
    const [, from, to] = /\n {2}mv (\S+) (\S+)\n$/.exec(r.stderr)!;
    expect(from).toBe(dataDir);
    renameSync(from!, to!);
    expect(fingerprint(to!)).toBe(before);
    const again = await baryonWith({ BARYON_DATA_DIR: dataDir, BARYON_ARTIFACT_DIR: `${dataDir}-artifacts` }, ["publish", repo]);
    expect(again.stderr).toBe("");
    expect(again.stdout).toBe("Published fargate-env 1.0\n");
  }, 120_000);

  it("a file where the data directory should be, and a folder of other files: exit 3, left as they were", async () => {
    const file = join(repo, "not-a-dir");
    writeFileSync(file, "x\n");
    const r1 = await baryonWith({ BARYON_DATA_DIR: file }, ["publish", repo]);
    expect([r1.code, r1.stderr.split("\n")[0]]).toEqual([3, `baryon: the registry in ${file} cannot be read: it is a file, not a directory. Nothing was changed.`]);
    expect(readFileSync(file, "utf8")).toBe("x\n");
    const examples = join(ROOT, "examples");
    const before = fingerprint(examples);
    const r2 = await baryonWith({ BARYON_DATA_DIR: examples }, ["check", repo]);
    expect(r2.code).toBe(3);
    expect(fingerprint(examples)).toBe(before);
    expect(r2.stderr).toMatch(/cannot be read: it holds other files \(.*\), not a registry: there is no PG_VERSION\. Nothing was changed\./);
  }, 60_000);

  it("a Postgres nobody answers at: exit 4, host:port and what to check", async () => {
    const port = await closedPort();
    for (const args of [["publish", repo], ["check", repo]]) {
      const r = await baryonWith({ DATABASE_URL: `postgres://baryon:s3cret@127.0.0.1:${port}/registry` }, args);
      expect(r.code, args[0]).toBe(4);
      expect(r.stderr).toBe(
        `baryon: cannot reach the registry's Postgres at 127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}. Nothing was changed.\nCheck DATABASE_URL and that the server is running.\n`,
      );
    }
  }, 60_000);

  it("a Postgres registry a newer Baryon migrated: exit 5, upgrade Baryon, nothing run on it", async () => {
    const schema = uniqueSchema();
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA ${schema}`);
      await admin.query(`CREATE TABLE ${schema}.schema_migrations (name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      await admin.query(`INSERT INTO ${schema}.schema_migrations (name, checksum) VALUES ('999-from-a-newer-baryon.sql', 'x')`);
      const url = `${DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
      for (const args of [["publish", repo], ["check", repo]]) {
        const r = await baryonWith({ DATABASE_URL: url }, args);
        expect(r.code, args[0]).toBe(5);
        expect(r.stderr).toBe("baryon: the registry was migrated by a newer Baryon (migration 999-from-a-newer-baryon.sql); upgrade Baryon. Nothing was changed.\n");
      }
      const tables = await admin.query("SELECT table_name FROM information_schema.tables WHERE table_schema = $1", [schema]);
      expect(tables.rows).toEqual([{ table_name: "schema_migrations" }]);
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    }
  }, 60_000);

  it("baryon serve stops at start with the same words, logged, and exit 3", async () => {
    const dataDir = damagedCopy(healthy, "pg_control truncated");
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
    const r = await baryonWith({ BARYON_DATA_DIR: dataDir, APP_ID: "1", PRIVATE_KEY: privateKey, WEBHOOK_SECRET: "s", PORT: "0" }, ["serve"]);
    expect(r.code).toBe(3);
    const said = `the registry in ${dataDir} cannot be read: global/pg_control is damaged. Nothing was changed.`;
    expect(r.stderr.startsWith(`baryon: ${said}\n`)).toBe(true);
    const logged = r.stdout.trim().split("\n").map((line) => JSON.parse(line) as { level: number; msg: string });
    expect(logged.find((line) => line.level === 60)?.msg).toMatch(new RegExp(`^${said.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\n`));
    expectNoEngineNoise(r);
  }, 60_000);
});
