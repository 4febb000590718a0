// A gzip writer whose output is a function of its input and nothing else.
//
// Why not node:zlib: Node bundles Chromium's zlib fork, whose deflate output
// already differs from stock zlib (measured: Node 20's 1.3.1 against zlib 1.2.13
// at the same level) and, in some releases, depends on the CPU (a CRC32C hash
// replaces zlib's rolling hash when SSE4.2 or ARMv8 CRC is present). Bundle
// digests are taken over the .tar.gz bytes, so two workers on different CPUs,
// or one Node upgrade, must not change them. This encoder is plain LZ77
// (greedy, hash chains) with deflate's fixed Huffman codes (RFC 1951 3.2.6),
// or stored blocks where those are smaller: compression is a little worse than
// zlib's, determinism is total, and any gunzip reads it.
import { crc32 } from "node:zlib";

const WINDOW = 32_768;
const MIN_MATCH = 3;
const MAX_MATCH = 258;
/** How many earlier positions with the same hash are tried: the speed/size trade-off. */
const MAX_CHAIN = 64;
const HASH_BITS = 15;
const HASH_SIZE = 1 << HASH_BITS;

// RFC 1951 3.2.5: length symbols 257..285 and distance symbols 0..29.
const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];

/** Symbol index for every match length (3..258) and for distances by table lookup. */
const LENGTH_SYMBOL = new Uint8Array(MAX_MATCH + 1);
for (let s = 0; s < LENGTH_BASE.length; s++) {
  const end = s + 1 < LENGTH_BASE.length ? LENGTH_BASE[s + 1]! : MAX_MATCH + 1;
  for (let len = LENGTH_BASE[s]!; len < end; len++) LENGTH_SYMBOL[len] = s;
}
LENGTH_SYMBOL[MAX_MATCH] = 28;

function distanceSymbol(distance: number): number {
  let s = DIST_BASE.length - 1;
  while (DIST_BASE[s]! > distance) s--;
  return s;
}

/** Writes bits least significant first, as deflate packs them. */
class BitWriter {
  private out: Uint8Array;
  private length = 0;
  private bits = 0;
  private count = 0;

  constructor(capacity: number) {
    this.out = new Uint8Array(Math.max(64, capacity));
  }

  write(value: number, width: number): void {
    this.bits |= value << this.count;
    this.count += width;
    while (this.count >= 8) {
      this.push(this.bits & 0xff);
      this.bits >>>= 8;
      this.count -= 8;
    }
  }

  /** Huffman codes are defined most significant bit first. */
  writeCode(code: number, width: number): void {
    let reversed = 0;
    for (let i = 0; i < width; i++) reversed |= ((code >>> i) & 1) << (width - 1 - i);
    this.write(reversed, width);
  }

  finish(): Uint8Array {
    if (this.count > 0) this.push(this.bits & 0xff);
    this.bits = 0;
    this.count = 0;
    return this.out.subarray(0, this.length);
  }

  private push(byte: number): void {
    if (this.length === this.out.length) {
      const grown = new Uint8Array(this.out.length * 2);
      grown.set(this.out);
      this.out = grown;
    }
    this.out[this.length++] = byte;
  }
}

/** Fixed literal/length code (RFC 1951 3.2.6). */
function writeLiteralLength(out: BitWriter, symbol: number): void {
  if (symbol < 144) out.writeCode(0x30 + symbol, 8);
  else if (symbol < 256) out.writeCode(0x190 + symbol - 144, 9);
  else if (symbol < 280) out.writeCode(symbol - 256, 7);
  else out.writeCode(0xc0 + symbol - 280, 8);
}

function writeMatch(out: BitWriter, length: number, distance: number): void {
  const ls = LENGTH_SYMBOL[length]!;
  writeLiteralLength(out, 257 + ls);
  if (LENGTH_EXTRA[ls]! > 0) out.write(length - LENGTH_BASE[ls]!, LENGTH_EXTRA[ls]!);
  const ds = distanceSymbol(distance);
  out.writeCode(ds, 5);
  if (DIST_EXTRA[ds]! > 0) out.write(distance - DIST_BASE[ds]!, DIST_EXTRA[ds]!);
}

