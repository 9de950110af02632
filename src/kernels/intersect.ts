/**
 * Shingle sets in one memory shared by every thread, and exact |A ∩ B| on them.
 *
 * Loading workers allocate each document's sorted shingle set in a shared WebAssembly memory
 * (an atomic bump allocator, up to a limit the scan sets from its memory budget), so a
 * verification task names sets by their place instead of carrying them, and each pair is
 * counted in place by a SIMD kernel (assembly/intersect.ts), about three times faster than a
 * merge in JavaScript.
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
import { NearDupError } from '../model/errors.js';
import { ensureKernel, loadKernel } from './loader.js';

/** The chance, at each look, that a pair meeting the threshold is given up (see above). */
export const STOP_CHANCE = 1e-7;
/** Where the count is tested: after the values below 1/16, 1/8, 1/4 and 1/2 of the hash range. */
const CUTS = [2 ** 28, 2 ** 29, 2 ** 30, 2 ** 31];
/**
 * A set's head: its values below this, all that the first two looks need (about an eighth of
 * the set), so that prescreen() can give up pairs whose whole sets are not at hand.
 */
export const HEAD_CUT = CUTS[1]!;
const LOG_STOP = Math.log(1 / STOP_CHANCE);

const PAGE = 65536;
/** The kernel's offsets are 32-bit: the memory stops short of 4 GiB. */
const MAX_PAGES = 65535;
/** The allocator's header (bump pointer and limit in 16-byte units, maximum pages) fills the first 64 bytes. */
const HEADER = 64;
const UNIT = 16;
/** Grow in steps of this many pages (4 MiB), not a page at a time. */
const GROW_STEP = 64;

/** The bytes a set of `n` shingles takes in the shared memory. */
export function setBytes(n: number): number {
  return (Math.ceil((n * 4) / UNIT) || 1) * UNIT;
}

/** A place in the shared memory: [offset, length] in uint32 elements. */
export type SetPlace = readonly [number, number];

export class SharedSets {
  private readonly header: Int32Array;
  private view: Uint32Array;
  private readonly count: (a: number, ea: number, b: number, eb: number) => number;
  private readonly agreeing: (a: number, b: number, k: number) => number;
  private readonly verifying: (pairs: number, n: number, places: number, sigs: number, k: number, jaccard: number, t: number, logStop: number) => number;
  private readonly screening: (pairs: number, n: number, sizes: number, kept: number, sigs: number, k: number, jaccard: number, t: number) => number;
  private readonly prescreening: (pairs: number, n: number, places: number, sizes: number, jaccard: number, t: number, logStop: number) => number;
  private readonly checkedCount: { value: number };

  private constructor(readonly memory: WebAssembly.Memory) {
    const exports = loadKernel<Record<string, unknown>>('intersect', { env: { memory } });
    this.count = exports.count as SharedSets['count'];
    this.agreeing = exports.agree as SharedSets['agreeing'];
    this.verifying = exports.verify as SharedSets['verifying'];
    this.screening = exports.screen as SharedSets['screening'];
    this.prescreening = exports.prescreen as SharedSets['prescreening'];
    this.checkedCount = exports.checked as { value: number };
    this.header = new Int32Array(memory.buffer, 0, 3);
    this.view = new Uint32Array(memory.buffer);
  }

  /** A memory whose allocations may take `bytes` (the limit can be moved later). */
  static create(bytes: number): SharedSets {
    ensureKernel('intersect');
    // the maximum only reserves address space; pages are committed as they are used
    const maximum = MAX_PAGES;
    const memory = new WebAssembly.Memory({ initial: GROW_STEP, maximum, shared: true });
    const sets = new SharedSets(memory);
    Atomics.store(sets.header, 0, HEADER / UNIT);
    Atomics.store(sets.header, 2, maximum);
    sets.limit = HEADER + bytes;
    return sets;
  }

  /** The same memory, seen from another thread. */
  static attach(memory: WebAssembly.Memory): SharedSets {
    return new SharedSets(memory);
  }

  /** Bytes in use (allocations end here). */
  get used(): number {
    return Atomics.load(this.header, 0) * UNIT;
  }

  /** Allocations may not end beyond this byte (set by the thread that owns the scan). */
  set limit(bytes: number) {
    const most = Atomics.load(this.header, 2) * PAGE;
    Atomics.store(this.header, 1, Math.floor(Math.min(bytes, most) / UNIT));
  }

  /** Frees everything allocated after `used` was `mark` (when no other thread allocates). */
  release(mark: number): void {
    Atomics.store(this.header, 0, mark / UNIT);
  }

