/**
 * The WebAssembly kernels as built and loaded: the committed modules are what
 * scripts/build-wasm.mjs builds from their sources, with their functions' names; one loader
 * compiles each once; where a kernel cannot run, its wrapper's stand-in or a clear error. And
 * the candidates, store and json kernels against their TypeScript references (sketch and
 * intersect: tests/sketch-kernel.test.ts and tests/intersect.test.ts).
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { bandKeys } from '../src/core/lsh.js';
import { candidatePairsOfSignatures, PAIR_BASE, signatureBandKeys } from '../src/kernels/candidates.js';
import { encodeSortedU32, sharedWithEncoded } from '../src/kernels/codec.js';
import { SharedSets } from '../src/kernels/intersect.js';
import { type Op, RowKernel } from '../src/kernels/json.js';
import { type KernelName, loadKernel, replaceKernel, tryLoadKernel } from '../src/kernels/loader.js';
import { SketchKernel } from '../src/kernels/sketch.js';
import { encodeSet, QueryKernel } from '../src/kernels/store.js';
import { NearDupError } from '../src/model/errors.js';

/** fast-check's seed: every run tries the same cases (a failure names its own seed and path to replay). */
const SEED = 20_240_601;

interface Kernel {
  name: KernelName;
  source: string;
  target: string;
  constant: string;
}
// @ts-expect-error a script without types
const build = (await import('../scripts/build-wasm.mjs')) as { KERNELS: Kernel[]; generate: (k: Kernel) => Promise<string> };

/** The bytes of a generated module (`*-wasm.ts`). */
async function committedBytes(k: Kernel): Promise<Uint8Array> {
  const module = (await import(`../${k.target.replace(/\.ts$/, '.js')}`)) as Record<string, string>;
  return Buffer.from(module[k.constant]!, 'base64');
}

