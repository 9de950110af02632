/**
 * Aligns two texts on their letters (what char shingles see: no case, digits, punctuation or
 * white space), so a stripped copy and a formatted copy line up. The result is a list of
 * passages in reading order: shared (the same letters in both), only in A, only in B. Every
 * character of each text belongs to exactly one passage.
 *
 * 1. Maximal exact matches of at least `minMatch` letters are found through a hash index of B's
 *    k-letter windows.
 * 2. Greedy string tiling: longest match first, each letter of A and of B used at most once
 *    (matches that overlap a tile are trimmed and requeued).
 * 3. The heaviest chain of tiles in the same order in both texts is the backbone; tiles off it
 *    (passages that moved) count as shared only when at least `minMoved` letters long, so short
 *    coincidences out of order do not show as shared.
 * 4. Between backbone tiles, A's letters become only-A passages (or moved ones) and B's letters
 *    only-B passages. Each passage's text runs from its first letter to the next passage's first
 *    letter, so punctuation and spacing go with the letters before them.
 */
import { type LetterStream, letterStream } from '../text/positions.js';

/** A range of UTF-16 offsets into one text, end exclusive. */
export interface Span {
  start: number;
  end: number;
}

export type Passage =
  | { kind: 'shared'; a: Span; b: Span; letters: number; moved: boolean }
  | { kind: 'only-a'; a: Span; letters: number }
  | { kind: 'only-b'; b: Span; letters: number };

export interface Alignment {
  passages: Passage[];
  /** Letters of each text. */
  letters: { a: number; b: number };
  /** Letters in shared passages (the same number in each text). */
  shared: number;
}

export interface AlignOptions {
  /** Shortest run of letters that counts as shared. */
  minMatch: number;
  /** Shortest run that counts as shared when it is out of order (moved). */
  minMoved: number;
}

/** A tile: letters [i, i+len) of A equal letters [j, j+len) of B. */
interface Tile {
  i: number;
  j: number;
  len: number;
}

/** At most this many earlier occurrences of one k-letter window of B are tried (repetitive text). */
const MAX_OCCURRENCES = 64;

function windowHashes(s: Uint32Array, k: number): Uint32Array {
  const n = s.length - k + 1;
  const out = new Uint32Array(Math.max(0, n));
  if (n <= 0) return out;
  const BASE = 0x01000193;
  let top = 1;
  for (let t = 1; t < k; t++) top = Math.imul(top, BASE);
  let h = 0;
  for (let t = 0; t < k; t++) h = (Math.imul(h, BASE) + s[t]!) | 0;
  out[0] = h;
  for (let t = k; t < s.length; t++) {
    h = (Math.imul((h - Math.imul(s[t - k]!, top)) | 0, BASE) + s[t]!) | 0;
    out[t - k + 1] = h;
  }
  return out;
}

/** Maximal exact matches of at least k letters (each found once, from its start). */
function maximalMatches(A: Uint32Array, B: Uint32Array, k: number): Tile[] {
  const hA = windowHashes(A, k);
  const hB = windowHashes(B, k);
  const size = 1 << Math.max(4, Math.ceil(Math.log2(hB.length + 1)) + 1);
  const mask = size - 1;
  const head = new Int32Array(size).fill(-1);
  const next = new Int32Array(hB.length).fill(-1);
  // chains list positions in ascending order
  for (let j = hB.length - 1; j >= 0; j--) {
    const slot = (Math.imul(hB[j]!, 0x9e3779b1) >>> 0) & mask;
    next[j] = head[slot]!;
    head[slot] = j;
  }
  const tiles: Tile[] = [];
  for (let i = 0; i < hA.length; i++) {
    const h = hA[i]!;
    let tried = 0;
    for (let j = head[(Math.imul(h, 0x9e3779b1) >>> 0) & mask]!; j >= 0 && tried < MAX_OCCURRENCES; j = next[j]!) {
      if (hB[j] !== h) continue;
      tried++;
      // not the start of its diagonal run: found from an earlier start
      if (i > 0 && j > 0 && A[i - 1] === B[j - 1]) continue;
      let len = 0;
      while (i + len < A.length && j + len < B.length && A[i + len] === B[j + len]) len++;
      if (len >= k) tiles.push({ i, j, len });
    }
  }
  return tiles;
}

/** Longest first; ties by position, so the result is deterministic. */
function before(x: Tile, y: Tile): boolean {
  return x.len !== y.len ? x.len > y.len : x.i !== y.i ? x.i < y.i : x.j < y.j;
}

