import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { intersectionSize } from '../src/core/sets.js';
import { estimateKeeps, jaccardFloor, sharedNeeded, sizesCanMatch } from '../src/core/similarity.js';
import { prescreenPairs, verifyPairs } from '../src/engine/verify.js';
import { HEAD_CUT, type SetPlace, SharedSets, STOP_CHANCE, setBytes } from '../src/kernels/intersect.js';
import { sortUnique } from '../src/text/shingle.js';

/** fast-check's seed: every run tries the same cases (a failure names its own seed and path to replay). */
const SEED = 20_240_601;

const sorted = (xs: number[]) => sortUnique(Uint32Array.from(xs)).slice();

/** A set of `n` distinct uniform 32-bit values from a small deterministic generator. */
function uniform(n: number, seed: number): number[] {
  let s = seed >>> 0 || 1;
  const out = new Set<number>();
  while (out.size < n) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out.add(s >>> 0);
  }
  return [...out];
}

// one memory for the whole file (each reserves address space up to 4 GiB), emptied before each use
const shared = SharedSets.create(64 << 20);
const empty = shared.used;

/** Sets copied into the shared memory (emptied first); returns it and their places. */
function placed(sets: Uint32Array[]): { mem: SharedSets; at: SetPlace[] } {
  const mem = shared;
  mem.release(empty);
  const at = sets.map((s) => {
    const v = mem.alloc(s.length)!;
    v.set(s);
    return mem.placeOf(v)!;
  });
  return { mem, at };
}

