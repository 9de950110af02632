/**
 * Locality-sensitive hashing over MinHash signatures: `bands` bands of `rows` rows each. Two
 * documents become candidates when all rows of at least one band agree.
 */
import { combine, fmix32 } from './hash.js';

/** P(candidate | Jaccard = s) for b bands of r rows. */
export function candidateProbability(s: number, bands: number, rows: number): number {
  return 1 - Math.pow(1 - Math.pow(s, rows), bands);
}

/**
 * Picks bands x rows <= numPerm so that a pair at `target` Jaccard is a candidate with
 * probability >= recall, with as many rows per band as that allows (fewer chance candidates).
 * All numPerm/rows bands are used: more bands only raise recall above the target.
 */
export function chooseBands(target: number, numPerm: number, recall: number): { bands: number; rows: number } {
  for (let rows = numPerm; rows >= 1; rows--) {
    const bands = Math.floor(numPerm / rows);
    if (candidateProbability(target, bands, rows) >= recall) return { bands, rows };
  }
  return { bands: numPerm, rows: 1 };
}

/**
 * One 32-bit key per band: band i hashes signature rows [i*rows, (i+1)*rows). Keys of different
 * bands are never compared with each other.
 */
export function bandKeys(sig: Uint32Array, bands: number, rows: number, out = new Uint32Array(bands)): Uint32Array {
  for (let b = 0; b < bands; b++) {
    let h = 0x9747b28c ^ b;
    const start = b * rows;
    for (let r = 0; r < rows; r++) h = combine(h, sig[start + r]!);
    out[b] = fmix32(h);
  }
  return out;
}
