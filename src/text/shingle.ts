/**
 * Shingling: every run of `size` consecutive units becomes one 32-bit hash, by a rolling
 * polynomial hash over seeded, mixed units (one multiply per unit, no strings built), finalised
 * with fmix32. A document with fewer units than `size` (but at least one) has one shingle made of
 * all its units, so exact copies of short texts still match. Returns the distinct hashes, sorted.
 */
import { fmix32, mixSeed } from '../core/hash.js';
import { type ShingleSeeds, sketchKernel } from '../kernels/sketch.js';

const BASE = 0x01000193; // odd, so multiplication by it is invertible mod 2^32

/** The seeds that shingles of `size` units are hashed with. */
export function shingleSeeds(size: number, seed: number): ShingleSeeds {
  return { unit: Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) >>> 0, final: mixSeed(size, seed) };
}

/**
 * The hash of every shingle of `units`, in text order (repeats included), written into `out`
 * (grown if needed); returns the view of the written part.
 */
export function shingleStream(units: Uint32Array, size: number, seed: number, out?: Uint32Array): Uint32Array {
  const n = units.length;
  if (n === 0) return new Uint32Array(0);
  const { unit: unitSeed, final: finalSeed } = shingleSeeds(size, seed);
  const k = Math.min(size, n);
  const count = n - k + 1;
  const dst = out && out.length >= count ? out : new Uint32Array(count);
  // BASE^(k-1) mod 2^32
  let top = 1;
  for (let i = 1; i < k; i++) top = Math.imul(top, BASE);
  let h = 0;
  for (let i = 0; i < k; i++) h = (Math.imul(h, BASE) + fmix32(units[i]! ^ unitSeed)) | 0;
  dst[0] = fmix32(h ^ finalSeed);
  for (let i = k; i < n; i++) {
    const outgoing = fmix32(units[i - k]! ^ unitSeed);
    h = (Math.imul((h - Math.imul(outgoing, top)) | 0, BASE) + fmix32(units[i]! ^ unitSeed)) | 0;
    dst[i - k + 1] = fmix32(h ^ finalSeed);
  }
  return dst.subarray(0, count);
}

/** The distinct shingle hashes of `units`, sorted ascending (a fresh array). */
export function shingleHashes(units: Uint32Array, size: number, seed: number): Uint32Array {
  return sortUnique(shingleStream(units, size, seed)).slice();
}

/**
 * The distinct values of `a`, sorted. `a` itself is left sorted in place when it is small;
 * the result may be a view of a scratch buffer that the next call overwrites: copy it to keep it.
 */
export function sortUnique(a: Uint32Array): Uint32Array {
  if (a.length >= 64) return sketchKernel().sortUnique(a);
  const sorted = a.sort();
  let w = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (i === 0 || sorted[i] !== sorted[w - 1]) sorted[w++] = sorted[i]!;
  }
  return sorted.subarray(0, w);
}
