import { describe, expect, it } from 'vitest';
import { candidateProbability, lshTarget } from '../src/core/lsh.js';
import { NearDupError } from '../src/model/errors.js';
import { parseSize } from '../src/options/parse.js';
import { DEFAULTS, parseShingle, resolveOptions } from '../src/options/scan.js';

describe('resolveOptions', () => {
  it('fills every default from DEFAULTS', () => {
    const o = resolveOptions();
    expect(o.shingle).toEqual(DEFAULTS.shingle);
    expect(o.metric).toBe(DEFAULTS.metric);
    expect(o.threshold).toBe(DEFAULTS.threshold);
    expect(o.numPerm).toBe(DEFAULTS.numPerm);
    expect(o.bands * o.rows).toBeLessThanOrEqual(o.numPerm);
  });
  it('chooses bands so that a pair at the threshold is a candidate with p >= 0.95', () => {
    for (const metric of ['jaccard', 'containment'] as const) {
      for (const threshold of [0.5, 0.65, 0.8, 0.9]) {
        const o = resolveOptions({ metric, threshold });
        expect(candidateProbability(lshTarget(metric, threshold), o.bands, o.rows)).toBeGreaterThanOrEqual(0.95);
      }
    }
  });
  it('derives the missing one of bands/rows, and refuses a product over num-perm with a fix', () => {
    expect(resolveOptions({ bands: 16 })).toMatchObject({ bands: 16, rows: 8 });
    expect(resolveOptions({ rows: 4 })).toMatchObject({ bands: 32, rows: 4 });
    expect(() => resolveOptions({ bands: 40, rows: 4 })).toThrow(/raise --num-perm to at least 160/);
  });
  it('rejects bad values with a message naming the option', () => {
    const bad: [object, RegExp][] = [
      [{ threshold: 0 }, /--threshold/],
      [{ threshold: 'abc' }, /--threshold: expected a number/],
      [{ metric: 'cosine' }, /--metric/],
      [{ numPerm: 8 }, /--num-perm/],
      [{ seed: -1 }, /--seed/],
      [{ shingle: 'char:0' }, /--shingle/],
      [{ maxFileSize: '10Q' }, /--max-filesize/],
      [{ globs: ['!'] }, /--glob/],
    ];
    for (const [input, msg] of bad) {
      let err: unknown;
      try {
        resolveOptions(input);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(NearDupError);
      expect((err as NearDupError).code).toBe('EOPTION');
      expect((err as Error).message).toMatch(msg);
    }
  });
});

describe('parsers', () => {
  it('parse shingle specs and sizes', () => {
    expect(parseShingle('word:5')).toEqual({ unit: 'word', size: 5 });
    expect(parseShingle(' CHAR : 7 ')).toEqual({ unit: 'char', size: 7 });
    expect(parseSize('512K')).toBe(512 * 1024);
    expect(parseSize('10M')).toBe(10 * 1024 * 1024);
    expect(parseSize('1.5g')).toBe(Math.floor(1.5 * 1024 ** 3));
    expect(parseSize('123')).toBe(123);
  });
});