class TileHeap {
  private readonly items: Tile[] = [];
  get size(): number {
    return this.items.length;
  }
  push(t: Tile): void {
    const a = this.items;
    a.push(t);
    let c = a.length - 1;
    while (c > 0) {
      const p = (c - 1) >> 1;
      if (!before(a[c]!, a[p]!)) break;
      [a[c], a[p]] = [a[p]!, a[c]!];
      c = p;
    }
  }
  pop(): Tile {
    const a = this.items;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let p = 0;
      for (;;) {
        const l = 2 * p + 1;
        const r = l + 1;
        let m = p;
        if (l < a.length && before(a[l]!, a[m]!)) m = l;
        if (r < a.length && before(a[r]!, a[m]!)) m = r;
        if (m === p) break;
        [a[m], a[p]] = [a[p]!, a[m]!];
        p = m;
      }
    }
    return top;
  }
}

/** Disjoint intervals [start, end), sorted, that only grow: the letters tiles already use. */
class Used {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  /** Index of the first interval that ends after `p`. */
  private firstEndingAfter(p: number): number {
    let lo = 0;
    let hi = this.ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ends[mid]! <= p) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  add(start: number, end: number): void {
    const at = this.firstEndingAfter(start);
    this.starts.splice(at, 0, start);
    this.ends.splice(at, 0, end);
  }
  /** The used intervals that meet [start, end), shifted by -offset, appended to `out`. */
  overlaps(start: number, end: number, offset: number, out: [number, number][]): void {
    for (let x = this.firstEndingAfter(start); x < this.starts.length && this.starts[x]! < end; x++) {
      out.push([Math.max(start, this.starts[x]!) - offset, Math.min(end, this.ends[x]!) - offset]);
    }
  }
}

/** Greedy string tiling: non-overlapping tiles (in A and in B), longest first. */
function tile(A: Uint32Array, B: Uint32Array, k: number): Tile[] {
  const heap = new TileHeap();
  for (const t of maximalMatches(A, B, k)) heap.push(t);
  const usedA = new Used();
  const usedB = new Used();
  const tiles: Tile[] = [];
  const blocked: [number, number][] = [];
  while (heap.size > 0) {
    const t = heap.pop();
    blocked.length = 0;
    usedA.overlaps(t.i, t.i + t.len, t.i, blocked);
    usedB.overlaps(t.j, t.j + t.len, t.j, blocked);
    if (blocked.length === 0) {
      usedA.add(t.i, t.i + t.len);
      usedB.add(t.j, t.j + t.len);
      tiles.push(t);
      continue;
    }
    // requeue the free stretches of the diagonal that are still long enough
    blocked.sort((x, y) => x[0] - y[0]);
    let d = 0;
    for (const [from, to] of [...blocked, [t.len, t.len] as [number, number]]) {
      if (from - d >= k) heap.push({ i: t.i + d, j: t.j + d, len: from - d });
      d = Math.max(d, to);
    }
  }
  return tiles.sort((x, y) => x.i - y.i);
}

/** The heaviest (most letters) chain of tiles in increasing order in both texts. */
function backbone(tiles: readonly Tile[]): Set<Tile> {
  const n = tiles.length;
  if (n === 0) return new Set();
  // tiles are sorted by i; find the max-weight increasing subsequence in j with a Fenwick tree
  const ranks = tiles.map((t, idx) => ({ j: t.j, idx })).sort((x, y) => x.j - y.j);
  const rankOf = new Int32Array(n);
  ranks.forEach((r, rank) => (rankOf[r.idx] = rank + 1));
  const best = new Float64Array(n + 1);
  const bestAt = new Int32Array(n + 1).fill(-1);
  const prev = new Int32Array(n).fill(-1);
  const score = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    let q = 0;
    let from = -1;
    for (let r = rankOf[t]! - 1; r > 0; r -= r & -r) {
      if (best[r]! > q) {
        q = best[r]!;
        from = bestAt[r]!;
      }
    }
    score[t] = q + tiles[t]!.len;
    prev[t] = from;
    for (let r = rankOf[t]!; r <= n; r += r & -r) {
      if (score[t]! > best[r]!) {
        best[r] = score[t]!;
        bestAt[r] = t;
      }
    }
  }
  let end = 0;
  for (let t = 1; t < n; t++) if (score[t]! > score[end]!) end = t;
  const chain = new Set<Tile>();
  for (let t = end; t >= 0; t = prev[t]!) chain.add(tiles[t]!);
  return chain;
}

