import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fmix32, hashString } from '../src/core/hash.js';
import { bandKeys, candidateProbability, chooseBands } from '../src/core/lsh.js';
import { EMPTY_BIN, estimateJaccard, minhashSignature } from '../src/core/minhash.js';
import { intersectionSize } from '../src/core/sets.js';
import { shingleHashes, sortUnique as sortUniqueView } from '../src/text/shingle.js';

const sortUnique = (a: Uint32Array) => sortUniqueView(a).slice();

function randomSet(n: number, seed: number): Uint32Array {
  const out = new Uint32Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = fmix32(x + 0x9e3779b9);
    out[i] = x;
  }
  return sortUnique(out);
}

/** Two sets with exactly `shared` common elements and `onlyA`/`onlyB` private ones. */
function overlapping(shared: number, onlyA: number, onlyB: number, seed: number): [Uint32Array, Uint32Array, number] {
  const pool = randomSet(shared + onlyA + onlyB + 64, seed);
  const common = pool.subarray(0, shared);
  const a = sortUnique(Uint32Array.from([...common, ...pool.subarray(shared, shared + onlyA)]));
  const b = sortUnique(Uint32Array.from([...common, ...pool.subarray(shared + onlyA, shared + onlyA + onlyB)]));
  const inter = intersectionSize(a, b);
  return [a, b, inter / (a.length + b.length - inter)];
}

describe('hash', () => {
  it('fmix32 is a bijection on a sample and avalanches', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 10000; i++) seen.add(fmix32(i));
    expect(seen.size).toBe(10000);
    expect(fmix32(1) ^ fmix32(0)).not.toBe(1);
  });
  it('hashString depends on the seed and the string', () => {
    expect(hashString('abc', 1)).toBe(hashString('abc', 1));
    expect(hashString('abc', 1)).not.toBe(hashString('abc', 2));
    expect(hashString('abc', 1)).not.toBe(hashString('acb', 1));
  });
});

describe('shingleHashes', () => {
  const units = (s: string) => Uint32Array.from([...s].map((c) => c.codePointAt(0)!));
  it('is sorted, distinct, and counts distinct windows', () => {
    const h = shingleHashes(units('abcabcabc'), 3, 1);
    expect(h.length).toBe(3); // abc, bca, cab
    for (let i = 1; i < h.length; i++) expect(h[i]!).toBeGreaterThan(h[i - 1]!);
  });
  it('rolling hash equals hashing each window from scratch', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0x10ffff }), { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 9 }), (arr, k) => {
        const u = Uint32Array.from(arr);
        const rolled = shingleHashes(u, k, 7);
        const windows = new Set<number>();
        if (u.length < k) windows.add(shingleHashes(u, k, 7)[0]!);
        for (let i = 0; i + k <= u.length; i++) windows.add(shingleHashes(u.slice(i, i + k), k, 7)[0]!);
        expect([...rolled]).toEqual([...windows].sort((a, b) => a - b));
      }),
    );
  });
  it('a text shorter than the shingle size has one shingle; empty has none', () => {
    expect(shingleHashes(units('ab'), 9, 1).length).toBe(1);
    expect(shingleHashes(new Uint32Array(0), 9, 1).length).toBe(0);
    expect(shingleHashes(units('ab'), 9, 1)[0]).not.toBe(shingleHashes(units('ba'), 9, 1)[0]);
  });
  it('is shift invariant: the same windows give the same hashes wherever they are', () => {
    const a = shingleHashes(units('xxhelloworld'), 5, 3);
    const b = shingleHashes(units('helloworldyy'), 5, 3);
    expect(intersectionSize(a, b)).toBe(6); // hello ellow llowo lowor oworl world
  });
});

describe('minhashSignature (one-permutation hashing with densification)', () => {
  it('identical sets give identical signatures and estimate 1', () => {
    const a = randomSet(500, 1);
    expect(estimateJaccard(minhashSignature(a, 128, 1), minhashSignature(a.slice(), 128, 1))).toBe(1);
  });
  it('an empty set gives the empty signature', () => {
    expect([...minhashSignature(new Uint32Array(0), 16, 1)].every((v) => v === EMPTY_BIN)).toBe(true);
  });
  it('has no empty bins for a non-empty set, even a tiny one', () => {
    const sig = minhashSignature(Uint32Array.of(12345), 128, 1);
    expect(sig.every((v) => v === 12345)).toBe(true);
  });
  it('is symmetric', () => {
    const [a, b] = overlapping(300, 100, 50, 3);
    const sa = minhashSignature(a, 128, 9);
    const sb = minhashSignature(b, 128, 9);
    expect(estimateJaccard(sa, sb)).toBe(estimateJaccard(sb, sa));
  });
  it('refuses to compare signatures of different lengths', () => {
    expect(() => estimateJaccard(new Uint32Array(4), new Uint32Array(8))).toThrow(RangeError);
  });
  it('estimates stay within 4 standard errors of the exact Jaccard, and are unbiased on average', () => {
    const K = 128;
    let totalErr = 0;
    let trials = 0;
    for (const [shared, oa, ob] of [
      [900, 50, 50],
      [500, 250, 250],
      [200, 400, 400],
      [30, 5, 10],
      [5, 3, 2],
      [1000, 3000, 0],
    ] as const) {
      for (let seed = 1; seed <= 20; seed++) {
        const [a, b, j] = overlapping(shared, oa, ob, seed * 7919 + shared);
        const est = estimateJaccard(minhashSignature(a, K, seed), minhashSignature(b, K, seed));
        const se = Math.sqrt((j * (1 - j)) / K);
        expect(Math.abs(est - j)).toBeLessThanOrEqual(4 * se + 1 / K);
        totalErr += est - j;
        trials++;
      }
    }
    expect(Math.abs(totalErr / trials)).toBeLessThan(0.02);
  });
});

describe('LSH band choice', () => {
  it('guarantees P(candidate | J = target) >= 0.95 with bands x rows <= numPerm', () => {
    for (const t of [0.3, 0.5, 0.6, 0.8, 0.9, 0.95]) {
      for (const k of [64, 128, 256]) {
        const { bands, rows } = chooseBands(t, k, 0.95);
        expect(bands * rows).toBeLessThanOrEqual(k);
        expect(candidateProbability(t, bands, rows)).toBeGreaterThanOrEqual(0.95);
        // one more row per band would miss the target
        const more = Math.floor(k / (rows + 1));
        if (more >= 1) expect(candidateProbability(t, more, rows + 1)).toBeLessThan(0.95);
      }
    }
  });
  it('band keys agree exactly on the bands whose rows agree', () => {
    const a = Uint32Array.from({ length: 8 }, (_, i) => i);
    const b = a.slice();
    b[5] = 99;
    const ka = bandKeys(a, 4, 2);
    const kb = bandKeys(b, 4, 2);
    expect([ka[0] === kb[0], ka[1] === kb[1], ka[2] === kb[2], ka[3] === kb[3]]).toEqual([true, true, false, true]);
  });
});
