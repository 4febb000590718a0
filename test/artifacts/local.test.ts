import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/bundle/archive/archive.js";
import { createLocalArtifactStore } from "../../src/adapters/artifacts/local.js";
import { DEFAULT_MAX_TAR_BYTES } from "../../src/adapters/artifacts/stored-form.js";
import { ArtifactTooLargeError } from "../../src/ports/artifact-store.js";
import { describeArtifactStore } from "./conformance.js";

const digestOf = (text: string): string => sha256Hex(new TextEncoder().encode(text));

describeArtifactStore("local directory", {
  exclusiveCreate: true,
  async setup(options = {}) {
    const dir = await mkdtemp(join(tmpdir(), "baryon-artifacts-"));
    const other = `${dir}-other`;
    return {
      store: createLocalArtifactStore({ dir, ...options }),
      locationOf: (digest) => pathToFileURL(join(dir, "bundles", "sha256", `${digest}.tar.gz`)).href,
      readRaw: (location) => readFile(fileURLToPath(location)),
      async writeRaw(location, bytes) {
        await mkdir(dirname(fileURLToPath(location)), { recursive: true });
        await writeFile(fileURLToPath(location), bytes);
      },
      foreignLocations: [
        pathToFileURL(join(other, "bundles", "sha256", `${digestOf("x")}.tar.gz`)).href,
        pathToFileURL(join(dir, "bundles", "sha256", "..", "..", "..", "elsewhere.tar.gz")).href,
        pathToFileURL(join(dir, "notes.txt")).href,
      ],
      teardown: () => rm(dir, { recursive: true, force: true }),
    };
  },
});

describe("local artifact store", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "baryon-artifacts-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("lays bundles out by digest and leaves no temp file behind", async () => {
    const store = createLocalArtifactStore({ dir });
    const bytes = new TextEncoder().encode("laid out");
    const digest = sha256Hex(bytes);
    await Promise.all([store.put(digest, bytes), store.put(digest, bytes), store.put(digest, bytes)]);
    expect(await readdir(join(dir, "bundles", "sha256"))).toEqual([`${digest}.tar.gz`]);
  });

  it("refuses a gzip bomb at the default limit", async () => {
    const inflated = new Uint8Array(DEFAULT_MAX_TAR_BYTES + 1024 * 1024);
    const bomb = gzipSync(inflated);
    const path = join(dir, "bundles", "sha256", `${sha256Hex(inflated)}.tar.gz`);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, bomb);
    await expect(createLocalArtifactStore({ dir }).get(pathToFileURL(path).href)).rejects.toBeInstanceOf(ArtifactTooLargeError);
  });

  it("shares stored bundles between store instances on one folder", async () => {
    const bytes = new TextEncoder().encode("shared");
    const first = await createLocalArtifactStore({ dir }).put(sha256Hex(bytes), bytes);
    const second = await createLocalArtifactStore({ dir: `${dir}/` }).put(sha256Hex(bytes), bytes);
    expect(second).toEqual({ location: first.location, created: false });
  });
});
