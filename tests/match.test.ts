import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { components } from '../src/core/cluster.js';
import { bandKeys } from '../src/core/lsh.js';
import { estimateCanMatch, exactScores, jaccardFloor, meetsThreshold, sharedNeeded, sizesCanMatch } from '../src/core/similarity.js';
import { chunkBudget, inBudgetedChunks } from '../src/engine/match.js';
import { candidatePairs, candidatePairsOfSignatures, PAIR_BASE, signatureBandKeys, unpackPair } from '../src/kernels/candidates.js';
import { DEFAULTS, resolveOptions } from '../src/options/scan.js';
import { sortUnique as sortUniqueView } from '../src/text/shingle.js';

const sortUnique = (a: Uint32Array) => sortUniqueView(a).slice();

const set = (...xs: number[]) => sortUnique(Uint32Array.from(xs));

describe('exactScores', () => {
  it('scores identical sets 1.0', () => {
    expect(exactScores(set(1, 2, 3), set(1, 2, 3))).toEqual({ shared: 3, jaccard: 1, containment: 1 });
  });
  it('computes Jaccard and containment over the smaller set', () => {
    const s = exactScores(set(1, 2, 3, 4), set(3, 4, 5, 6, 7, 8));
    expect(s.shared).toBe(2);
    expect(s.jaccard).toBeCloseTo(2 / 8);
    expect(s.containment).toBeCloseTo(2 / 4);
  });
  it('is symmetric, bounded, and containment >= jaccard (property)', () => {
    const arb = fc.uniqueArray(fc.integer({ min: 0, max: 200 }), { maxLength: 80 });
    fc.assert(
      fc.property(arb, arb, (xa, xb) => {
        const a = set(...xa);
        const b = set(...xb);
        const ab = exactScores(a, b);
        const ba = exactScores(b, a);
        expect(ab).toEqual(ba);
        expect(ab.jaccard).toBeGreaterThanOrEqual(0);
        expect(ab.jaccard).toBeLessThanOrEqual(1);
        expect(ab.containment).toBeGreaterThanOrEqual(ab.jaccard);
        const inter = xa.filter((x) => xb.includes(x)).length;
        expect(ab.shared).toBe(inter);
      }),
    );
  });
});

describe('threshold bounds', () => {
  it('jaccardFloor is the Jaccard of a pair exactly at the containment threshold', () => {
    // sizes 50 and 100, containment 0.6: 30 shared, union 120 -> J = 0.25
    expect(jaccardFloor('containment', 0.6, 50, 100)).toBeCloseTo(0.25);
    expect(jaccardFloor('jaccard', 0.8, 50, 100)).toBe(0.8);
  });
  it('sizesCanMatch rules out Jaccard pairs whose sizes are too different', () => {
    expect(sizesCanMatch('jaccard', 0.8, 79, 100)).toBe(false);
    expect(sizesCanMatch('jaccard', 0.8, 80, 100)).toBe(true);
    expect(sizesCanMatch('containment', 0.8, 1, 100)).toBe(true);
  });
  it('estimateCanMatch never rejects identical signatures, and rejects disjoint ones', () => {
    const a = Uint32Array.from({ length: 128 }, (_, i) => i);
    const b = Uint32Array.from({ length: 128 }, (_, i) => i + 1000);
    expect(estimateCanMatch(a, a, 0.9)).toBe(true);
    expect(estimateCanMatch(a, b, 0.5)).toBe(false);
  });
  it('meetsThreshold uses the chosen metric, inclusive', () => {
    const s = { shared: 1, jaccard: 0.5, containment: 0.8 };
    expect(meetsThreshold('jaccard', 0.5, s)).toBe(true);
    expect(meetsThreshold('jaccard', 0.51, s)).toBe(false);
    expect(meetsThreshold('containment', 0.8, s)).toBe(true);
  });
});