describe('SharedSets (WebAssembly SIMD intersection in shared memory)', () => {
  it('counts exactly what a merge counts, whatever the sizes and values (property)', () => {
    // small ranges force many equal values; the full range tests the unsigned comparisons
    const value = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }));
    const arb = fc.uniqueArray(value, { maxLength: 300 });
    fc.assert(
      fc.property(fc.array(arb, { minLength: 2, maxLength: 5 }), (xs) => {
        const sets = xs.map(sorted);
        const { mem, at } = placed(sets);
        for (let a = 0; a < sets.length; a++) {
          for (let b = 0; b < sets.length; b++) {
            expect(mem.shared(at[a]!, at[b]!, 0)).toBe(intersectionSize(sets[a]!, sets[b]!));
          }
        }
      }),
      { numRuns: 300, seed: SEED },
    );
  });

  it('returns the exact count when it reaches what is needed, and something below it when not', () => {
    const arb = fc.record({
      shared: fc.integer({ min: 0, max: 3000 }),
      onlyA: fc.integer({ min: 0, max: 3000 }),
      onlyB: fc.integer({ min: 0, max: 3000 }),
      needed: fc.integer({ min: 0, max: 6000 }),
      seed: fc.integer({ min: 1, max: 2 ** 31 }),
    });
    fc.assert(
      fc.property(arb, ({ shared, onlyA, onlyB, needed, seed }) => {
        const values = uniform(shared + onlyA + onlyB, seed);
        const a = sorted(values.slice(0, shared + onlyA));
        const b = sorted([...values.slice(0, shared), ...values.slice(shared + onlyA)]);
        const { mem, at } = placed([a, b]);
        const got = mem.shared(at[0]!, at[1]!, needed);
        if (shared >= needed) expect(got).toBe(shared);
        else expect(got).toBeLessThan(needed);
      }),
      { numRuns: 200, seed: SEED },
    );
  });

  it('gives up hopeless pairs early but keeps pairs just above the threshold (statistical stop)', () => {
    // 4,000 shingles each; containment 0.40 must stop, 0.66 against a 0.65 threshold must not
    for (const [share, kept] of [
      [0.4, false],
      [0.66, true],
      [0.65, true],
    ] as const) {
      for (let seed = 1; seed <= 20; seed++) {
        const n = 4000;
        const common = Math.round(share * n);
        const values = uniform(2 * n - common, seed * 7919);
        const a = sorted(values.slice(0, n));
        const b = sorted([...values.slice(0, common), ...values.slice(n)]);
        const needed = sharedNeeded('containment', 0.65, n, n);
        const { mem, at } = placed([a, b]);
        const got = mem.shared(at[0]!, at[1]!, needed);
        expect(got >= needed).toBe(kept);
        if (kept) expect(got).toBe(common);
        // a hopeless pair is given up on a sample: its count stops well short of the truth
        else expect(got).toBeLessThan(common / 2);
      }
    }
  });

  /** Pairs and the table of places written into the shared memory, as the scan writes them. */
  function verifyInput(mem: SharedSets, at: SetPlace[], pairs: [number, number][], sigs?: Uint32Array[]) {
    const places = mem.alloc(2 * at.length)!;
    at.forEach((p, d) => places.set(p, 2 * d));
    const list = mem.alloc(2 * pairs.length)!;
    pairs.forEach(([i, j], p) => list.set([i, j], 2 * p));
    let signatures: { at: number; k: number } | undefined;
    if (sigs) {
      const k = sigs[0]!.length;
      const all = mem.alloc(k * sigs.length)!;
      sigs.forEach((sig, d) => all.set(sig, d * k));
      signatures = { at: mem.placeOf(all)![0], k };
    }
    return { list, pairs: mem.placeOf(list)![0], places: mem.placeOf(places)![0], signatures };
  }

  it('verifyPairs keeps the pairs that have the shingles the threshold needs, with their exact counts', () => {
    const n = 1000;
    const values = uniform(3000, 99);
    const base = values.slice(0, n);
    const sets = [
      sorted(base),
      sorted([...base.slice(0, 900), ...values.slice(n, n + 100)]), // 0.9 of doc 0
      sorted([...base.slice(0, 500), ...values.slice(2000, 2500)]), // 0.5 of doc 0
    ];
    const { mem, at } = placed(sets);
    const input = verifyInput(mem, at, [
      [0, 1],
      [0, 2],
      [1, 2],
    ]);
    const out = verifyPairs({ metric: 'containment', threshold: 0.65, pairs: input.pairs, count: 3, places: input.places }, mem);
    expect(out).toEqual({ kept: 1, checked: 3 });
    expect([...input.list.subarray(0, 2)]).toEqual([0, 900]);
  });

  it('the kernel loop over pairs decides each pair as the JavaScript rule does (property)', () => {
    const arb = fc.record({
      docs: fc.array(fc.record({ from: fc.integer({ min: 0, max: 400 }), size: fc.integer({ min: 0, max: 900 }) }), { minLength: 2, maxLength: 8 }),
      metric: fc.constantFrom('containment' as const, 'jaccard' as const),
      threshold: fc.constantFrom(0.3, 0.5, 0.65, 0.8, 0.95),
      withSignatures: fc.boolean(),
      seed: fc.integer({ min: 1, max: 2 ** 31 }),
    });
    fc.assert(
      fc.property(arb, ({ docs, metric, threshold, withSignatures, seed }) => {
        // overlapping windows of one value list: every degree of overlap
        const values = uniform(1400, seed);
        const sets = docs.map(({ from, size }) => sorted(values.slice(from, from + size)));
        const k = 32;
        // signatures: the k smallest values' bins, roughly (only agreement matters here)
        const sigs = sets.map((set) => Uint32Array.from({ length: k }, (_, b) => set.find((v) => v % k === b) ?? 0xffffffff));
        const { mem, at } = placed(sets);
        const pairs: [number, number][] = [];
        for (let i = 0; i < sets.length; i++) for (let j = i + 1; j < sets.length; j++) pairs.push([i, j]);
        const input = verifyInput(mem, at, pairs, withSignatures ? sigs : undefined);
        const out = verifyPairs(
          { metric, threshold, pairs: input.pairs, count: pairs.length, places: input.places, ...(input.signatures ? { signatures: input.signatures } : {}) },
          mem,
        );
        // the JavaScript rule, pair by pair
        const want: number[] = [];
        let checked = 0;
        pairs.forEach(([i, j], p) => {
          const la = sets[i]!.length;
          const lb = sets[j]!.length;
          if (withSignatures) {
            let agree = 0;
            for (let b = 0; b < k; b++) if (sigs[i]![b] === sigs[j]![b]) agree++;
            if (!estimateKeeps(agree / k, k, jaccardFloor(metric, threshold, la, lb))) return;
          }
          checked++;
          const needed = sharedNeeded(metric, threshold, la, lb);
          const got = mem.shared(at[i]!, at[j]!, needed);
          if (got >= needed) want.push(p, got);
        });
        expect(out.checked).toBe(checked);
        expect([...input.list.subarray(0, 2 * out.kept)]).toEqual(want);
      }),
      { numRuns: 300, seed: SEED },
    );
  });

  it('allocates within its limit, frees back to a mark, and grows the memory as needed', () => {
    const mem = SharedSets.create(1 << 20);
    const start = mem.used;
    const a = mem.alloc(1000)!;
    expect(a.length).toBe(1000);
    expect(mem.used - start).toBe(setBytes(1000));
    expect(mem.alloc(1 << 20)).toBeNull(); // over the limit
    const mark = mem.used;
    mem.limit = mark + (64 << 20);
    const big = mem.alloc(8 << 20)!; // 32 MB: the memory grows
    big[big.length - 1] = 7;
    expect(big[big.length - 1]).toBe(7);
    mem.release(mark);
    expect(mem.used).toBe(mark);
    expect(mem.placeOf(new Uint32Array(4))).toBeUndefined();
  });
});

