import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadResult } from '../src/engine/load.js';
import { spillIfOutside } from '../src/engine/load.js';
import { readSpilledInto, SpillReader, SpillWriter } from '../src/engine/spill.js';
import { HEAD_CUT, SharedSets } from '../src/kernels/intersect.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'neardup-spill-test-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sorted = (xs: number[]) => Uint32Array.from(new Set(xs)).sort();

function ok(set: Uint32Array): LoadResult {
  const meta = { encoding: 'utf-8' as const, bytes: 1, chars: 1, units: 1, shingles: set.length, contentHash: 'x' };
  return { index: 0, status: 'ok', meta, signature: new Uint32Array(4), set };
}

describe('spilled shingle sets', () => {
  it('are read back exactly, from their place in the file', () => {
    const writer = new SpillWriter(path.join(dir, 'a.bin'));
    const sets = [Uint32Array.from([1, 2, 3]), Uint32Array.from({ length: 5000 }, (_, i) => i * 7919), new Uint32Array(0), Uint32Array.from([0xffffffff])];
    // a view into a larger buffer is written as the view, not its buffer
    const big = Uint32Array.from([9, 9, 4, 5, 6, 9]);
    sets.push(big.subarray(2, 5));
    const places = sets.map((s) => writer.write(s)!);
    writer.close();
    const reader = new SpillReader();
    sets.forEach((s, k) => {
      const into = new Uint32Array(places[k]!.length);
      expect(reader.read(places[k]!.file, places[k]!.offset, new Uint8Array(into.buffer))).toBe(true);
      expect([...into]).toEqual([...s]);
    });
    reader.close();
  });

  it('know their heads (the values below HEAD_CUT), which can be read back alone', () => {
    const writer = new SpillWriter(path.join(dir, 'h.bin'));
    const sets = [Uint32Array.from([1, HEAD_CUT - 1, HEAD_CUT, 0xffffffff]), Uint32Array.from([HEAD_CUT]), Uint32Array.from([5, 6]), new Uint32Array(0)];
    const places = sets.map((s) => writer.write(s)!);
    writer.close();
    expect(places.map((p) => p.head)).toEqual([2, 0, 2, 0]);
    const mem = SharedSets.create(1 << 20);
    const reader = new SpillReader();
    const back = readSpilledInto(places, mem, reader, true);
    expect(back.map((p) => [...mem.at(p!)])).toEqual([[1, HEAD_CUT - 1], [], [5, 6], []]);
    const whole = readSpilledInto(places, mem, reader);
    expect(whole.map((p) => [...mem.at(p!)])).toEqual(sets.map((s) => [...s]));
    reader.close();
  });

  it('heads come back in the order asked, however their places lie in the files (runs read at once)', () => {
    const writers = [new SpillWriter(path.join(dir, 'r1.bin')), new SpillWriter(path.join(dir, 'r2.bin'))];
    // sets with heads of every size, some far apart (a big set between), in two files
    const sets = Array.from({ length: 300 }, (_, i) =>
      sorted(Array.from({ length: i % 7 === 0 ? 20000 : 1 + (i % 40) }, (_, x) => ((i + 1) * 2654435761 + x * 40503) >>> 0)),
    );
    const places = sets.map((s, i) => writers[i % 3 === 0 ? 1 : 0]!.write(s)!);
    writers.forEach((w) => w.close());
    const mem = SharedSets.create(8 << 20);
    const reader = new SpillReader();
    const asked = places.map((_, i) => (i * 7919) % places.length);
    const back = readSpilledInto(
      asked.map((i) => places[i]!),
      mem,
      reader,
      true,
    );
    expect(back.map((p) => [...mem.at(p!)])).toEqual(asked.map((i) => [...sets[i]!].filter((v) => v < HEAD_CUT)));
    reader.close();
  });

  it('a set in ordinary memory is spilled; one in shared memory is kept; a file that cannot be written spills nothing', () => {
    const writer = new SpillWriter(path.join(dir, 'b.bin'));
    const spilled = spillIfOutside(ok(Uint32Array.from([4, 5])), writer);
    expect(spilled).toMatchObject({ status: 'ok', set: null, spill: { offset: 0, length: 2 } });
    const shared = new Uint32Array(new SharedArrayBuffer(8));
    expect(spillIfOutside(ok(shared), writer)).toMatchObject({ set: shared });
    writer.close();

    const nowhere = new SpillWriter(path.join(dir, 'no-such-folder', 'c.bin'));
    const r = spillIfOutside(ok(Uint32Array.from([1])), nowhere);
    expect(r).toMatchObject({ set: null });
    expect('spill' in r).toBe(false);
    // a missing file reads as failure, not an exception
    expect(new SpillReader().read(path.join(dir, 'missing.bin'), 0, new Uint8Array(4))).toBe(false);
  });
});
