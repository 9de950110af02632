/** The library API, as a program would use it. */

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findNearDuplicates, renderJson, type ScanEvent } from '../src/api.js';
import { ROOT } from './helpers.js';

describe('findNearDuplicates', () => {
  it('finds the seed pair and reports events without printing', async () => {
    const events: ScanEvent[] = [];
    const r = await findNearDuplicates([path.join(ROOT, 'seeds'), path.join(ROOT, 'nope')], {}, { onEvent: (e) => events.push(e) });
    expect(r.groups).toHaveLength(1);
    expect(r.groups[0]!.members.map((i) => path.basename(r.documents[i]!.path))).toEqual(['000_241594d10820ed7f.txt', '001_8ed3a1ba6430ba1a.txt']);
    expect(r.pairs[0]!.containment).toBeGreaterThan(0.9);
    expect(r.errors).toEqual([{ path: path.join(ROOT, 'nope'), message: 'no such file or directory' }]);
    expect(events.some((e) => e.type === 'error')).toBe(true);
    expect(events.filter((e) => e.type === 'progress').at(-1)).toEqual({ type: 'progress', done: 2, total: 2 });
  });
  it('reports only pairs at or above the threshold, for every metric', async () => {
    for (const metric of ['jaccard', 'containment'] as const) {
      for (const threshold of [0.3, 0.5, 0.9]) {
        const r = await findNearDuplicates([path.join(ROOT, 'fixtures', 'mixed')], { metric, threshold });
        for (const p of r.pairs) expect(p[metric]).toBeGreaterThanOrEqual(threshold);
      }
    }
  });
  it('gives the same JSON whatever the input order (property over permutations)', async () => {
    const inputs = [
      'fixtures/mixed/article.txt',
      'fixtures/mixed/notes',
      'seeds',
      'fixtures/mixed/short-a.txt',
      'fixtures/mixed/short-b.txt',
      'fixtures/clean',
    ].map((p) => path.join(ROOT, p));
    const first = renderJson(await findNearDuplicates(inputs));
    let seed = 7;
    for (let k = 0; k < 5; k++) {
      const shuffled = [...inputs];
      for (let i = shuffled.length - 1; i > 0; i--) {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        const j = seed % (i + 1);
        [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
      }
      expect(renderJson(await findNearDuplicates(shuffled))).toBe(first);
    }
  });
});
