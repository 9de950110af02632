/**
 * Candidate pairs from LSH: documents whose keys agree in at least one band. Buckets are found
 * by radix-sorting (key, document) per band, never with string-keyed maps; the pairs are sorted
 * and made distinct by counting sorts. Each pair is returned packed into one double
 * (i * 2^26 + j, i < j), or (candidatePairsOfSignatures) as its two ends side by side.
 */
import { loadKernel } from './loader.js';

export const MAX_DOCUMENTS = 1 << 26;
/** Signatures are copied into the kernel this many bytes at a time to make band keys. */
const KEYS_CHUNK_BYTES = 1 << 20;
export const PAIR_BASE = 1 << 26;

export interface CandidateStats {
  buckets: number;
  largestBucket: number;
  /** Buckets over the size cap, paired by window instead of all pairs. */
  capped: number;
}

/**
 * A bucket holding more than `maxBucket` documents (common boilerplate: every e-mail header,
 * every page footer) is not expanded into all its pairs: each member is paired with the next
 * `window` members (in document order). A true near-duplicate pair agrees in several bands,
 * most of them in small buckets, so this keeps the work linear at little cost in recall.
 */
export interface BucketCap {
  maxBucket: number;
  window: number;
}

/**
 * `bandKeys` holds `bands` keys per document, document-major (doc d's band b at d*bands+b).
 * `eligible(d)` excludes documents (e.g. empty ones). Returns distinct packed pairs, sorted.
 * The work is done by a WebAssembly kernel (assembly/candidates.ts): it runs once per scan,
 * on the main thread while the workers wait, where JavaScript would still be warming up.
 */
export function candidatePairs(
  bandKeys: Uint32Array,
  count: number,
  bands: number,
  eligible: (doc: number) => boolean,
  cap: BucketCap = { maxBucket: Infinity, window: 0 },
): { pairs: Float64Array; stats: CandidateStats } {
  const { ends, stats } = pairsOf(count, bands, eligible, cap, (k, keysAt) => k.u32().set(bandKeys.subarray(0, count * bands), keysAt / 4));
  const pairs = new Float64Array(ends.length / 2);
  for (let p = 0; p < pairs.length; p++) pairs[p] = ends[2 * p]! * PAIR_BASE + ends[2 * p + 1]!;
  return { pairs, stats };
}

/**
 * candidatePairs for `count` documents whose MinHash signatures (numPerm values each) are side
 * by side in `signatures`: their band keys (bandKeys in src/core/lsh.ts) are made by the
 * kernel too. The pairs come as their ends, pair p's at 2p and 2p + 1 (i < j), in the same
 * order (by i, then j).
 */
export function candidatePairsOfSignatures(
  signatures: Uint32Array,
  count: number,
  numPerm: number,
  bands: number,
  rows: number,
  cap: BucketCap = { maxBucket: Infinity, window: 0 },
): { ends: Uint32Array; stats: CandidateStats } {
  return pairsOf(
    count,
    bands,
    () => true,
    cap,
    (k, keysAt, freeAt) => {
      // a few thousand signatures at a time through one place (not a copy of them all: 100 MB
      // of fresh memory at 200,000 documents)
      const sigsAt = align(freeAt);
      const step = Math.max(1, Math.floor(KEYS_CHUNK_BYTES / (4 * numPerm)));
      k.reserve(sigsAt + 4 * Math.min(count, step) * numPerm);
      const u32 = k.u32();
      for (let d = 0; d < count; d += step) {
        const n = Math.min(step, count - d);
        u32.set(signatures.subarray(d * numPerm, (d + n) * numPerm), sigsAt / 4);
        k.exports.keys(sigsAt, n, numPerm, bands, rows, keysAt + 4 * d * bands);
      }
    },
  );
}

/** The band keys the kernel makes from signatures (as candidatePairsOfSignatures does; for tests against bandKeys). */
export function signatureBandKeys(signatures: Uint32Array, count: number, numPerm: number, bands: number, rows: number): Uint32Array {
  const k = new CandidateKernel();
  const keysAt = 64;
  const sigsAt = align(keysAt + 4 * count * bands);
  k.reserve(sigsAt + 4 * count * numPerm);
  k.u32().set(signatures.subarray(0, count * numPerm), sigsAt / 4);
  k.exports.keys(sigsAt, count, numPerm, bands, rows, keysAt);
  return k.u32().slice(keysAt / 4, keysAt / 4 + count * bands);
}