/** Letter p starts inside a character that letter p-1 also came from (`ﬁ` gives two letters). */
function midCluster(s: LetterStream, p: number): boolean {
  return p > 0 && p < s.letters.length && s.start[p] === s.start[p - 1];
}

/** A word boundary between letters p-1 and p: something other than letters lies between them. */
function wordBoundary(s: LetterStream, p: number): boolean {
  return p === 0 || p >= s.letters.length || s.start[p]! > s.end[p - 1]!;
}

/** Shrinks tiles so that no passage splits a character that yields several letters. */
function wholeCharacters(tiles: Tile[], A: LetterStream, B: LetterStream): Tile[] {
  for (const t of tiles) {
    while (t.len > 0 && (midCluster(A, t.i) || midCluster(B, t.j))) {
      t.i++;
      t.j++;
      t.len--;
    }
    while (t.len > 0 && (midCluster(A, t.i + t.len) || midCluster(B, t.j + t.len))) t.len--;
  }
  return tiles.filter((t) => t.len > 0);
}

/**
 * An insertion (or deletion) between two anchors can often slide: `dog[a]dvertisement` equals
 * `dog[advertisement]a` when the letters at its two ends match. Slide it to where it starts and
 * ends at word boundaries of the text it is in, as a reader would cut it.
 */
function slideGaps(anchors: Tile[], A: LetterStream, B: LetterStream): void {
  for (let x = 0; x + 1 < anchors.length; x++) {
    const t1 = anchors[x]!;
    const t2 = anchors[x + 1]!;
    const gapA = t2.i - (t1.i + t1.len);
    const gapB = t2.j - (t1.j + t1.len);
    if ((gapA === 0) === (gapB === 0)) continue; // nothing to slide, or a substitution
    const [S, g0, g1] = gapA === 0 ? [B.letters, t1.j + t1.len, t2.j] : [A.letters, t1.i + t1.len, t2.i];
    const stream = gapA === 0 ? B : A;
    let left = 0;
    while (left < t1.len - 1 && S[g0 - 1 - left] === S[g1 - 1 - left] && !midCluster(A, t1.i + t1.len - 1 - left) && !midCluster(B, t1.j + t1.len - 1 - left))
      left++;
    let right = 0;
    while (right < t2.len - 1 && S[g0 + right] === S[g1 + right] && !midCluster(A, t2.i + right + 1) && !midCluster(B, t2.j + right + 1)) right++;
    if (left === 0 && right === 0) continue;
    let best = 0;
    let bestScore = -1;
    for (let d = -left; d <= right; d++) {
      const score = (wordBoundary(stream, g0 + d) ? 2 : 0) + (wordBoundary(stream, g1 + d) ? 1 : 0);
      if (score > bestScore || (score === bestScore && Math.abs(d) < Math.abs(best))) {
        best = d;
        bestScore = score;
      }
    }
    t1.len += best;
    t2.i += best;
    t2.j += best;
    t2.len -= best;
  }
}

/** Marks letters that moved tiles use with a value no letter of the other text has. */
function withBlocked(s: Uint32Array, from: number, to: number, blocked: Uint8Array, sentinel: number): Uint32Array {
  const out = s.slice(from, to);
  for (let p = from; p < to; p++) if (blocked[p]) out[p - from] = sentinel;
  return out;
}

/**
 * Two passes, so that cost follows the differences rather than the repetitiveness of the text:
 * long matches (the seeds) are tiled over the whole texts, giving the in-order anchors and the
 * moved passages; then each gap between anchors is tiled on its own with the shortest match.
 */