describe('candidatePairs', () => {
  it('pairs exactly the documents that share a band key, each pair once', () => {
    const bands = 2;
    // doc: [band0, band1]
    const keys = Uint32Array.from([5, 1, 5, 2, 7, 2, 9, 9, 5, 3]);
    const { pairs } = candidatePairs(keys, 5, bands, () => true);
    const got = [...pairs].map(unpackPair);
    expect(got).toEqual([
      [0, 1],
      [0, 4],
      [1, 2],
      [1, 4],
    ]);
  });
  it('leaves out ineligible documents', () => {
    const keys = Uint32Array.from([1, 1, 1]);
    const { pairs } = candidatePairs(keys, 3, 1, (d) => d !== 1);
    expect([...pairs].map(unpackPair)).toEqual([[0, 2]]);
  });
  it('finds the same pairs as a brute-force comparison (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 60 }), (bands, raw) => {
        const n = Math.floor(raw.length / bands);
        const keys = Uint32Array.from(raw.slice(0, n * bands));
        const { pairs } = candidatePairs(keys, n, bands, () => true);
        const expected: [number, number][] = [];
        for (let i = 0; i < n; i++)
          for (let j = i + 1; j < n; j++) {
            let hit = false;
            for (let b = 0; b < bands; b++) if (keys[i * bands + b] === keys[j * bands + b]) hit = true;
            if (hit) expected.push([i, j]);
          }
        expect([...pairs].map(unpackPair)).toEqual(expected);
      }),
    );
  });
});

describe('components', () => {
  it('groups transitively and leaves singletons out', () => {
    expect(
      components(7, [
        [5, 6],
        [0, 2],
        [2, 4],
      ]),
    ).toEqual([
      [0, 2, 4],
      [5, 6],
    ]);
  });
  it('does not depend on edge order (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 20 }))), (edges) => {
        const a = components(21, edges);
        const b = components(
          21,
          [...edges].reverse().map(([x, y]) => [y, x] as const),
        );
        expect(a).toEqual(b);
        // scored pairs ({ a, b }) are edges too
        expect(
          components(
            21,
            edges.map(([x, y]) => ({ a: x, b: y })),
          ),
        ).toEqual(a);
      }),
    );
  });
  it('are the connected components, as a reference search finds them (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 30 })), { maxLength: 40 }), (edges) => {
        const next = new Map<number, number[]>();
        for (const [x, y] of edges) {
          next.set(x, [...(next.get(x) ?? []), y]);
          next.set(y, [...(next.get(y) ?? []), x]);
        }
        const seen = new Set<number>();
        const expected: number[][] = [];
        for (let start = 0; start <= 30; start++) {
          if (!next.has(start) || seen.has(start)) continue;
          const comp: number[] = [];
          const stack = [start];
          seen.add(start);
          while (stack.length) {
            const x = stack.pop()!;
            comp.push(x);
            for (const y of next.get(x)!)
              if (!seen.has(y)) {
                seen.add(y);
                stack.push(y);
              }
          }
          if (comp.length > 1) expected.push(comp.sort((p, q) => p - q));
        }
        expect(components(31, edges)).toEqual(expected);
      }),
    );
  });
});

describe('early exit', () => {
  it('sharedNeeded never exceeds what a qualifying pair shares, and is tight within one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 1, max: 400 }), fc.double({ min: 0.05, max: 1, noNaN: true }), (na, nb, t) => {
        for (const metric of ['jaccard', 'containment'] as const) {
          const need = sharedNeeded(metric, t, na, nb);
          const score = (shared: number) => ({
            shared,
            jaccard: shared / (na + nb - shared),
            containment: shared / Math.min(na, nb),
          });
          // safety: one shingle fewer than `need` never meets the threshold
          if (need >= 1) expect(meetsThreshold(metric, t, score(need - 1))).toBe(false);
          // tightness: one more than `need` always does (when possible)
          if (need + 1 <= Math.min(na, nb)) expect(meetsThreshold(metric, t, score(need + 1))).toBe(true);
        }
      }),
    );
  });
  it('an early-exit count is exact whenever it reaches what was needed', () => {
    const arb = fc.uniqueArray(fc.integer({ min: 0, max: 3000 }), { maxLength: 400 });
    fc.assert(
      fc.property(arb, arb, fc.integer({ min: 0, max: 400 }), (xa, xb, need) => {
        const a = sortUnique(Uint32Array.from(xa));
        const b = sortUnique(Uint32Array.from(xb));
        const full = exactScores(a, b).shared;
        const early = exactScores(a, b, need).shared;
        if (full >= need) expect(early).toBe(full);
        else expect(early).toBeLessThan(need);
      }),
    );
  });
});

