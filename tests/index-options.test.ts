/** Options of the index commands: defaults, validation, and agreement with an index's recorded settings. */
import { describe, expect, it } from 'vitest';
import { NearDupError } from '../src/model/errors.js';
import { INDEX_DEFAULTS, indexSettingsOf, resolveIndexOptions } from '../src/options/index-db.js';
import { resolveOptions } from '../src/options/scan.js';

const built = indexSettingsOf(resolveIndexOptions({ shingle: 'word:5', metric: 'jaccard', threshold: 0.8, stem: true }));

function refusal(fn: () => unknown): NearDupError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(NearDupError);
    return err as NearDupError;
  }
  throw new Error('expected a refusal');
}

describe('resolveIndexOptions', () => {
  it('defaults: the db file, batch size, stored shingles; the scan defaults for the rest', () => {
    const o = resolveIndexOptions();
    expect(o).toMatchObject({ db: INDEX_DEFAULTS.db, batchSize: INDEX_DEFAULTS.batchSize, storeShingles: true, prune: false, follow: false });
    expect(o.db).toBe('.neardup/index.db');
    expect({ ...o, db: undefined, batchSize: undefined, storeShingles: undefined, prune: undefined, follow: undefined }).toMatchObject(resolveOptions());
  });
  it('validates its own options', () => {
    expect(refusal(() => resolveIndexOptions({ db: ' ' })).message).toBe('--db: expected a file name');
    expect(refusal(() => resolveIndexOptions({ batchSize: 0 })).message).toMatch(/^--batch-size: expected a whole number from 1 to 100000/);
    expect(refusal(() => resolveIndexOptions({ threshold: 3 })).code).toBe('EOPTION');
  });
  it('takes what is not given from the index, bands and rows included whatever the threshold', () => {
    const o = resolveIndexOptions({ threshold: 0.5 }, built);
    expect(o).toMatchObject({ shingle: { unit: 'word', size: 5 }, metric: 'jaccard', threshold: 0.5, stem: true, bands: built.bands, rows: built.rows });
    expect(resolveIndexOptions({}, built).threshold).toBe(0.8);
    // the same values given explicitly are fine
    expect(() => resolveIndexOptions({ shingle: 'word:5', bands: built.bands, stem: true, numPerm: 128, seed: 1 }, built)).not.toThrow();
  });
  it('refuses a setting that differs from the index, naming it', () => {
    const cases: [object, string][] = [
      [{ shingle: 'char:9' }, 'index .neardup/index.db was built with --shingle word:5; this run uses --shingle char:9'],
      [{ numPerm: 64, bands: 32, rows: 2 }, 'index .neardup/index.db was built with --num-perm 128; this run uses --num-perm 64'],
      [{ seed: 7 }, 'index .neardup/index.db was built with --seed 1; this run uses --seed 7'],
      [{ stem: false }, 'index .neardup/index.db was built with --stem; this run does not use --stem'],
      [{ stopwords: true }, 'index .neardup/index.db was built without --stopwords; this run uses --stopwords'],
      [{ bands: 16 }, `index .neardup/index.db was built with --bands ${built.bands}; this run uses --bands 16`],
      [{ bands: built.bands, rows: 1 }, `index .neardup/index.db was built with --rows ${built.rows}; this run uses --rows 1`],
      [{ storeShingles: false }, 'index .neardup/index.db stores shingles; this run uses --no-store-shingles (that choice is made when an index is created)'],
    ];
    for (const [input, message] of cases) {
      const err = refusal(() => resolveIndexOptions(input, built));
      expect(err.code).toBe('EINDEX');
      expect(err.message).toBe(message);
    }
    expect(refusal(() => resolveIndexOptions({ db: 'x.db', seed: 2 }, built)).message).toMatch(/^index x\.db was built with --seed 1/);
  });
});