describe('signature agreement in the shared memory', () => {
  it('keeps exactly the pairs estimateCanMatch keeps (property)', async () => {
    const { estimateCanMatch, estimateKeeps } = await import('../src/core/similarity.js');
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 256 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 2 ** 31 }), (k, floor, seed) => {
        const a = Uint32Array.from(uniform(k, seed + 1));
        const b = a.slice();
        // make a seeded number of positions disagree
        const differ = seed % (k + 1);
        for (let i = 0; i < differ; i++) b[(i * 7919) % k] = a[(i * 7919) % k]! + 1;
        const all = new Uint32Array(2 * k);
        all.set(a);
        all.set(b, k);
        const { mem, at } = placed([all]);
        const same = mem.agreement(at[0]![0], at[0]![0] + k, k);
        expect(same).toBe(k - differ);
        expect(estimateKeeps(same / k, k, floor)).toBe(estimateCanMatch(a, b, floor));
      }),
      { numRuns: 500, seed: SEED },
    );
  });
});

describe('screening candidate pairs in the kernel', () => {
  it('keeps exactly the pairs the JavaScript rule keeps, in order (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 40 }),
        fc.integer({ min: 1, max: 64 }),
        fc.constantFrom('containment' as const, 'jaccard' as const),
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (docs, k, metric, threshold, seed) => {
          const rand = uniform(docs * (k + 3) + 64, seed + 1);
          // signatures that agree in a seeded number of positions with document 0's
          const sigs = new Uint32Array(docs * k);
          for (let d = 0; d < docs; d++) for (let i = 0; i < k; i++) sigs[d * k + i] = rand[d * 7 + i]! % 3 === 0 ? rand[i]! : rand[d * k + i]!;
          const sizes = Array.from({ length: docs }, (_, d) => rand[d]! % 50);
          const kept = Array.from({ length: docs }, (_, d) => (rand[d + 17]! % 3 === 0 ? 0 : 1));
          const pairs: number[] = [];
          for (let i = 0; i < docs; i++) for (let j = i + 1; j < docs; j++) if (rand[i * docs + j]! % 2) pairs.push(i, j);
          const n = pairs.length / 2;
          // the JavaScript rule scan used before the kernel
          const want: number[] = [];
          for (let p = 0; p < n; p++) {
            const [i, j] = [pairs[2 * p]!, pairs[2 * p + 1]!];
            const [na, nb] = [sizes[i]!, sizes[j]!];
            if (!sizesCanMatch(metric, threshold, na, nb)) continue;
            let agree = 0;
            for (let x = 0; x < k; x++) if (sigs[i * k + x] === sigs[j * k + x]) agree++;
            if (kept[i]! + kept[j]! < 2 && !estimateKeeps(agree / k, k, jaccardFloor(metric, threshold, na, nb))) continue;
            want.push(i, j);
          }
          const { mem, at } = placed([sigs, Uint32Array.from(sizes), new Uint32Array(Math.ceil(docs / 4)), Uint32Array.from(pairs.length ? pairs : [0])]);
          const keptBytes = new Uint8Array(mem.memory.buffer, at[2]![0] * 4, docs);
          keptBytes.set(kept);
          const count = mem.screen(at[3]![0], n, at[1]![0], at[2]![0] * 4, metric, threshold, { at: at[0]![0], k });
          const got = Array.from(new Uint32Array(mem.memory.buffer, at[3]![0] * 4, 2 * count));
          expect(got).toEqual(want);
        },
      ),
      { numRuns: 300, seed: SEED },
    );
  });
});

