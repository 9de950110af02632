/**
 * MinHash signatures by one-permutation hashing (OPH) with optimal densification
 * (Shrivastava, ICML 2017): each shingle is hashed once, its hash picks one of `numPerm` bins
 * and the bin keeps its smallest hash. Empty bins borrow, deterministically, from a bin chosen
 * by a seeded hash of (bin, attempt), which keeps the estimator unbiased for small sets.
 *
 * P(sigA[i] === sigB[i]) is the Jaccard similarity of the two shingle sets, as with k
 * independent permutations, at 1/numPerm of the hashing cost.
 */
import { fmix32 } from './hash.js';

/** The value of every bin of the signature of an empty set. */
export const EMPTY_BIN = 0xffffffff;

/**
 * `hashes` are the shingle hashes of one document (already seeded and well mixed; duplicates
 * are harmless). Returns a signature of `numPerm` uint32 values.
 */
export function minhashSignature(hashes: Uint32Array, numPerm: number, seed: number): Uint32Array {
  const acc = new MinHashAccumulator(numPerm);
  acc.add(hashes);
  return acc.signature(seed);
}

/**
 * A signature built from the shingle hashes of a document given in pieces (a big document is
 * sketched chunk by chunk). The signature is a minimum per bin, so the pieces give exactly the
 * signature of the whole.
 */
export class MinHashAccumulator {
  /** Each bin's smallest hash so far (EMPTY_BIN when none). */
  readonly bins: Uint32Array;
  /** 1 where a bin has a hash (a hash may be EMPTY_BIN itself). */
  readonly filled: Uint8Array;
  private empty = true;

  constructor(readonly numPerm: number) {
    this.bins = new Uint32Array(numPerm).fill(EMPTY_BIN);
    this.filled = new Uint8Array(numPerm);
  }

  /** Takes the bins that the sketch kernel filled from this accumulator's (see src/kernels/sketch.ts). */
  takeBins(bins: Uint32Array, filled: Uint8Array): void {
    this.bins.set(bins);
    this.filled.set(filled);
    this.empty = false;
  }

  add(hashes: Uint32Array): void {
    const { bins: sig, filled, numPerm } = this;
    const n = hashes.length;
    if (n > 0) this.empty = false;
    for (let i = 0; i < n; i++) {
      const h = hashes[i]!;
      // bin = floor(h * numPerm / 2^32); exact in doubles for numPerm < 2^21
      const bin = Math.floor((h * numPerm) / 4294967296);
      if (h < sig[bin]! || filled[bin] === 0) {
        sig[bin] = h;
        filled[bin] = 1;
      }
    }
  }

  /** The densified signature (all EMPTY_BIN when nothing was added). Call it once, at the end. */
  signature(seed: number): Uint32Array {
    if (!this.empty) densify(this.bins, this.filled, this.numPerm, seed);
    return this.bins;
  }
}

function densify(sig: Uint32Array, filled: Uint8Array, numPerm: number, seed: number): void {
  let empty = 0;
  for (let i = 0; i < numPerm; i++) if (filled[i] === 0) empty++;
  if (empty === 0) return;
  for (let i = 0; i < numPerm; i++) {
    if (filled[i] !== 0) continue;
    for (let attempt = 1; ; attempt++) {
      const j = Math.floor((fmix32(Math.imul(i + 1, 0x27d4eb2d) ^ Math.imul(attempt, 0x165667b1) ^ seed) * numPerm) / 4294967296);
      if (filled[j] !== 0) {
        sig[i] = sig[j]!;
        break;
      }
    }
  }
}

/** The fraction of agreeing positions: an unbiased estimate of the Jaccard similarity. */
export function estimateJaccard(a: Uint32Array, b: Uint32Array): number {
  if (a.length !== b.length) throw new RangeError(`signatures differ in length (${a.length} vs ${b.length})`);
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}