/** The function names in a module's "name" custom section (function index -> name). */
function functionNames(bytes: Uint8Array): Map<number, string> {
  let p = 8;
  const leb = () => {
    let v = 0;
    let shift = 0;
    let b: number;
    do {
      b = bytes[p++]!;
      v += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    return v;
  };
  const text = (n: number) => Buffer.from(bytes.subarray(p, (p += n))).toString('utf8');
  const names = new Map<number, string>();
  while (p < bytes.length) {
    const id = bytes[p++]!;
    const end = leb() + p;
    if (id === 0 && text(leb()) === 'name') {
      while (p < end) {
        const sub = bytes[p++]!;
        const subEnd = leb() + p;
        if (sub === 1) for (let count = leb(); count > 0; count--) names.set(leb(), text(leb()));
        p = subEnd;
      }
    }
    p = end;
  }
  return names;
}

describe('the kernels as built', () => {
  it('are the five, each built from its AssemblyScript source', () => {
    expect(build.KERNELS.map((k) => [k.name, k.source])).toEqual([
      ['sketch', 'src/kernels/assembly/sketch.ts'],
      ['intersect', 'src/kernels/assembly/intersect.ts'],
      ['candidates', 'src/kernels/assembly/candidates.ts'],
      ['store', 'src/kernels/assembly/store.ts'],
      ['json', 'src/kernels/assembly/json.ts'],
    ]);
  });

  for (const k of build.KERNELS) {
    it(`the committed ${k.target} is what its source builds to (run npm run build:wasm after editing ${k.source})`, async () => {
      const committed = readFileSync(new URL(`../${k.target}`, import.meta.url), 'utf8');
      expect(await build.generate(k)).toBe(committed);
    });
  }

  it('each binary names its functions (profiles and stack traces show the names)', async () => {
    const exported: Record<KernelName, string[]> = {
      sketch: ['mixBytes', 'mixWide', 'mixUnits', 'shingle', 'sortUnique', 'bins'],
      intersect: ['count', 'agree', 'verify', 'screen', 'prescreen'],
      candidates: ['band', 'emit', 'dedupe', 'keys'],
      store: ['agreements', 'shared', 'shared_many', 'encode'],
      json: ['rows'],
    };
    for (const k of build.KERNELS) {
      const names = [...functionNames(await committedBytes(k)).values()];
      for (const f of exported[k.name]) expect(names).toContain(`${k.name}/${f}`);
    }
  });
});

describe('the loader', () => {
  afterEach(() => {
    for (const name of ['sketch', 'intersect', 'candidates', 'store', 'json'] as const) replaceKernel(name, undefined);
  });

  it('compiles a module once per thread, and makes an instance (its own memory) per use', () => {
    const compiling = WebAssembly.Module;
    let compiled = 0;
    (WebAssembly as { Module: unknown }).Module = new Proxy(compiling, {
      construct(target, args) {
        compiled++;
        return Reflect.construct(target, args);
      },
    });
    try {
      replaceKernel('candidates', undefined);
      const a = loadKernel<{ memory: WebAssembly.Memory }>('candidates');
      const b = loadKernel<{ memory: WebAssembly.Memory }>('candidates');
      expect(compiled).toBe(1);
      expect(a.memory).not.toBe(b.memory);
    } finally {
      (WebAssembly as { Module: unknown }).Module = compiling;
    }
  });

  it('where a kernel cannot run, store and json use their JavaScript stand-ins', () => {
    replaceKernel('store', null);
    replaceKernel('json', null);
    expect(tryLoadKernel('store')).toBeNull();
    const q = new QueryKernel();
    expect(q.webAssembly).toBe(false);
    q.load(Uint32Array.from([1, 5, 9]), Uint32Array.from([3, 4]));
    expect(q.shared(encodeSortedU32(Uint32Array.from([5, 9, 10])), 3, 0)).toBe(2);
    expect([...q.agreements(Uint32Array.from([3, 4, 3, 0]), 2)]).toEqual([2, 1]);
    expect(RowKernel.open(['"a"'], [[{ text: 'x' }]])).toBeNull();
  });

  it('where a kernel cannot run, sketch, intersect and candidates stop with an error that names it and what it needs', () => {
    const cases: [KernelName, () => unknown, RegExp][] = [
      ['sketch', () => new SketchKernel(), /^cannot start the sketch kernel \(WebAssembly with SIMD is needed\): /],
      ['intersect', () => SharedSets.create(1 << 20), /^cannot start the verification kernel \(WebAssembly with SIMD and threads is needed\): /],
      ['candidates', () => signatureBandKeys(new Uint32Array(4), 1, 4, 2, 2), /^cannot start the candidate-pair kernel \(WebAssembly is needed\): /],
    ];
    for (const [name, start, message] of cases) {
      replaceKernel(name, null);
      expect(start).toThrow(NearDupError);
      expect(start).toThrow(message);
    }
  });
});

describe('candidates kernel against its reference', () => {
  it('band keys as bandKeys makes them, and the pairs of documents that share one, each once, sorted, buckets capped (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 3 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 500 }),
        fc.integer({ min: 2, max: 8 }),
        fc.integer({ min: 0, max: 4 }),
        (bands, rows, spare, raw, maxBucket, window) => {
          const k = bands * rows + spare;
          const n = Math.floor(raw.length / k);
          // few distinct values, so that bands agree; spread over 32 bits
          const sigs = Uint32Array.from(raw.slice(0, n * k), (v) => Math.imul(v + 7, 0x85ebca6b) >>> 0);
          const keys = new Uint32Array(n * bands);
          for (let d = 0; d < n; d++) keys.set(bandKeys(sigs.subarray(d * k, (d + 1) * k), bands, rows), d * bands);
          expect([...signatureBandKeys(sigs, n, k, bands, rows)]).toEqual([...keys]);
          // the reference: a map of buckets per band; a bucket over the cap pairs each member with the next `window`
          const expected = new Set<number>();
          const stats = { buckets: 0, largestBucket: 0, capped: 0 };
          for (let b = 0; b < bands; b++) {
            const buckets = new Map<number, number[]>();
            for (let d = 0; d < n; d++) buckets.set(keys[d * bands + b]!, [...(buckets.get(keys[d * bands + b]!) ?? []), d]);
            for (const members of buckets.values()) {
              if (members.length < 2) continue;
              stats.buckets++;
              stats.largestBucket = Math.max(stats.largestBucket, members.length);
              if (members.length > maxBucket) stats.capped++;
              const reach = members.length > maxBucket ? window : members.length;
              for (let x = 0; x < members.length; x++) {
                for (let y = x + 1; y < members.length && y <= x + reach; y++) expected.add(members[x]! * PAIR_BASE + members[y]!);
              }
            }
          }
          const got = candidatePairsOfSignatures(sigs, n, k, bands, rows, { maxBucket, window });
          const want = [...expected].sort((p, q) => p - q).flatMap((code) => [Math.floor(code / PAIR_BASE), code % PAIR_BASE]);
          expect([...got.ends]).toEqual(want);
          expect(got.stats).toEqual(stats);
        },
      ),
      { numRuns: 200, seed: SEED },
    );
  });
});