/**
 * Raw deflate: one block with fixed Huffman codes, or stored blocks when those
 * would be smaller (already compressed or random bytes).
 */
export function deflateDeterministic(input: Uint8Array): Uint8Array {
  const fixed = deflateFixed(input);
  const storedLength = input.length + 5 * Math.max(1, Math.ceil(input.length / MAX_STORED));
  return fixed.length <= storedLength ? fixed : deflateStored(input);
}

const MAX_STORED = 65_535;

/** Stored blocks (RFC 1951 3.2.4): each a byte-aligned header, LEN, NLEN, then the bytes as they are. */
function deflateStored(input: Uint8Array): Uint8Array {
  const blocks = Math.max(1, Math.ceil(input.length / MAX_STORED));
  const out = new Uint8Array(input.length + 5 * blocks);
  let at = 0;
  for (let b = 0; b < blocks; b++) {
    const start = b * MAX_STORED;
    const length = Math.min(MAX_STORED, input.length - start);
    out.set([b === blocks - 1 ? 1 : 0, length & 0xff, length >>> 8, ~length & 0xff, (~length >>> 8) & 0xff], at);
    out.set(input.subarray(start, start + length), at + 5);
    at += 5 + length;
  }
  return out;
}

/** One final deflate block with fixed Huffman codes. */
function deflateFixed(input: Uint8Array): Uint8Array {
  const out = new BitWriter(input.length + (input.length >>> 3) + 16);
  out.write(1, 1); // BFINAL
  out.write(1, 2); // BTYPE 01: fixed Huffman codes
  const head = new Int32Array(HASH_SIZE).fill(-1);
  const prev = new Int32Array(input.length);
  const hashAt = (i: number): number => ((input[i]! << 10) ^ (input[i + 1]! << 5) ^ input[i + 2]!) & (HASH_SIZE - 1);
  const insert = (i: number): void => {
    if (i + MIN_MATCH > input.length) return;
    const h = hashAt(i);
    prev[i] = head[h]!;
    head[h] = i;
  };

  let i = 0;
  while (i < input.length) {
    let bestLength = 0;
    let bestDistance = 0;
    if (i + MIN_MATCH <= input.length) {
      const limit = Math.min(MAX_MATCH, input.length - i);
      let candidate = head[hashAt(i)]!;
      for (let chain = 0; candidate >= 0 && i - candidate <= WINDOW && chain < MAX_CHAIN; chain++) {
        // Cheap reject: a longer match must also match at the current best length.
        if (input[candidate + bestLength] === input[i + bestLength]) {
          let length = 0;
          while (length < limit && input[candidate + length] === input[i + length]) length++;
          if (length > bestLength) {
            bestLength = length;
            bestDistance = i - candidate;
            if (length === limit) break;
          }
        }
        candidate = prev[candidate]!;
      }
    }
    if (bestLength >= MIN_MATCH) {
      writeMatch(out, bestLength, bestDistance);
      for (const end = i + bestLength; i < end; i++) insert(i);
    } else {
      writeLiteralLength(out, input[i]!);
      insert(i);
      i++;
    }
  }
  writeLiteralLength(out, 256); // end of block
  return out.finish();
}

/**
 * gzip (RFC 1952) with a fixed header: no name, no mtime (0), XFL 0, OS 255
 * ("unknown"), so the bytes carry nothing of where or when they were made.
 */
export function gzipDeterministic(input: Uint8Array): Uint8Array {
  const body = deflateDeterministic(input);
  const result = new Uint8Array(10 + body.length + 8);
  result.set([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
  result.set(body, 10);
  const trailer = new DataView(result.buffer, result.byteOffset + 10 + body.length, 8);
  trailer.setUint32(0, crc32(input), true);
  trailer.setUint32(4, input.length >>> 0, true);
  return result;
}