/** The band keys of the documents in the kernel at `keysAt` (`freeAt` on is free until the pairs are made). */
type PutKeys = (kernel: CandidateKernel, keysAt: number, freeAt: number) => void;

function pairsOf(
  count: number,
  bands: number,
  eligible: (doc: number) => boolean,
  cap: BucketCap,
  putKeys: PutKeys,
): { ends: Uint32Array; stats: CandidateStats } {
  if (count > MAX_DOCUMENTS) throw new RangeError(`too many documents (${count}; at most ${MAX_DOCUMENTS})`);
  const k = new CandidateKernel();
  const ids: number[] = [];
  for (let d = 0; d < count; d++) if (eligible(d)) ids.push(d);
  const m = ids.length;
  // keys, eligible documents, two arrays of (key, document) and the radix counts; pairs after
  const keysAt = 64;
  const idsAt = align(keysAt + 4 * count * bands);
  const aAt = align(idsAt + 4 * m);
  const tAt = aAt + 8 * m;
  const countsAt = tAt + 8 * m;
  const pairsAt = countsAt + 8192;
  k.reserve(pairsAt);
  putKeys(k, keysAt, pairsAt);
  k.u32().set(ids, idsAt / 4);
  const maxBucket = Math.min(cap.maxBucket, 0xffffffff);
  const window = Math.min(cap.window, 0x7fffffff);
  let length = 0;
  let distinct = 0;
  const dedupe = () => {
    // the document starts and a copy of the pairs, after them
    const startsAt = align(pairsAt + 8 * length);
    const tmpAt = align(startsAt + 4 * (count + 1));
    k.reserve(tmpAt + 8 * length);
    length = distinct = k.exports.dedupe(pairsAt, length, count, startsAt, tmpAt);
  };
  for (let b = 0; b < bands; b++) {
    const coming = k.exports.band(keysAt, bands, b, idsAt, m, aAt, tAt, countsAt, maxBucket, window);
    k.reserve(pairsAt + 8 * (length + coming));
    length += k.exports.emit(tAt, m, maxBucket, window, pairsAt + 8 * length);
    // repeats (a pair that agrees in several bands comes once per band) are dropped when they
    // have at least doubled the pairs since the last time
    if (length > 2 * distinct + (1 << 20)) dedupe();
  }
  dedupe();
  // a view of the kernel's memory, not a copy (72 MB at 200,000 documents, made while the
  // kernel's own memory is still held: the scan's peak); the kernel is not called again, so its
  // memory does not grow under the view, and goes with it
  const ends = k.u32().subarray(pairsAt / 4, pairsAt / 4 + 2 * length);
  const stats = { buckets: k.exports.buckets.value, largestBucket: k.exports.largest.value, capped: k.exports.capped.value };
  return { ends, stats };
}

interface CandidateExports {
  memory: WebAssembly.Memory;
  band(keys: number, bands: number, b: number, ids: number, m: number, a: number, t: number, counts: number, maxBucket: number, window: number): number;
  emit(t: number, m: number, maxBucket: number, window: number, out: number): number;
  dedupe(pairs: number, length: number, n: number, starts: number, tmp: number): number;
  keys(sigs: number, n: number, k: number, bands: number, rows: number, out: number): void;
  buckets: { value: number };
  largest: { value: number };
  capped: { value: number };
}

/** One run's kernel: its own memory, let go (to the garbage collector) with it. */
class CandidateKernel {
  readonly exports: CandidateExports;
  constructor() {
    this.exports = loadKernel<CandidateExports>('candidates');
  }
  u32(): Uint32Array {
    return new Uint32Array(this.exports.memory.buffer);
  }
  /** Room for `bytes` bytes. */
  reserve(bytes: number): void {
    const { memory } = this.exports;
    const have = memory.buffer.byteLength;
    if (bytes <= have) return;
    if (bytes > 4 * 2 ** 30 - 65536) throw new RangeError(`too many candidate pairs (${Math.round(bytes / 2 ** 20)} MiB of them)`);
    // in steps of at least a quarter of what there is
    const pages = Math.ceil(Math.max(bytes - have, have / 4) / 65536);
    memory.grow(Math.min(pages, 65535 - have / 65536));
  }
}

function align(bytes: number): number {
  return Math.ceil(bytes / 64) * 64;
}

export function unpackPair(code: number): [number, number] {
  const i = Math.floor(code / PAIR_BASE);
  return [i, code - i * PAIR_BASE];
}