describe('candidatePairs: bucket cap', () => {
  it('pairs a bucket over the cap by a window of neighbours in document order, not all pairs', () => {
    const keys = Uint32Array.from({ length: 10 }, () => 7); // one band, ten documents, one bucket
    const { pairs, stats } = candidatePairs(keys, 10, 1, () => true, { maxBucket: 4, window: 2 });
    const got = [...pairs].map(unpackPair);
    const expected: [number, number][] = [];
    for (let i = 0; i < 10; i++) for (let j = i + 1; j <= Math.min(9, i + 2); j++) expected.push([i, j]);
    expect(got).toEqual(expected);
    expect(stats).toMatchObject({ capped: 1, largestBucket: 10 });
  });
  it('expands buckets at or under the cap fully', () => {
    const keys = Uint32Array.from({ length: 4 }, () => 7);
    const { pairs } = candidatePairs(keys, 4, 1, () => true, { maxBucket: 4, window: 1 });
    expect(pairs.length).toBe(6);
  });
  it('matches a reference (a map of buckets per band) on keys over the whole 32-bit range, caps and eligibility (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 120 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 0, max: 6 }),
        (bands, raw, maxBucket, window, skipEvery) => {
          const n = Math.floor(raw.length / bands);
          // a few distinct keys, spread over all 32 bits (every radix digit matters)
          const keys = Uint32Array.from(raw.slice(0, n * bands), (v) => Math.imul(v + 1, 0x9e3779b1) >>> 0);
          const eligible = (d: number) => skipEvery === 0 || d % (skipEvery + 1) !== 0;
          const { pairs, stats } = candidatePairs(keys, n, bands, eligible, { maxBucket, window });
          const expected = new Set<number>();
          const want = { buckets: 0, largestBucket: 0, capped: 0 };
          for (let b = 0; b < bands; b++) {
            const buckets = new Map<number, number[]>();
            for (let d = 0; d < n; d++) {
              if (!eligible(d)) continue;
              const key = keys[d * bands + b]!;
              buckets.set(key, [...(buckets.get(key) ?? []), d]);
            }
            for (const members of buckets.values()) {
              if (members.length < 2) continue;
              want.buckets++;
              want.largestBucket = Math.max(want.largestBucket, members.length);
              if (members.length > maxBucket) want.capped++;
              const reach = members.length > maxBucket ? window : members.length;
              for (let x = 0; x < members.length; x++) {
                for (let y = x + 1; y < members.length && y <= x + reach; y++) expected.add(members[x]! * PAIR_BASE + members[y]!);
              }
            }
          }
          expect([...pairs]).toEqual([...expected].sort((p, q) => p - q));
          expect(stats).toEqual(want);
        },
      ),
    );
  });
  it('from signatures: the band keys bandKeys makes, and the same pairs as from them (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 3 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 400 }),
        (bands, rows, spare, raw) => {
          const k = bands * rows + spare;
          const n = Math.floor(raw.length / k);
          // few distinct values, so that bands agree; spread over 32 bits
          const sigs = Uint32Array.from(raw.slice(0, n * k), (v) => Math.imul(v + 7, 0x85ebca6b) >>> 0);
          const keys = new Uint32Array(n * bands);
          for (let d = 0; d < n; d++) keys.set(bandKeys(sigs.subarray(d * k, (d + 1) * k), bands, rows), d * bands);
          const cap = { maxBucket: 3, window: 1 };
          expect([...signatureBandKeys(sigs, n, k, bands, rows)]).toEqual([...keys]);
          const fromKeys = candidatePairs(keys, n, bands, () => true, cap);
          const fromSigs = candidatePairsOfSignatures(sigs, n, k, bands, rows, cap);
          expect([...fromSigs.ends]).toEqual([...fromKeys.pairs].flatMap(unpackPair));
          expect(fromSigs.stats).toEqual(fromKeys.stats);
        },
      ),
    );
  });
  it('from signatures, a few thousand at a time: the same keys and pairs for 5,000 documents of 128 values', () => {
    const n = 5000;
    const k = 128;
    const [bands, rows] = [42, 3];
    // documents in fours that share most values, so that many bands agree
    const sigs = new Uint32Array(n * k);
    for (let d = 0; d < n; d++) for (let i = 0; i < k; i++) sigs[d * k + i] = Math.imul((i % 5 === d % 4 ? d : d >> 2) * 131 + i + 1, 0x9e3779b1) >>> 0;
    const keys = new Uint32Array(n * bands);
    for (let d = 0; d < n; d++) keys.set(bandKeys(sigs.subarray(d * k, (d + 1) * k), bands, rows), d * bands);
    expect([...signatureBandKeys(sigs, n, k, bands, rows)]).toEqual([...keys]);
    const fromSigs = candidatePairsOfSignatures(sigs, n, k, bands, rows);
    expect(fromSigs.ends.length / 2).toBeGreaterThan(n / 2);
    expect([...fromSigs.ends]).toEqual([...candidatePairs(keys, n, bands, () => true).pairs].flatMap(unpackPair));
  });
  it('drops repeats while it goes when they pile up (a million pairs a band), with the same result', () => {
    // 1,500 documents with one key in each of 3 bands: 1,124,250 pairs a band, each 3 times
    const n = 1500;
    const keys = new Uint32Array(n * 3).fill(42);
    const { pairs, stats } = candidatePairs(keys, n, 3, () => true);
    expect(pairs.length).toBe((n * (n - 1)) / 2);
    expect(stats).toEqual({ buckets: 3, largestBucket: n, capped: 0 });
    for (let p = 1; p < pairs.length; p++) if (!(pairs[p - 1]! < pairs[p]!)) expect.fail(`not ascending at ${p}`);
    expect(unpackPair(pairs[0]!)).toEqual([0, 1]);
    expect(unpackPair(pairs[pairs.length - 1]!)).toEqual([n - 2, n - 1]);
  });
});