function anchorsAndMoves(A: LetterStream, B: LetterStream, k: number, minMoved: number): { anchors: Tile[]; moved: Tile[] } {
  const seed = Math.min(minMoved, Math.max(k, 3 * k));
  const global = wholeCharacters(tile(A.letters, B.letters, seed), A, B);
  const chain = backbone(global);
  const moved = global.filter((t) => !chain.has(t) && t.len >= minMoved);
  const coarse = global.filter((t) => chain.has(t));
  if (seed === k) return { anchors: coarse, moved };
  const n = A.letters.length;
  const m = B.letters.length;
  const blockedA = new Uint8Array(n);
  const blockedB = new Uint8Array(m);
  for (const t of moved) {
    blockedA.fill(1, t.i, t.i + t.len);
    blockedB.fill(1, t.j, t.j + t.len);
  }
  const anchors: Tile[] = [];
  let pa = 0;
  let pb = 0;
  for (const t of [...coarse, { i: n, j: m, len: 0 }]) {
    if (t.i - pa >= k && t.j - pb >= k) {
      const local = wholeCharacters(
        tile(withBlocked(A.letters, pa, t.i, blockedA, 0xffffffff), withBlocked(B.letters, pb, t.j, blockedB, 0xfffffffe), k).map((x) => ({
          i: x.i + pa,
          j: x.j + pb,
          len: x.len,
        })),
        A,
        B,
      );
      const inOrder = backbone(local);
      for (const x of local) if (inOrder.has(x)) anchors.push(x);
    }
    if (t.len > 0) anchors.push(t);
    pa = t.i + t.len;
    pb = t.j + t.len;
  }
  return { anchors, moved };
}

export function alignStreams(A: LetterStream, B: LetterStream, textA: string, textB: string, opts: AlignOptions): Alignment {
  const n = A.letters.length;
  const m = B.letters.length;
  const k = Math.max(1, Math.min(opts.minMatch, n, m));
  const { anchors, moved } = n > 0 && m > 0 ? anchorsAndMoves(A, B, k, Math.max(k, opts.minMoved)) : { anchors: [], moved: [] };
  slideGaps(anchors, A, B);

  // Letter offsets to text offsets: a passage of letters [p, q) spans from letter p's character
  // (the text's start for p = 0) to letter q's character (the text's end for q = n).
  const at = (s: LetterStream, len: number, textLength: number) => (p: number) => (p === 0 ? 0 : p >= len ? textLength : s.start[p]!);
  const ax = at(A, n, textA.length);
  const bx = at(B, m, textB.length);
  const spanA = (p: number, q: number): Span => ({ start: ax(p), end: ax(q) });
  const spanB = (p: number, q: number): Span => ({ start: bx(p), end: bx(q) });

  // B's letters that moved tiles cover: shown at their place in A, skipped in B's gaps.
  const movedB = [...moved].sort((x, y) => x.j - y.j);
  const passages: Passage[] = [];
  const emitGapA = (from: number, to: number) => {
    let p = from;
    for (const t of moved) {
      if (t.i < from || t.i >= to) continue;
      if (t.i > p) passages.push({ kind: 'only-a', a: spanA(p, t.i), letters: t.i - p });
      passages.push({ kind: 'shared', a: spanA(t.i, t.i + t.len), b: spanB(t.j, t.j + t.len), letters: t.len, moved: true });
      p = t.i + t.len;
    }
    if (to > p) passages.push({ kind: 'only-a', a: spanA(p, to), letters: to - p });
  };
  const emitGapB = (from: number, to: number) => {
    let p = from;
    for (const t of movedB) {
      if (t.j < from || t.j >= to) continue;
      if (t.j > p) passages.push({ kind: 'only-b', b: spanB(p, t.j), letters: t.j - p });
      p = t.j + t.len;
    }
    if (to > p) passages.push({ kind: 'only-b', b: spanB(p, to), letters: to - p });
  };

  let pa = 0;
  let pb = 0;
  for (const t of anchors) {
    emitGapA(pa, t.i);
    emitGapB(pb, t.j);
    passages.push({ kind: 'shared', a: spanA(t.i, t.i + t.len), b: spanB(t.j, t.j + t.len), letters: t.len, moved: false });
    pa = t.i + t.len;
    pb = t.j + t.len;
  }
  emitGapA(pa, n);
  emitGapB(pb, m);

  // A text without letters is one passage of its own, so every character is accounted for.
  if (n === 0 && textA.length > 0) passages.unshift({ kind: 'only-a', a: { start: 0, end: textA.length }, letters: 0 });
  if (m === 0 && textB.length > 0) passages.push({ kind: 'only-b', b: { start: 0, end: textB.length }, letters: 0 });

  const shared = [...anchors, ...moved].reduce((s, t) => s + t.len, 0);
  return { passages, letters: { a: n, b: m }, shared };
}

/** Aligns two texts (see the module comment). */
export function alignTexts(textA: string, textB: string, opts: AlignOptions): Alignment {
  return alignStreams(letterStream(textA), letterStream(textB), textA, textB, opts);
}
