/** The index store: byte codecs, the IndexStore contract (SQLite and in memory), and SQLite's file checks. */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bandKeys } from '../src/core/lsh.js';
import { Sketcher } from '../src/engine/sketch.js';
import { APPLICATION_ID, retryBusy, SqliteStore } from '../src/index/store/sqlite.js';
import { type IndexStore, type NewEntry, SCHEMA_VERSION } from '../src/index/store/store.js';
import { decodeSortedU32, decodeU32LE, encodeSortedU32, encodeU32LE, sharedWithEncoded } from '../src/kernels/codec.js';
import { encodeSet, QueryKernel } from '../src/kernels/store.js';
import { NearDupError } from '../src/model/errors.js';
import { indexSettingsOf, resolveIndexOptions } from '../src/options/index-db.js';
import { ROOT } from './helpers.js';
import { MemoryStore } from './memory-store.js';

describe('codec', () => {
  it('sorted uint32 sets round-trip through delta + varint (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 300 }), (xs) => {
        const values = Uint32Array.from(xs).sort();
        expect(decodeSortedU32(encodeSortedU32(values))).toEqual(values);
      }),
    );
    const edge = Uint32Array.from([0, 1, 127, 128, 16383, 16384, 0x0fffffff, 0x10000000, 0xfffffffe, 0xffffffff]);
    expect(decodeSortedU32(encodeSortedU32(edge))).toEqual(edge);
  });
  it("the kernel's encoding of a set is encodeSortedU32's, byte for byte (property), and refuses as it does", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 300 }), (xs) => {
        const values = Uint32Array.from(xs).sort();
        expect([...encodeSet(values)]).toEqual([...encodeSortedU32(values)]);
      }),
    );
    const edge = Uint32Array.from([0, 1, 127, 128, 16383, 16384, 0x0fffffff, 0x10000000, 0xfffffffe, 0xffffffff]);
    expect([...encodeSet(edge)]).toEqual([...encodeSortedU32(edge)]);
    const big = Uint32Array.from({ length: 100_000 }, (_, i) => i * 40_000 + (i % 7));
    expect([...encodeSet(big)]).toEqual([...encodeSortedU32(big)]);
    expect(encodeSet(new Uint32Array(0)).length).toBe(0);
    expect(() => encodeSet(Uint32Array.from([5, 3]))).toThrow(/ascending/);
    expect(() => encodeSet(Uint32Array.from([1, 5, 5]))).toThrow(/distinct/);
  });
  it('takes about 3 bytes a shingle for a document of a few thousand shingles', () => {
    const { shingles } = new Sketcher(resolveIndexOptions()).sketch(readFileSync(path.join(ROOT, 'seeds', '000_241594d10820ed7f.txt'), 'utf8'));
    const bytes = encodeSortedU32(shingles).length / shingles.length;
    expect(bytes).toBeGreaterThan(2.5);
    expect(bytes).toBeLessThan(3.5);
  });
  it('refuses unsorted input and bytes that do not decode', () => {
    expect(() => encodeSortedU32(Uint32Array.from([5, 3]))).toThrow(/ascending/);
    expect(() => encodeSortedU32(Uint32Array.from([5, 5]))).toThrow(/distinct/);
    expect(() => decodeSortedU32(Uint8Array.from([0x80]))).toThrow();
    expect(() => decodeSortedU32(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x1f]))).toThrow(/32 bits/);
    expect(() => decodeSortedU32(Uint8Array.from([5, 0]))).toThrow(/order/);
    expect(() => decodeSortedU32(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x0f, 1]))).toThrow(/32 bits/);
  });
  it('sharedWithEncoded counts exactly what is shared whenever it reaches what is needed (property)', () => {
    const set = fc.uniqueArray(fc.integer({ min: 0, max: 3000 }), { maxLength: 120 }).map((xs) => Uint32Array.from(xs).sort());
    fc.assert(
      fc.property(set, set, fc.integer({ min: 0, max: 130 }), (a, b, needed) => {
        const shared = a.filter((x) => b.includes(x)).length;
        const counted = sharedWithEncoded(a, encodeSortedU32(b), b.length, needed);
        if (shared >= needed) expect(counted).toBe(shared);
        else expect(counted).toBeLessThan(needed);
      }),
    );
  });
  it('signatures are little-endian whatever the platform', () => {
    const sig = Uint32Array.from([1, 0xdeadbeef]);
    expect([...encodeU32LE(sig)]).toEqual([1, 0, 0, 0, 0xef, 0xbe, 0xad, 0xde]);
    expect(decodeU32LE(encodeU32LE(sig))).toEqual(sig);
    expect(() => decodeU32LE(new Uint8Array(3))).toThrow();
  });
});