describe('verification chunks (sets read back within the memory budget)', () => {
  const settings = (memoryBudget: number) => resolveOptions({ memoryBudget });
  /** The chunks cut from `pairs` (each pair's ends side by side) when every document needs `each` bytes. */
  async function chunks(pairs: number[], documents: number, each: number, budget: number) {
    const runs: { from: number; to: number; need: number[]; bytes: number }[] = [];
    await inBudgetedChunks(
      documents,
      pairs.length / 2,
      (x) => pairs[2 * x]!,
      (x) => pairs[2 * x + 1]!,
      () => each,
      budget,
      async (from, to, need, bytes) => void runs.push({ from, to, need: [...need], bytes }),
    );
    return runs;
  }

  it('a chunk ends with the pair that passes the budget; each document is read once a chunk', async () => {
    // a chain of pairs 0-1, 1-2, 2-3, ...: 10 bytes a document, budget 25 bytes
    const pairs = Array.from({ length: 6 }, (_, i) => [i, i + 1]).flat();
    const runs = await chunks(pairs, 7, 10, 25);
    expect(runs.map((r) => [r.from, r.to])).toEqual([
      [0, 2],
      [2, 4],
      [4, 6],
    ]);
    expect(runs[0]).toMatchObject({ need: [0, 1, 2], bytes: 30 });
    expect(runs[2]).toMatchObject({ need: [4, 5, 6], bytes: 30 });
  });
  it('half the memory budget, but never below the floor: --memory 0 does not mean a chunk per pair', async () => {
    expect(chunkBudget(settings(256 * 1024 * 1024))).toBe(128 * 1024 * 1024);
    expect(chunkBudget(settings(0))).toBe(DEFAULTS.minSetChunk);
    expect(chunkBudget(settings(1))).toBe(DEFAULTS.minSetChunk);
    // 2,000 pairs of 4 KB sets (1,000 documents, ~4 MB): a handful of chunks, not 2,000
    const pairs = Array.from({ length: 2000 }, (_, i) => [i % 1000, (i * 7 + 1) % 1000]).flat();
    const runs = await chunks(pairs, 1000, 4096, chunkBudget(settings(0)));
    expect(runs.length).toBeGreaterThan(1);
    expect(runs.length).toBeLessThanOrEqual(Math.ceil((2 * 2000 * 4096) / DEFAULTS.minSetChunk));
    expect(runs.at(-1)!.to).toBe(2000);
  });
});