describe('store kernel against its reference (codec.ts)', () => {
  // small ranges force many shared values; the full range tests unsigned order and 5-byte varints
  const value = fc.oneof(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }));
  const set = fc.uniqueArray(value, { maxLength: 300 }).map((xs) => Uint32Array.from(xs).sort());

  it('encodes a set as encodeSortedU32 does (property)', () => {
    fc.assert(
      fc.property(set, (s) => {
        expect([...encodeSet(s)]).toEqual([...encodeSortedU32(s)]);
      }),
      { numRuns: 300, seed: SEED },
    );
  });

  it('counts shared values as sharedWithEncoded does, one set or a batch, and signature agreements as the stand-in does (property)', () => {
    const wasm = new QueryKernel();
    const js = new QueryKernel({ useWasm: false });
    expect(wasm.webAssembly).toBe(true);
    fc.assert(
      fc.property(
        fc.array(set, { minLength: 1, maxLength: 6 }),
        fc.nat(),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 8, maxLength: 8 }),
        (sets, pick, sig) => {
          const own = sets[pick % sets.length]!;
          const signature = Uint32Array.from(sig);
          for (const k of [wasm, js]) k.load(own, signature);
          const encoded = sets.map((b) => encodeSortedU32(b));
          const needed = sets.map((b, i) => (i % 2 === 0 ? 0 : Math.ceil(0.65 * Math.min(own.length, b.length))));
          const want = sets.map((b, i) => sharedWithEncoded(own, encoded[i]!, b.length, needed[i]!));
          expect(sets.map((b, i) => wasm.shared(encoded[i]!, b.length, needed[i]!))).toEqual(want);
          expect([
            ...wasm.sharedMany(
              encoded,
              sets.map((b) => b.length),
              needed,
            ),
          ]).toEqual(want);
          const others = Uint32Array.from(sets.flatMap((b, i) => Array.from({ length: 8 }, (_, x) => (b[x] ?? i) % 4)));
          expect([...wasm.agreements(others, sets.length)]).toEqual([...js.agreements(others, sets.length)]);
        },
      ),
      { numRuns: 300, seed: SEED },
    );
  });
});

describe('json kernel against its reference', () => {
  /** What the rows are as JavaScript writes them: a path as given, a score k as k / 10000, an integer in decimal. */
  function reference(ops: readonly Op[], rows: number[][], paths: readonly string[], first: boolean): string {
    let s = '';
    rows.forEach((row, i) => {
      for (const op of ops) {
        if ('separator' in op) s += first && i === 0 ? op.separator[0] : op.separator[1];
        else if ('text' in op) s += op.text;
        else if ('path' in op) s += paths[row[op.path]!];
        else if ('score' in op) s += String(row[op.score]! / 10000);
        else s += String(row[op.int]!);
      }
    });
    return s;
  }

  it('writes rows of paths, scores and integers from templates as JavaScript writes them (property)', () => {
    const COLS = 3;
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.tuple(fc.string(), fc.string()).map(([a, b]) => ({ separator: [a, b] as const })),
      fc.string({ unit: 'grapheme', maxLength: 12 }).map((text) => ({ text })),
      fc.constant({ path: 0 }),
      fc.integer({ min: 0, max: COLS - 1 }).map((score) => ({ score })),
      fc.integer({ min: 0, max: COLS - 1 }).map((int) => ({ int })),
    );
    const paths = fc.array(fc.string({ unit: 'grapheme', maxLength: 30 }), { minLength: 1, maxLength: 20 });
    const value = fc.oneof(fc.integer({ min: 0, max: 10000 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }));
    fc.assert(
      fc.property(
        paths,
        fc.array(op, { minLength: 1, maxLength: 8 }),
        fc.array(fc.array(value, { minLength: COLS, maxLength: COLS }), { maxLength: 50 }),
        fc.boolean(),
        (ps, ops, raw, first) => {
          const quoted = ps.map((p) => JSON.stringify(p));
          // the columns the program reads; column 0 names a document, a score is 0 to 10000
          const cols = Math.max(0, ...ops.map((o) => ('path' in o ? o.path : 'score' in o ? o.score : 'int' in o ? o.int : -1) + 1));
          const isScore = (c: number) => ops.some((o) => 'score' in o && o.score === c);
          const rows = raw.map((r) =>
            r.slice(0, cols).map((v, c) => (c === 0 && ops.some((o) => 'path' in o) ? v % quoted.length : isScore(c) ? v % 10001 : v)),
          );
          const kernel = RowKernel.open(quoted, [ops])!;
          const bytes: Buffer[] = [];
          kernel.write(
            0,
            rows.length,
            first,
            (into) => into.set(rows.flat()),
            (piece) => bytes.push(Buffer.from(piece)),
          );
          expect(Buffer.concat(bytes).toString('utf8')).toBe(reference(ops, rows, quoted, first));
        },
      ),
      { numRuns: 300, seed: SEED },
    );
  });
});
