/**
 * Candidate pairs from LSH: documents whose keys agree in at least one band. Buckets are found
 * by radix-sorting (key, document) per band, never with string-keyed maps. Each pair is packed
 * into one double (i * 2^26 + j, i < j), then sorted and made distinct.
 */
export const MAX_DOCUMENTS = 1 << 26;
export const PAIR_BASE = 1 << 26;

/** Sorts `ids` by `keys[id]` (uint32), stable, by four 8-bit LSD passes. */
function radixSortIds(keys: Uint32Array, ids: Uint32Array, tmp: Uint32Array): Uint32Array {
  let src = ids;
  let dst = tmp;
  const counts = new Uint32Array(256);
  for (let shift = 0; shift < 32; shift += 8) {
    counts.fill(0);
    for (let i = 0; i < src.length; i++) counts[(keys[src[i]!]! >>> shift) & 0xff]!++;
    let sum = 0;
    for (let d = 0; d < 256; d++) {
      const c = counts[d]!;
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < src.length; i++) {
      const id = src[i]!;
      dst[counts[(keys[id]! >>> shift) & 0xff]!++] = id;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  return src;
}

class PairBuffer {
  buf = new Float64Array(1024);
  length = 0;
  /** Length right after the last dedupe. */
  private distinct = 0;
  /** `documents`: pairs are of documents 0..documents-1. */
  constructor(private readonly documents: number) {}
  push(i: number, j: number): void {
    if (this.length === this.buf.length) {
      const next = new Float64Array(Math.ceil(this.buf.length * 1.5));
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = i < j ? i * PAIR_BASE + j : j * PAIR_BASE + i;
  }
  /**
   * Sorts and drops repeats (a pair that agrees in several bands was pushed once per band): a
   * counting sort on the first document, then each document's partners sorted (a few dozen at
   * most, typically): linear in the pairs, about 10x faster than sorting the doubles.
   */
  dedupe(): void {
    const { buf, length: n } = this;
    const starts = new Uint32Array(this.documents + 1);
    for (let p = 0; p < n; p++) starts[Math.floor(buf[p]! / PAIR_BASE) + 1]!++;
    for (let d = 1; d <= this.documents; d++) starts[d]! += starts[d - 1]!;
    const partners = new Uint32Array(n);
    const next = starts.slice(0, this.documents);
    for (let p = 0; p < n; p++) {
      const code = buf[p]!;
      const i = Math.floor(code / PAIR_BASE);
      partners[next[i]!++] = code - i * PAIR_BASE;
    }
    let w = 0;
    for (let i = 0; i < this.documents; i++) {
      const from = starts[i]!;
      const to = starts[i + 1]!;
      if (to === from) continue;
      const group = to - from > 1 ? partners.subarray(from, to).sort() : partners.subarray(from, to);
      const base = i * PAIR_BASE;
      let last = -1;
      for (let x = 0; x < group.length; x++) {
        const j = group[x]!;
        if (j !== last) buf[w++] = base + j;
        last = j;
      }
    }
    this.length = this.distinct = w;
  }
  /** Dedupes when repeats have at least doubled the buffer since the last time. */
  maybeDedupe(): void {
    if (this.length > 2 * this.distinct + (1 << 20)) this.dedupe();
  }
}

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
 */
export function candidatePairs(
  bandKeys: Uint32Array,
  count: number,
  bands: number,
  eligible: (doc: number) => boolean,
  cap: BucketCap = { maxBucket: Infinity, window: 0 },
): { pairs: Float64Array; stats: CandidateStats } {
  if (count > MAX_DOCUMENTS) throw new RangeError(`too many documents (${count}; at most ${MAX_DOCUMENTS})`);
  const ids: number[] = [];
  for (let d = 0; d < count; d++) if (eligible(d)) ids.push(d);
  const docs = Uint32Array.from(ids);
  const keys = new Uint32Array(count);
  const tmp = new Uint32Array(docs.length);
  const out = new PairBuffer(count);
  let buckets = 0;
  let largestBucket = 0;
  let capped = 0;
  for (let b = 0; b < bands; b++) {
    for (let k = 0; k < docs.length; k++) keys[docs[k]!] = bandKeys[docs[k]! * bands + b]!;
    const sorted = radixSortIds(keys, Uint32Array.from(docs), tmp);
    let start = 0;
    while (start < sorted.length) {
      const key = keys[sorted[start]!]!;
      let end = start + 1;
      while (end < sorted.length && keys[sorted[end]!] === key) end++;
      const size = end - start;
      if (size > 1) {
        buckets++;
        if (size > largestBucket) largestBucket = size;
        if (size > cap.maxBucket) {
          capped++;
          // Document order, not size order: measured on real e-mail, neighbours in document
          // order (same campaign, same thread) are more often true matches.
          for (let x = start; x < end; x++) {
            const last = Math.min(end, x + 1 + cap.window);
            for (let y = x + 1; y < last; y++) out.push(sorted[x]!, sorted[y]!);
          }
        } else {
          for (let x = start; x < end; x++) for (let y = x + 1; y < end; y++) out.push(sorted[x]!, sorted[y]!);
        }
      }
      start = end;
    }
    out.maybeDedupe();
  }
  out.dedupe();
  return { pairs: out.buf.slice(0, out.length), stats: { buckets, largestBucket, capped } };
}

export function unpackPair(code: number): [number, number] {
  const i = Math.floor(code / PAIR_BASE);
  return [i, code - i * PAIR_BASE];
}