describe('query kernel', () => {
  const kernels = () => [new QueryKernel(), new QueryKernel({ useWasm: false })];
  // small ranges force many shared values; the full range tests unsigned order and 5-byte varints
  const value = fc.oneof(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }));
  const set = fc.uniqueArray(value, { maxLength: 200 }).map((xs) => Uint32Array.from(xs).sort());

  it('runs in WebAssembly here (the module is compiled from kernel.wat: see tests/intersect.test.ts)', () => {
    expect(new QueryKernel().webAssembly).toBe(true);
  });
  it('counts shared shingles exactly whenever they reach what is needed, in WebAssembly and in JavaScript (property)', () => {
    const [wasm, js] = kernels();
    fc.assert(
      fc.property(fc.array(set, { minLength: 1, maxLength: 6 }), fc.nat(), (sets, pick) => {
        const own = sets[pick % sets.length]!;
        for (const k of [wasm!, js!]) k.load(own, new Uint32Array(4));
        for (const b of sets) {
          const bytes = encodeSortedU32(b);
          const shared = own.filter((x) => b.includes(x)).length;
          for (const needed of [0, 1, shared, shared + 1, Math.ceil(0.65 * Math.min(own.length, b.length))]) {
            // the exact count when it reaches what is needed, else any count under it
            const expected = shared >= needed ? shared : `under ${needed}`;
            const seen = (n: number) => (n >= needed ? n : `under ${needed}`);
            expect(seen(sharedWithEncoded(own, bytes, b.length, needed))).toBe(expected);
            expect(seen(wasm!.shared(bytes, b.length, needed))).toBe(expected);
            expect(seen(js!.shared(bytes, b.length, needed))).toBe(expected);
          }
        }
        // the same as one batch (sets side by side in the kernel's memory)
        const encoded = sets.map((b) => encodeSortedU32(b));
        const needed = sets.map((b, i) => (i % 3 === 0 ? 0 : Math.ceil(0.65 * Math.min(own.length, b.length))));
        const expected = sets.map((b, i) => {
          const shared = own.filter((x) => b.includes(x)).length;
          return shared >= needed[i]! ? shared : -2;
        });
        for (const k of [wasm!, js!]) {
          const got = [
            ...k.sharedMany(
              encoded,
              sets.map((b) => b.length),
              needed,
            ),
          ];
          expect(got.map((n, i) => (n >= needed[i]! ? n : n >= 0 ? -2 : n))).toEqual(expected);
        }
      }),
      { numRuns: 300 },
    );
  });
  it('refuses bytes that do not decode, in WebAssembly and in JavaScript', () => {
    const own = Uint32Array.from([0, 1, 2, 5, 6, 200, 0xfffffffe, 0xffffffff]);
    const bad: [string, number[], number][] = [
      ['a varint past the end', [0x80], 1],
      ['fewer values than said', [1, 1], 3],
      ['a zero gap', [5, 0], 2],
      ['a varint over 32 bits', [0xff, 0xff, 0xff, 0xff, 0x1f], 1],
      ['a value past 2^32', [0xfe, 0xff, 0xff, 0xff, 0x0f, 2], 2],
    ];
    for (const k of kernels()) {
      k.load(own, new Uint32Array(1));
      for (const [why, bytes, size] of bad) expect([why, k.shared(Uint8Array.from(bytes), size, 0)]).toEqual([why, -1]);
      // a bad set in a batch spoils only its own count
      expect([...k.sharedMany([encodeSortedU32(own), Uint8Array.from([5, 0]), encodeSortedU32(own)], [own.length, 2, own.length], [0, 0, 0])]).toEqual([
        own.length,
        -1,
        own.length,
      ]);
      expect([...k.sharedMany([], [], [])]).toEqual([]);
      expect(k.shared(encodeSortedU32(own), own.length, 0)).toBe(own.length);
      expect(k.shared(new Uint8Array(0), 0, 0)).toBe(0);
    }
  });
  it('counts the agreeing positions of many signatures at once, whatever the memory already held', () => {
    for (const k of kernels()) {
      const q = Uint32Array.from([1, 2, 0xffffffff, 4]);
      k.load(
        Uint32Array.from({ length: 50_000 }, (_, i) => i * 7),
        q,
      );
      const sigs = Uint32Array.from([1, 2, 0xffffffff, 4, 0, 2, 3, 4, 9, 9, 9, 9, 1, 0, 0xffffffff, 0]);
      expect([...k.agreements(sigs, 4)]).toEqual([4, 2, 0, 2]);
      expect([...k.agreements(sigs, 0)]).toEqual([]);
      // a large batch grows the memory; the query stays where it was
      const many = new Uint32Array(4 * 100_000).fill(2);
      expect(k.agreements(many, 100_000).every((n) => n === 1)).toBe(true);
      expect(k.shared(encodeSortedU32(Uint32Array.from([7, 14, 15])), 3, 0)).toBe(2);
      expect(() => k.agreements(sigs, 5)).toThrow(RangeError);
    }
  });
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'neardup-store-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const settings = indexSettingsOf(resolveIndexOptions({ numPerm: 16, bands: 8, rows: 2 }));
const sketcher = new Sketcher(resolveIndexOptions({ numPerm: 16 }));

