/**
 * Scripts other than Latin, end to end (fixtures/scripts): Chinese, Japanese and Thai (written
 * without spaces), Cyrillic, Greek and accented Latin in capitals (case folding; Greek capitals
 * drop their accents), Arabic, and a copy in NFD with emoji between the words and CRLF line ends.
 */
import { describe, expect, it } from 'vitest';
import { golden, run } from './helpers.js';

const PAIRS = [
  ['ar-market-copy.txt', 'ar-market.txt'],
  ['el-island-upper.txt', 'el-island.txt'],
  ['fr-cafe-nfd-upper-emoji.txt', 'fr-cafe.txt'],
  ['ja-english-copy.txt', 'ja-english.txt'],
  ['ru-library-upper.txt', 'ru-library.txt'],
  ['th-skytrain-copy.txt', 'th-skytrain.txt'],
  ['zh-transit-edited.txt', 'zh-transit.txt'],
];

describe('scripts', () => {
  it('each article and its copy are found, and nothing else is paired (golden)', () => {
    const args = ['scan', 'fixtures/scripts'];
    const { actual, expected } = golden('scripts-text', args, run(args));
    expect(actual).toBe(expected);
  });

  for (const shingle of ['char:9', 'word:5']) {
    it(`the same pairs, and only them, with --shingle ${shingle}`, () => {
      const r = run(['scan', 'fixtures/scripts', '--shingle', shingle, '--format', 'json']);
      const report = JSON.parse(r.stdout) as { pairs: { a: string; b: string; containment: number }[] };
      const found = report.pairs.map((p) => [p.a, p.b].map((x) => x.replace('fixtures/scripts/', '')));
      expect(found).toEqual(PAIRS);
      expect(r.code).toBe(1);
    });
  }

  it('a lightly edited Chinese article is found; two different Chinese articles on one topic share nothing', () => {
    const r = run(['scan', 'fixtures/scripts', '--threshold', '0.01', '--format', 'json', '--glob', 'zh-*']);
    const report = JSON.parse(r.stdout) as { pairs: { a: string; b: string; containment: number }[] };
    expect(report.pairs).toHaveLength(1);
    expect(report.pairs[0]).toMatchObject({ a: 'fixtures/scripts/zh-transit-edited.txt', b: 'fixtures/scripts/zh-transit.txt' });
    expect(report.pairs[0]!.containment).toBeGreaterThan(0.7);
  });
});
