/**
 * Exact |A ∩ B| for many pairs of sorted shingle sets: the sets are copied once into a
 * WebAssembly memory and each pair is counted by a SIMD kernel (src/match/intersect.wat),
 * about three times faster than a merge in JavaScript.
 *
 * Verification can stop a pair early. Shingle sets are sorted by hash value, and the hash is
 * uniform, so the values below any cut are a consistent random sample of both sets: the first
 * sixteenth of each set by hash value, counted, is a sample of what the pair shares. After each
 * of a few cuts the count is tested; a pair is given up when (a) even sharing everything left
 * it cannot reach what it needs, or (b) its sample puts it so far below the threshold that
 * Serfling's bound for sampling without replacement gives it less than one chance in
 * `1 / STOP_CHANCE` of reaching it. Every pair that is kept is counted to the end: its scores
 * are exact.
 */
import { intersectionSize } from '../text/shingle.js';
import { INTERSECT_WASM } from './intersect-wasm.js';

/** The chance, at each look, that a pair meeting the threshold is given up (see above). */
export const STOP_CHANCE = 1e-7;
/** Where the count is tested: after the values below 1/16, 1/8, 1/4 and 1/2 of the hash range. */
const CUTS = [2 ** 28, 2 ** 29, 2 ** 30, 2 ** 31];
const LOG_STOP = Math.log(1 / STOP_CHANCE);
/** The arena stops growing here (the kernel's offsets are 32-bit); beyond it, merge in JavaScript. */
const ARENA_LIMIT = 1 << 30;

interface Kernel {
  memory: WebAssembly.Memory;
  count: (a: number, ea: number, b: number, eb: number) => number;
}

let compiled: WebAssembly.Module | null | undefined;

function kernel(): Kernel | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(Buffer.from(INTERSECT_WASM, 'base64'));
    } catch {
      compiled = null; // no WebAssembly SIMD here: merge in JavaScript
    }
  }
  if (!compiled) return null;
  const exports = new WebAssembly.Instance(compiled).exports as unknown as Kernel;
  return { memory: exports.memory, count: exports.count };
}

/** The first index in `v[from, to)` whose value is at least `x` (or `to`). */
function lowerBound(v: Uint32Array, from: number, to: number, x: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Sets placed side by side in one memory; pairs of them counted. */
export class SetArena {
  private readonly k: Kernel | null;
  private view: Uint32Array;
  private used = 0;
  private starts: number[] = [];
  private ends: number[] = [];
  private sets: Uint32Array[] = [];
  private inJs = false;

  constructor() {
    this.k = kernel();
    this.view = this.k ? new Uint32Array(this.k.memory.buffer) : new Uint32Array(0);
  }

  /** Places these sets (dropping those placed before); set k is then referred to as k. */
  place(sets: readonly Uint32Array[]): void {
    this.used = 0;
    this.starts = [];
    this.ends = [];
    this.sets = sets as Uint32Array[];
    let total = 0;
    for (const s of sets) total += s.length;
    this.inJs = !this.k || total * 4 > ARENA_LIMIT;
    if (this.inJs) return;
    const k = this.k!;
    const need = total * 4 - k.memory.buffer.byteLength;
    if (need > 0) {
      k.memory.grow(Math.ceil(need / 65536));
      this.view = new Uint32Array(k.memory.buffer);
    }
    for (const s of sets) {
      this.starts.push(this.used);
      this.view.set(s, this.used);
      this.used += s.length;
      this.ends.push(this.used);
    }
  }

  /**
   * |A ∩ B| of placed sets a and b when it is at least `needed`; otherwise possibly less than
   * the true count, but still below `needed` (the pair was given up, see the module comment).
   */
  shared(a: number, b: number, needed: number): number {
    const A = this.sets[a]!;
    const B = this.sets[b]!;
    // the smaller set is the one sampled
    if (B.length < A.length || (B.length === A.length && b < a)) return this.shared(b, a, needed);
    const m = A.length;
    if (needed > m) return 0;
    if (this.inJs) return intersectionSize(A, B, needed);
    const v = this.view;
    const a0 = this.starts[a]!;
    const a1 = this.ends[a]!;
    const b0 = this.starts[b]!;
    const b1 = this.ends[b]!;
    const count = this.k!.count;
    let shared = 0;
    let i = a0;
    let j = b0;
    if (needed > 0) {
      const p = needed / m;
      for (const cut of CUTS) {
        const ie = lowerBound(v, i, a1, cut);
        const je = lowerBound(v, j, b1, cut);
        shared += count(i * 4, ie * 4, j * 4, je * 4);
        i = ie;
        j = je;
        // (a) not enough left to share
        if (shared + Math.min(a1 - i, b1 - j) < needed) return shared;
        // (b) the sample (A's values below the cut) shares too little
        const sampled = i - a0;
        if (sampled > 0 && sampled < m) {
          const margin = Math.sqrt((LOG_STOP * (1 - (sampled - 1) / m)) / (2 * sampled));
          if (shared < sampled * (p - margin)) return shared;
        }
      }
    }
    return shared + count(i * 4, a1 * 4, j * 4, b1 * 4);
  }
}
