import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { gzipDeterministic } from "../../src/bundle/archive/gzip.js";

const text = readFileSync(join(import.meta.dirname, "..", "..", "package-lock.json"));

/** Random 7-bit bytes (cheap as fixed-code literals), with 1,000 of them repeated `distance` bytes later. */
function windowCase(distance: number): Uint8Array {
  const bytes = randomBytes(distance + 1000).map((b) => b & 0x7f);
  bytes.copyWithin(distance, 0, 1000);
  return bytes;
}

describe("gzipDeterministic", () => {
  const cases: Array<[string, Uint8Array]> = [
    ["empty", new Uint8Array(0)],
    ["one byte", Uint8Array.of(0xff)],
    ["a long run (matches of 258 and distance 1)", new Uint8Array(100_000).fill(97)],
    ["text", text],
    ["random bytes (stored blocks)", randomBytes(200_000)],
    ["exactly one stored block", randomBytes(65_535)],
    ["text then random then text", Buffer.concat([text.subarray(0, 40_000), randomBytes(70_000), text.subarray(0, 40_000)])],
    ["a repeat at distance 32768, the window's edge", windowCase(32_768)],
    ["a repeat at distance 32769, past the window", windowCase(32_769)],
  ];

  it.each(cases)("round-trips through zlib's gunzip: %s", (_, input) => {
    expect(Buffer.compare(gunzipSync(gzipDeterministic(input)), Buffer.from(input))).toBe(0);
  });

  it("writes a fixed header: no name, mtime 0, XFL 0, OS 255", () => {
    expect([...gzipDeterministic(text).subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
  });

  it("gives the same bytes every time, and compresses text", () => {
    const first = gzipDeterministic(text);
    expect(Buffer.compare(first, gzipDeterministic(Buffer.from(text)))).toBe(0);
    expect(first.length).toBeLessThan(text.length / 2);
    // Fixed Huffman codes cost something against zlib's dynamic ones; keep it bounded.
    expect(first.length).toBeLessThan(gzipSync(text, { level: 9 }).length * 1.5);
  });

  it("finds a repeat up to the window's edge, and not beyond", () => {
    const inside = windowCase(32_768);
    const outside = windowCase(32_769);
    expect(gzipDeterministic(inside).length).toBeLessThan(inside.length - 900);
    expect(gzipDeterministic(outside).length).toBeGreaterThan(outside.length - 100);
  });

  it("never grows incompressible input by more than the stored-block overhead", () => {
    const input = randomBytes(150_000);
    expect(gzipDeterministic(input).length).toBe(input.length + 5 * 3 + 18);
  });
});
