/**
 * The sketch stage's inner loops in WebAssembly (assembly/sketch.ts): units -> mixed units ->
 * shingle hashes -> sorted distinct set -> its MinHash bins, in one memory per thread, with no
 * JavaScript loop over the text and nothing allocated per document. For plain ASCII files in
 * char mode the kernel starts from the file's bytes, read straight into its memory.
 *
 * Every result is exactly what the JavaScript reference gives (src/text/shingle.ts's
 * shingleStream and sortUnique, src/core/minhash.ts's MinHashAccumulator); tests compare them.
 * Results are views of the kernel's memory, which the next call overwrites: copy them to keep them.
 */
import { fmix32 } from '../core/hash.js';
import type { MinHashAccumulator } from '../core/minhash.js';
import { loadKernel } from './loader.js';

interface Exports {
  memory: WebAssembly.Memory;
  mixBytes(src: number, n: number, out: number): number;
  mixWide(src: number, n: number, out: number, tables: number): number;
  mixUnits(src: number, n: number, seed: number): void;
  shingle(src: number, n: number, k: number, out: number, finalSeed: number): number;
  sortUnique(src: number, n: number, dst: number, counts: number, bits: number): number;
  bins(set: number, m: number, sig: number, filled: number, numPerm: number): void;
}

const TABLE = 0;
const CLASS = 1024;
/** mixWide's tables: a class a byte, then each byte's first and second mixed unit. */
const WIDE = 1280;
/** The signature's bins and their filled marks start here; documents' data after them. */
const SIG = WIDE + 256 + 2048;

const align = (n: number) => (n + 63) & ~63;

/** Bits of the bucket sort for n values: about one value a bucket, 2..2^16 buckets. */
function sortBits(n: number): number {
  const bits = Math.ceil(Math.log2(Math.max(2, n)));
  return bits < 1 ? 1 : Math.min(bits, 16);
}

/** The seeds of the shingle hash (src/text/shingle.ts's shingleStream uses the same). */
export interface ShingleSeeds {
  unit: number;
  final: number;
}

export class SketchKernel {
  private readonly k: Exports;
  private u8: Uint8Array;
  private u32: Uint32Array;
  /** The unit seed the byte table was made for. */
  private tableSeed: number | undefined;
  /** The unit seed and the letters the wide table was made for. */
  private wideMade: { seed: number; letters: readonly (readonly number[])[] } | undefined;

  constructor() {
    this.k = loadKernel<Exports>('sketch');
    this.u8 = new Uint8Array(this.k.memory.buffer);
    this.u32 = new Uint32Array(this.k.memory.buffer);
  }

  /** Makes the memory at least `bytes` long. */
  private reserve(bytes: number): void {
    const have = this.k.memory.buffer.byteLength;
    if (have < bytes) {
      this.k.memory.grow(Math.ceil((bytes - have) / 65536));
      this.u8 = new Uint8Array(this.k.memory.buffer);
      this.u32 = new Uint32Array(this.k.memory.buffer);
    }
  }

  /** The distinct values of `a`, sorted (a view). */
  sortUnique(a: Uint32Array): Uint32Array {
    const n = a.length;
    // after the bins of the largest signature (--num-perm 1024), like every document's data
    const src = align(SIG + 5 * 1024);
    const dst = src + 4 * n;
    const counts = dst + 4 * n;
    const bits = sortBits(n);
    this.reserve(counts + 4 * ((1 << bits) + 1));
    this.u32.set(a, src >>> 2);
    const distinct = this.k.sortUnique(src, n, dst, counts, bits);
    return this.u32.subarray(dst >>> 2, (dst >>> 2) + distinct);
  }

  /**
   * The sorted distinct hashes of the shingles of `units` (code points or word hashes, not yet
   * mixed), each shingle also put in the bins of `acc`.
   */
  shingleUnits(units: Uint32Array, size: number, seeds: ShingleSeeds, acc: MinHashAccumulator): Uint32Array {
    const n = units.length;
    const at = align(SIG + 5 * acc.numPerm);
    this.reserve(at + 16 * n + 4 * ((1 << sortBits(n)) + 1));
    this.u32.set(units, at >>> 2);
    this.k.mixUnits(at, n, seeds.unit);
    return this.shingleMixed(at, n, size, seeds, acc);
  }

  /**
   * Room for `bytes` bytes of input (and what sketching them needs); returns the place to read
   * them to, in `view()`.
   */
  inputPlace(bytes: number, numPerm: number, wide = false): number {
    const at = align(SIG + 5 * numPerm);
    // units, hashes and the sorted set: up to one a byte (two with `wide`), and the sort's counts
    const most = wide ? 2 * bytes + 1 : bytes;
    this.reserve(at + align(bytes) + 12 * most + 4 * ((1 << sortBits(most)) + 1) + 64);
    return at;
  }

