import { gzipSync } from "node:zlib";
import tar from "tar-stream";
import { describe, expect, it } from "vitest";
import { readTarball } from "../../src/adapters/github/tarball.js";

async function tarball(entries: { name: string; content?: string | Buffer; type?: "file" | "symlink" | "directory"; linkname?: string }[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) {
    if (e.type === "symlink" || e.type === "directory") pack.entry({ name: e.name, type: e.type, ...(e.linkname ? { linkname: e.linkname } : {}) });
    else pack.entry({ name: e.name }, e.content ?? "");
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

describe("readTarball", () => {
  it("strips GitHub's top folder and keeps files and symlinks", async () => {
    const body = await tarball([
      { name: "acme-templates-1a2b3c4/", type: "directory" },
      { name: "acme-templates-1a2b3c4/env/v1/schema/schema.yaml", content: "schema: {}\n" },
      { name: "acme-templates-1a2b3c4/README.md", content: "# hi\n" },
      { name: "acme-templates-1a2b3c4/env/v1/link.yaml", type: "symlink", linkname: "/etc/passwd" },
    ]);
    const snapshot = await readTarball(body);
    expect([...snapshot.files.keys()].sort()).toEqual(["README.md", "env/v1/schema/schema.yaml"]);
    // Bundle files keep their content; other files only a digest that tells changes apart.
    expect(Buffer.from(snapshot.files.get("env/v1/schema/schema.yaml")!).toString()).toBe("schema: {}\n");
    expect(snapshot.files.get("README.md")!.length).toBe(32);
    expect([...snapshot.symlinks!]).toEqual([["env/v1/link.yaml", "/etc/passwd"]]);
  });

  it("keeps only the templates folder, and the repository config", async () => {
    const body = await tarball([
      { name: "r-1/templates/env/v1/schema/schema.yaml", content: "a" },
      { name: "r-1/src/app.ts", content: "b" },
      { name: "r-1/.github/baryon.yml", content: "templates: templates\n" },
    ]);
    const snapshot = await readTarball(body, { templates: "templates/" });
    expect([...snapshot.files.keys()].sort()).toEqual([".github/baryon.yml", "templates/env/v1/schema/schema.yaml"]);
  });

  it("keeps the inventory folders' YAML files whole beside the templates folder", async () => {
    const spec = "proton: EnvironmentSpec\ntemplate: env@1\nstage: test\n";
    const body = await tarball([
      { name: "r-1/templates/env/v1/schema/schema.yaml", content: "a" },
      { name: "r-1/fleet/environments/dev.yaml", content: spec },
      { name: "r-1/fleet/notes.md", content: "not inventory" },
      { name: "r-1/src/app.ts", content: "b" },
    ]);
    const snapshot = await readTarball(body, { templates: "templates", inventory: ["fleet"] });
    expect([...snapshot.files.keys()].sort()).toEqual(["fleet/environments/dev.yaml", "templates/env/v1/schema/schema.yaml"]);
    expect(new TextDecoder().decode(snapshot.files.get("fleet/environments/dev.yaml"))).toBe(spec);
  });

  it("keeps only the head of a huge file: enough to report it as too large", async () => {
    const big = Buffer.alloc(7 * 1024 * 1024, 0x61);
    const snapshot = await readTarball(await tarball([{ name: "r-1/env/v1/big.yaml", content: big }]));
    expect(snapshot.files.get("env/v1/big.yaml")!.length).toBe(5 * 1024 * 1024 + 1);
  });

  it("refuses to hold more than its budget, with a message that says what to do", async () => {
    const big = Buffer.alloc(5 * 1024 * 1024, 0x61);
    const entries = Array.from({ length: 14 }, (_, i) => ({ name: `r-1/t${i}/v1/big.yaml`, content: big }));
    await expect(readTarball(await tarball(entries))).rejects.toThrow(/more than 64 MB.*set `templates:` in .github\/baryon.yml/);
  });

  it("rejects a body that is not a gzip'd tar", async () => {
    await expect(readTarball(Buffer.from("not a tarball"))).rejects.toThrow();
  });
});