function entry(key: string, text: string, store = true): NewEntry {
  const s = sketcher.sketch(text);
  const e: NewEntry = {
    key,
    contentHash: `hash-of-${text}`,
    kind: 'text',
    encoding: 'utf-8',
    bytes: text.length,
    chars: text.length,
    units: s.units,
    shingleCount: s.shingles.length,
    signature: s.signature,
    bandKeys: bandKeys(s.signature, settings.bands, settings.rows),
  };
  if (store) e.shingles = s.shingles;
  return e;
}

const TEXT_A = 'the quick brown fox jumps over the lazy dog near the river bank every single morning';
const TEXT_B = 'an entirely different sentence about baking sourdough bread with rye flour and patience';

const backends: [string, () => Promise<IndexStore>][] = [
  ['sqlite', async () => SqliteStore.open(path.join(dir, 'i.db'), 'i.db', 'write', { busyTimeoutMs: 2000, create: true })],
  ['memory', async () => new MemoryStore()],
];

for (const [name, open] of backends) {
  describe(`IndexStore contract: ${name}`, () => {
    it('records the first settings it is given, and keeps them', async () => {
      const store = await open();
      expect(await store.readSettings()).toBeUndefined();
      expect(await store.initSettings(settings)).toEqual(settings);
      expect(await store.initSettings({ ...settings, seed: 99 })).toEqual(settings);
      expect(await store.readSettings()).toEqual(settings);
      await store.close();
    });
    it('adds, finds by band key (same band only), replaces, leaves unchanged and removes', async () => {
      const store = await open();
      await store.initSettings(settings);
      const a = entry('docs/a.txt', TEXT_A);
      const b = entry('docs/b.txt', TEXT_B, false);
      expect(await store.write({ put: [a, b], remove: [] })).toEqual({ added: ['docs/a.txt', 'docs/b.txt'], replaced: [], unchanged: [], removed: [] });
      expect(await store.count()).toBe(2);
      expect(await store.keys()).toEqual(['docs/a.txt', 'docs/b.txt']);
      expect(await store.lookup(['docs/a.txt', 'nope'])).toEqual(new Map([['docs/a.txt', a.contentHash]]));

      const [idA] = await store.candidates(a.bandKeys);
      expect(idA).toBeDefined();
      const [stored] = await store.entries([idA!]);
      expect(stored).toMatchObject({ key: 'docs/a.txt', contentHash: a.contentHash, shingleCount: a.shingleCount, hasShingles: true });
      expect(stored!.signature).toEqual(a.signature);
      expect((await store.shingles([idA!])).map((b) => b && decodeSortedU32(b))).toEqual([a.shingles]);
      expect(await store.countBandKeys(idA!, a.bandKeys)).toBe(settings.bands);
      // the candidates with what the signature test needs, in one call
      const sketches = await store.candidateSketches(a.bandKeys);
      expect(sketches.ids).toEqual(await store.candidates(a.bandKeys));
      const k = a.signature.length;
      const rows = await store.entries(sketches.ids);
      expect(sketches.keys).toEqual(rows.map((e) => e.key));
      expect(sketches.shingleCounts).toEqual(rows.map((e) => e.shingleCount));
      rows.forEach((e, c) => expect(sketches.signatures.subarray(c * k, (c + 1) * k)).toEqual(e.signature));
      expect(await store.candidateSketches(new Uint32Array(settings.bands).fill(7))).toEqual({
        ids: [],
        keys: [],
        shingleCounts: [],
        signatures: new Uint32Array(0),
      });
      expect(await store.entries([])).toEqual([]);
      expect(await store.shingles([])).toEqual([]);
      // a key of band 0 asked for in band 1 finds nothing
      const shifted = new Uint32Array(settings.bands).fill(0x12345678);
      shifted[1] = a.bandKeys[0]!;
      expect((await store.candidates(shifted)).includes(idA!)).toBe(a.bandKeys[1] === a.bandKeys[0]);

      const [idB] = (await store.candidates(b.bandKeys)).filter((id) => id !== idA);
      expect((await store.shingles([idB!, idA!])).map((b) => b && decodeSortedU32(b))).toEqual([undefined, a.shingles]);

      expect(await store.write({ put: [a], remove: [] })).toMatchObject({ unchanged: ['docs/a.txt'], added: [] });
      const a2 = { ...entry('docs/a.txt', TEXT_B), contentHash: 'changed' };
      expect(await store.write({ put: [a2], remove: [] })).toMatchObject({ replaced: ['docs/a.txt'] });
      expect(await store.candidates(a.bandKeys)).not.toContain(idA);
      expect(await store.count()).toBe(2);

      expect(await store.write({ put: [], remove: ['docs/b.txt', 'docs/none.txt'] })).toMatchObject({ removed: ['docs/b.txt'] });
      expect(await store.keys()).toEqual(['docs/a.txt']);
      const all = [];
      for await (const e of store.allEntries()) all.push(e);
      expect(all.map((e) => [e.key, e.shingles?.length])).toEqual([['docs/a.txt', a2.shingleCount]]);
      const info = await store.info();
      expect(info).toMatchObject({ documents: 1, bandEntries: settings.bands, schemaVersion: SCHEMA_VERSION });
      expect(await store.checkStorage()).toEqual([]);
      await store.close();
    });
  });
}