  /** The kernel's memory as bytes (valid until the next call). */
  view(): Uint8Array {
    return this.u8;
  }

  /**
   * The sketch of `n` ASCII bytes at `at` (see inputPlace) in char mode: the letters, A-Z folded,
   * are the units. Returns the sorted distinct hashes and the number of letters, or null when
   * the bytes are not all plain ASCII (a byte over 127, NUL or CR: they need decoding and
   * normalising first).
   */
  shingleAscii(at: number, n: number, size: number, seeds: ShingleSeeds, acc: MinHashAccumulator): { units: number; set: Uint32Array } | null {
    if (this.tableSeed !== seeds.unit) this.makeTable(seeds.unit);
    const units = align(at + n);
    const letters = this.k.mixBytes(at, n, units);
    if (letters < 0) return null;
    return { units: letters, set: this.shingleMixed(units, letters, size, seeds, acc) };
  }

  /**
   * As shingleAscii, for `n` bytes of which each stands for the letters `letters[byte]` (0, 1
   * or 2 code points, folded; a byte with more is refused): windows-1252 text, or ASCII with CR
   * or NUL bytes. The caller makes sure the letters of the whole text are those of its bytes
   * one by one. Needs room for 2n + 1 units after the bytes (see inputPlace's `wide`).
   */
  shingleWide(
    at: number,
    n: number,
    size: number,
    seeds: ShingleSeeds,
    acc: MinHashAccumulator,
    letters: readonly (readonly number[])[],
  ): { units: number; set: Uint32Array } | null {
    if (this.wideMade?.seed !== seeds.unit || this.wideMade.letters !== letters) this.makeWideTable(seeds.unit, letters);
    const units = align(at + n);
    const count = this.k.mixWide(at, n, units, WIDE);
    if (count < 0) return null;
    return { units: count, set: this.shingleMixed(units, count, size, seeds, acc) };
  }

  private makeWideTable(unitSeed: number, letters: readonly (readonly number[])[]): void {
    const units = WIDE + 256;
    for (let b = 0; b < 256; b++) {
      const ls = letters[b] ?? [];
      this.u8[WIDE + b] = ls.length > 2 ? 3 : ls.length;
      this.u32[(units >>> 2) + b] = ls.length >= 1 && ls.length <= 2 ? fmix32(ls[0]! ^ unitSeed) : 0;
      this.u32[(units >>> 2) + 256 + b] = ls.length === 2 ? fmix32(ls[1]! ^ unitSeed) : 0;
    }
    this.wideMade = { seed: unitSeed, letters };
  }

  private makeTable(unitSeed: number): void {
    for (let b = 0; b < 256; b++) {
      const lower = b >= 65 && b <= 90 ? b + 32 : b;
      const letter = lower >= 97 && lower <= 122;
      this.u8[CLASS + b] = letter ? 1 : b >= 128 || b === 0 || b === 13 ? 2 : 0;
      this.u32[(TABLE >>> 2) + b] = letter ? fmix32(lower ^ unitSeed) : 0;
    }
    this.tableSeed = unitSeed;
  }

  /** Shingles `n` mixed units at `at`: the hashes after them, the sorted set after those. */
  private shingleMixed(at: number, n: number, size: number, seeds: ShingleSeeds, acc: MinHashAccumulator): Uint32Array {
    const { numPerm } = acc;
    const hashes = at + 4 * n;
    const dst = hashes + 4 * n;
    const counts = dst + 4 * n;
    const filled = SIG + 4 * numPerm;
    this.u32.set(acc.bins, SIG >>> 2);
    this.u8.set(acc.filled, filled);
    const count = this.k.shingle(at, n, size, hashes, seeds.final);
    const distinct = this.k.sortUnique(hashes, count, dst, counts, sortBits(count));
    if (count > 0) {
      // the bins from the sorted set: its first value in a bin is the bin's smallest
      this.k.bins(dst, distinct, SIG, filled, numPerm);
      acc.takeBins(this.u32.subarray(SIG >>> 2, (SIG >>> 2) + numPerm), this.u8.subarray(filled, filled + numPerm));
    }
    return this.u32.subarray(dst >>> 2, (dst >>> 2) + distinct);
  }
}

let kernel: SketchKernel | undefined;

/** This thread's kernel. */
export function sketchKernel(): SketchKernel {
  return (kernel ??= new SketchKernel());
}