describe('prescreening pairs on the heads of their sets', () => {
  /** shared()'s first two looks, as intersect.ts writes them (A: the smaller set; of two of one size, the first). */
  function headLooksKeep(a: Uint32Array, b: Uint32Array, needed: number): boolean {
    if (b.length < a.length) [a, b] = [b, a];
    const m = a.length;
    if (needed > m) return false;
    if (needed === 0) return true;
    const p = needed / m;
    let shared = 0;
    let i = 0;
    let j = 0;
    for (const cut of [2 ** 28, 2 ** 29]) {
      const ie = a.findIndex((v, x) => x >= i && v >= cut);
      const je = b.findIndex((v, x) => x >= j && v >= cut);
      const [ie2, je2] = [ie < 0 ? a.length : ie, je < 0 ? b.length : je];
      shared += intersectionSize(a.subarray(i, ie2), b.subarray(j, je2));
      [i, j] = [ie2, je2];
      if (shared + Math.min(a.length - i, b.length - j) < needed) return false;
      if (i > 0 && i < m) {
        const margin = Math.sqrt((Math.log(1 / STOP_CHANCE) * (1 - (i - 1) / m)) / (2 * i));
        if (shared < i * (p - margin)) return false;
      }
    }
    return true;
  }

  it('lets through what the first two looks keep, the same on heads as on whole sets, and every pair verification keeps (property)', () => {
    const arb = fc.record({
      docs: fc.array(fc.record({ from: fc.integer({ min: 0, max: 600 }), size: fc.integer({ min: 0, max: 1200 }) }), { minLength: 2, maxLength: 8 }),
      metric: fc.constantFrom('containment' as const, 'jaccard' as const),
      threshold: fc.constantFrom(0.3, 0.5, 0.65, 0.8, 0.95),
      seed: fc.integer({ min: 1, max: 2 ** 31 }),
    });
    fc.assert(
      fc.property(arb, ({ docs, metric, threshold, seed }) => {
        const values = uniform(1800, seed);
        // some sets drop values above the head, so that pairs of every overlap are near the cut
        const sets = docs.map(({ from, size }, d) => sorted(values.slice(from, from + size).filter((v, x) => v < HEAD_CUT || (x + d) % 5 !== 0)));
        const heads = sets.map((s) => s.filter((v) => v < HEAD_CUT));
        const pairs: number[] = [];
        for (let i = 0; i < sets.length; i++) for (let j = i + 1; j < sets.length; j++) pairs.push(i, j);
        const n = pairs.length / 2;
        const run = (inMemory: Uint32Array[]) => {
          const { mem, at } = placed([...inMemory, new Uint32Array(2 * sets.length), Uint32Array.from(sets.map((s) => s.length)), Uint32Array.from(pairs)]);
          const places = mem.at(at[sets.length]!);
          inMemory.forEach((_, d) => places.set(at[d]!, 2 * d));
          const kept = prescreenPairs(
            { metric, threshold, pairs: at[sets.length + 2]![0], count: n, places: at[sets.length]![0], sizes: at[sets.length + 1]![0] },
            mem,
          );
          return Array.from(mem.at(at[sets.length + 2]!).subarray(0, kept));
        };
        const onWhole = run(sets);
        expect(run(heads)).toEqual(onWhole);
        const want: number[] = [];
        for (let p = 0; p < n; p++) {
          const [i, j] = [pairs[2 * p]!, pairs[2 * p + 1]!];
          const needed = sharedNeeded(metric, threshold, sets[i]!.length, sets[j]!.length);
          const keep = headLooksKeep(sets[i]!, sets[j]!, needed);
          if (keep) want.push(p);
          // a pair given up here is one verification does not keep
          if (!keep) expect(intersectionSize(sets[i]!, sets[j]!)).toBeLessThan(needed);
        }
        expect(onWhole).toEqual(want);
      }),
      { numRuns: 300, seed: SEED },
    );
  });
});

describe('sortUnique (WebAssembly bucket sort)', () => {
  it('gives the distinct values in ascending order, whatever the size (property)', () => {
    const value = fc.oneof(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.constantFrom(0, 2 ** 32 - 1));
    fc.assert(
      fc.property(fc.array(value, { maxLength: 3000 }), (xs) => {
        const expected = [...new Set(xs)].sort((x, y) => x - y);
        expect([...sortUnique(Uint32Array.from(xs))]).toEqual(expected);
      }),
      { numRuns: 300, seed: SEED },
    );
  });
  it('sorts a large array (the kernel memory grows)', () => {
    const xs = uniform(300_000, 5);
    const got = sortUnique(Uint32Array.from([...xs, ...xs.slice(0, 1000)]));
    expect(got.length).toBe(300_000);
    for (let i = 1; i < got.length; i++) expect(got[i]! > got[i - 1]!).toBe(true);
  });
});