describe('SQLite store', () => {
  const file = () => path.join(dir, 'i.db');
  const open = (mode: 'read' | 'write', f = file()) => SqliteStore.open(f, path.basename(f), mode, { busyTimeoutMs: 2000, create: true });
  const refusal = (fn: () => unknown): string => {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(NearDupError);
      expect((err as NearDupError).code).toBe('EINDEX');
      return (err as Error).message;
    }
    throw new Error('expected a refusal');
  };

  it('marks its file as a neardup index of this schema version, in WAL mode', async () => {
    const store = open('write');
    await store.initSettings(settings);
    await store.close();
    const db = new Database(file(), { readonly: true });
    expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('applies a batch all or nothing', async () => {
    const store = open('write');
    await store.initSettings(settings);
    const bad = { ...entry('b.txt', TEXT_B), kind: null as unknown as 'text' }; // NOT NULL fails on the second put
    await expect(store.write({ put: [entry('a.txt', TEXT_A), bad], remove: [] })).rejects.toThrow(NearDupError);
    expect(await store.count()).toBe(0);
    expect((await store.info()).bandEntries).toBe(0);
    await store.close();
  });

  it('refuses a missing file for reading, and for writing unless asked to create it; does not create it', () => {
    expect(refusal(() => open('read'))).toBe('index i.db does not exist (create it with: neardup index add PATHS --db i.db)');
    expect(refusal(() => SqliteStore.open(file(), 'i.db', 'write', { busyTimeoutMs: 2000 }))).toMatch(/^index i\.db does not exist/);
    expect(existsSync(file())).toBe(false);
  });

  it("refuses a file that is not SQLite, an empty one for reading, another application's database, another schema: each untouched", () => {
    writeFileSync(file(), 'just some text, not a database\n');
    for (const mode of ['read', 'write'] as const) expect(refusal(() => open(mode))).toMatch(/^i\.db is not a neardup index \(not an SQLite database\)/);
    expect(readFileSync(file(), 'utf8')).toBe('just some text, not a database\n');

    writeFileSync(file(), '');
    expect(refusal(() => open('read'))).toBe('i.db is not a neardup index (an empty file)');

    const other = path.join(dir, 'other.db');
    const db = new Database(other);
    db.exec('CREATE TABLE t (x)');
    db.close();
    const before = readFileSync(other);
    for (const mode of ['read', 'write'] as const) expect(refusal(() => open(mode, other))).toMatch(/an SQLite database of another application/);
    expect(readFileSync(other).equals(before)).toBe(true);

    const store = open('write');
    store.close();
    const v2 = new Database(file());
    v2.pragma('user_version = 2');
    v2.close();
    const bytes = readFileSync(file());
    expect(refusal(() => open('write'))).toMatch(/^index i\.db has schema version 2; neardup \S+ reads version 1/);
    expect(readFileSync(file()).equals(bytes)).toBe(true);
  });

  it('an empty file is a new index for writing', async () => {
    writeFileSync(file(), '');
    const store = open('write');
    await store.initSettings(settings);
    expect(await store.count()).toBe(0);
    await store.close();
  });

  it('refuses a read-only file for writing (even as root), but reads it', async () => {
    const store = open('write');
    await store.initSettings(settings);
    await store.write({ put: [entry('a.txt', TEXT_A)], remove: [] });
    await store.close();
    chmodSync(file(), 0o444);
    const bytes = readFileSync(file());
    expect(refusal(() => open('write'))).toBe('index i.db is read-only: cannot write to it (it was left as it is)');
    const reader = open('read');
    expect(await reader.count()).toBe(1);
    await reader.close();
    expect(readFileSync(file()).equals(bytes)).toBe(true);
  });

  it('reports band entries that belong to no document', async () => {
    const store = open('write');
    await store.initSettings(settings);
    await store.close();
    const db = new Database(file());
    db.prepare('INSERT INTO lsh (bk, doc) VALUES (?, ?)').run(12345, 77);
    db.close();
    const reader = open('read');
    expect(await reader.checkStorage()).toEqual(['1 band entries belong to no document']);
    await reader.close();
  });
});

describe('retryBusy', () => {
  const busy = () => new Database.SqliteError('database is locked', 'SQLITE_BUSY');
  it('runs again while SQLite is busy, then returns', () => {
    let calls = 0;
    expect(
      retryBusy(() => {
        if (++calls < 3) throw busy();
        return 'done';
      }, 5000),
    ).toBe('done');
    expect(calls).toBe(3);
  });
  it('gives up after the timeout, and never retries other errors', () => {
    let calls = 0;
    expect(() =>
      retryBusy(() => {
        calls++;
        throw busy();
      }, 50),
    ).toThrow(/locked/);
    expect(calls).toBeGreaterThan(1);
    calls = 0;
    expect(() =>
      retryBusy(() => {
        calls++;
        throw new Error('disk on fire');
      }, 5000),
    ).toThrow(/fire/);
    expect(calls).toBe(1);
  });
});