  /** A new array of `n` elements in the shared memory, or null when over the limit. */
  alloc(n: number): Uint32Array | null {
    const units = setBytes(n) / UNIT;
    let start: number;
    for (;;) {
      start = Atomics.load(this.header, 0);
      if (start + units > Atomics.load(this.header, 1)) return null;
      if (Atomics.compareExchange(this.header, 0, start, start + units) === start) break;
    }
    const end = (start + units) * UNIT;
    while (this.memory.buffer.byteLength < end) {
      const pages = this.memory.buffer.byteLength / PAGE;
      const most = Atomics.load(this.header, 2);
      try {
        this.memory.grow(Math.min(Math.max(GROW_STEP, Math.ceil(end / PAGE) - pages), most - pages));
      } catch (err) {
        // another thread may have grown it first (the two together past the maximum): look again
        if (this.memory.buffer.byteLength / PAGE === pages) {
          throw new NearDupError('EINTERNAL', `cannot grow the memory for shingle sets: ${(err as Error).message}`);
        }
      }
    }
    return new Uint32Array(this.memory.buffer, start * UNIT, n);
  }

  /** The array at a place of this memory (allocated here, maybe by another thread). */
  at(place: SetPlace): Uint32Array {
    return new Uint32Array(this.memory.buffer, place[0] * 4, place[1]);
  }

  /** In how many of k positions the values at element offsets a and b agree (two signatures allocated here; SIMD). */
  agreement(a: number, b: number, k: number): number {
    return this.agreeing(a * 4, b * 4, k);
  }

  /** Where a set allocated here is; undefined for an array of another memory. */
  placeOf(set: Uint32Array): SetPlace | undefined {
    // (an array that came from another thread has its own SharedArrayBuffer object)
    if (!(set.buffer instanceof SharedArrayBuffer)) return undefined;
    return [set.byteOffset / 4, set.length];
  }

  /**
   * Scores the `n` pairs at element offset `pairs` (two document numbers each) in the kernel,
   * by the rule of verifyPairs (src/engine/verify.ts) with shared() below: sets are found through
   * the table at element offset `places` (document d's set's offset and length at 2d, 2d+1),
   * signatures (when given) at `signatures.at` + d·k. Each pair that has the shingles it needs
   * is written over the pairs, in order, as (its index among them, its shared count). Returns
   * how many were kept, and how many were counted (the others ruled out by their signatures).
   */
  verify(
    pairs: number,
    n: number,
    places: number,
    metric: 'containment' | 'jaccard',
    threshold: number,
    signatures?: { at: number; k: number },
  ): { kept: number; checked: number } {
    const kept = this.verifying(pairs * 4, n, places * 4, (signatures?.at ?? 0) * 4, signatures?.k ?? 0, metric === 'jaccard' ? 1 : 0, threshold, LOG_STOP);
    return { kept, checked: this.checkedCount.value };
  }

  /**
   * Of the `n` pairs at element offset `pairs` (two document numbers each), those that verify()
   * might keep after the first two looks of shared() (at the values below 1/16 and 1/8 of the
   * hash range), when the table at `places` (as for verify) may give only a set's head (its
   * values below HEAD_CUT) and `sizes` (element offset of a uint32 a document) gives the whole
   * sets' sizes. Of two sets of one size, the document with the smaller number is sampled. The
   * indexes (in these n) of the pairs let through are written over the first elements, in order;
   * returns how many.
   */
  prescreen(pairs: number, n: number, places: number, sizes: number, metric: 'containment' | 'jaccard', threshold: number): number {
    return this.prescreening(pairs * 4, n, places * 4, sizes * 4, metric === 'jaccard' ? 1 : 0, threshold, LOG_STOP);
  }

  /**
   * Keeps the `n` pairs at element offset `pairs` (two document numbers each) that sizes let
   * meet the threshold (sizesCanMatch) and, unless both documents' sets are kept (`kept`: a
   * byte a document, at byte offset `keptAt`), whose signatures (k values each, from element
   * offset `sigsAt`) do not rule out (estimateKeeps with jaccardFloor); they are written over
   * the first pairs, in order. `sizes`: element offset of a uint32 a document, its shingles.
   * Returns how many were kept.
   */
  screen(
    pairs: number,
    n: number,
    sizes: number,
    keptAt: number,
    metric: 'containment' | 'jaccard',
    threshold: number,
    signatures: { at: number; k: number },
  ): number {
    return this.screening(pairs * 4, n, sizes * 4, keptAt, signatures.at * 4, signatures.k, metric === 'jaccard' ? 1 : 0, threshold);
  }

  /**
   * |A ∩ B| of the sets at these places when it is at least `needed`; otherwise possibly less
   * than the true count, but still below `needed` (the pair was given up, see the module comment).
   * (The reference for the kernel's own loop, which verify() runs; tests compare the two.)
   */
  shared(a: SetPlace, b: SetPlace, needed: number): number {
    // the smaller set is the one sampled
    if (b[1] < a[1] || (b[1] === a[1] && b[0] < a[0])) return this.shared(b, a, needed);
    const m = a[1];
    if (needed > m) return 0;
    let v = this.view;
    const a0 = a[0];
    const a1 = a0 + m;
    const b0 = b[0];
    const b1 = b0 + b[1];
    if (v.length < a1 || v.length < b1) v = this.view = new Uint32Array(this.memory.buffer);
    const count = this.count;
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

/** The first index in `v[from, to)` whose value is at least `x` (or `to`). */
export function lowerBound(v: Uint32Array, from: number, to: number, x: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
