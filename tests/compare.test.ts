/** compare: letter positions, alignment invariants, scores, and the seed pair. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Alignment, alignTexts, compare, compareTexts } from '../src/api.js';
import { buildCompareJson } from '../src/report/compare-text.js';
import { normalizeText } from '../src/text/normalize.js';
import { codePointOffsets, letterStream } from '../src/text/positions.js';
import { createTokenizer } from '../src/text/tokenize.js';
import { ROOT } from './helpers.js';

const SEED_STRIPPED = path.join(ROOT, 'seeds', '000_241594d10820ed7f.txt');
const SEED_FORMATTED = path.join(ROOT, 'seeds', '001_8ed3a1ba6430ba1a.txt');
const charUnits = createTokenizer({ unit: 'char', seed: 1, stem: false, stopwords: false });

/** Text with letters, marks, ligatures, digits, punctuation, astral letters and line breaks. */
const messyText = fc
  .array(fc.constantFrom('a', 'B', 'e\u0301', 'é', 'ﬁ', 'Σ', 'ς', 'ß', '1', ' ', '\n', '\r\n', '’', ',', 'ｈ', '中', '𝒜', '\u0301', 'İ', 'ŉ', 'Ǆ', '-'), {
    maxLength: 60,
  })
  .map((xs) => xs.join(''));

describe('letterStream', () => {
  it('gives the letters the char tokenizer sees (property)', () => {
    fc.assert(
      fc.property(messyText, (t) => {
        expect(Array.from(letterStream(t).letters)).toEqual(Array.from(charUnits.units(normalizeText(t))));
      }),
    );
  });
  it('points each letter at the characters it came from (ligatures and marks included)', () => {
    const t = 'Oﬁce e\u0301t 12 Ünï';
    const s = letterStream(t);
    const shown = Array.from(s.letters, (_, i) => t.slice(s.start[i], s.end[i]));
    expect(shown).toEqual(['O', 'ﬁ', 'ﬁ', 'c', 'e', 'e\u0301', 't', 'Ü', 'n', 'ï']);
    expect(String.fromCodePoint(...s.letters)).toBe('oficeétünï');
  });
  it('maps UTF-16 offsets to code points', () => {
    const t = 'a𝒜b';
    const cp = codePointOffsets(t);
    expect([0, 1, 3, 4].map(cp)).toEqual([0, 1, 2, 3]);
    expect(codePointOffsets('plain')(3)).toBe(3);
  });
});

/** Every character of each text is in exactly one passage; A's in order, B's in order but for moved ones. */
function expectPartition(al: Alignment, a: string, b: string): void {
  let pa = 0;
  for (const p of al.passages) {
    if (p.kind === 'only-a' || p.kind === 'shared') {
      expect(p.a.start).toBe(pa);
      pa = p.a.end;
    }
    if (p.kind === 'shared') {
      expect(Array.from(letterStream(a.slice(p.a.start, p.a.end)).letters)).toEqual(Array.from(letterStream(b.slice(p.b.start, p.b.end)).letters));
    }
  }
  expect(pa).toBe(a.length);
  const inOrder = al.passages.flatMap((p) => (p.kind === 'only-b' || (p.kind === 'shared' && !p.moved) ? [p.b] : []));
  for (let i = 1; i < inOrder.length; i++) expect(inOrder[i]!.start).toBeGreaterThanOrEqual(inOrder[i - 1]!.end);
  const all = al.passages.flatMap((p) => (p.kind === 'only-a' ? [] : [p.b])).sort((x, y) => x.start - y.start);
  let pb = 0;
  for (const s of all) {
    expect(s.start).toBe(pb);
    pb = s.end;
  }
  expect(pb).toBe(b.length);
}

describe('alignTexts', () => {
  const opts = { minMatch: 9, minMoved: 40 };
  it('lines up a stripped and a formatted copy, and finds what only one has', () => {
    const a = 'the quick brown fox jumps over the lazy dog and runs away into the forest';
    const b = 'The quick, brown fox (jumps) over the LAZY dog!\n\nADVERTISEMENT\n\nAnd runs away into the forest.';
    const al = alignTexts(a, b, opts);
    expectPartition(al, a, b);
    expect(al.passages.map((p) => p.kind)).toEqual(['shared', 'only-b', 'shared']);
    const only = al.passages[1]!;
    expect(only.kind === 'only-b' && b.slice(only.b.start, only.b.end)).toBe('ADVERTISEMENT\n\n');
  });
  it('shows moved passages once, at their place in A', () => {
    const p1 = 'First paragraph about lighthouses and the keepers who tended them for a century. ';
    const p2 = 'Second paragraph about the storms that cut the headland off from the village. ';
    const p3 = 'Third paragraph about the museum that the old cottage has become today. ';
    const a = p1 + p2 + p3;
    const b = p2 + p1 + p3;
    const al = alignTexts(a, b, opts);
    expectPartition(al, a, b);
    expect(al.shared).toBe(al.letters.a);
    expect(al.passages.filter((p) => p.kind === 'shared' && p.moved)).toHaveLength(1);
    expect(al.passages.some((p) => p.kind !== 'shared')).toBe(false);
  });
  it('short coincidences out of order are not shared', () => {
    const a = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda';
    const b = 'lambda kappa completely different words here, then alpha beta gamma';
    const al = alignTexts(a, b, opts);
    expectPartition(al, a, b);
    for (const p of al.passages) if (p.kind === 'shared') expect(p.letters).toBeGreaterThanOrEqual(9);
  });
  it('handles empty texts, texts without letters, and texts shorter than the minimum', () => {
    for (const [a, b] of [
      ['', ''],
      ['', 'abc'],
      ['123 !!', 'abc'],
      ['Hi there', 'hi, there!'],
      ['abc', '...'],
    ] as const) {
      const al = alignTexts(a, b, opts);
      expectPartition(al, a, b);
    }
    expect(alignTexts('Hi there', 'hi, there!', opts).passages.map((p) => p.kind)).toEqual(['shared']);
  });
  it('partitions both texts whatever the edits (property)', () => {
    const base = readFileSync(path.join(ROOT, 'fixtures', 'mixed', 'article.txt'), 'utf8').slice(0, 600);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(600), fc.nat(40), fc.string({ maxLength: 30 })), { maxLength: 6 }), messyText, (edits, noise) => {
        let b = base;
        for (const [at, del, ins] of edits) b = b.slice(0, at) + ins + noise.slice(0, 5) + b.slice(at + del);
        expectPartition(alignTexts(base, b, opts), base, b);
        expectPartition(alignTexts(b, base, { minMatch: 3, minMoved: 3 }), b, base);
      }),
      { numRuns: 60 },
    );
  });
});

describe('compare', () => {
  it('on the seeds: the WIRED UK line is only in the formatted copy; >= 90% of its words are shared', async () => {
    const r = await compare(SEED_STRIPPED, SEED_FORMATTED);
    const json = buildCompareJson(r);
    const onlyB = json.passages.filter((p) => p.type === 'only-b').map((p) => ('b' in p ? p.b!.text.trim() : ''));
    expect(onlyB).toContain('WIRED UK This story originally appeared on WIRED UK.');
    // words of B (by code point offsets) inside shared passages
    const text = Array.from(readFileSync(SEED_FORMATTED, 'utf8'));
    const shared = json.passages.filter((p) => p.type === 'shared').map((p) => p.b!);
    const words = [...text.join('').matchAll(/[\p{L}\p{N}’'-]+/gu)].map((m) => {
      const start = Array.from(text.join('').slice(0, m.index)).length;
      return { start, end: start + Array.from(m[0]).length };
    });
    const inShared = words.filter((w) => shared.some((s) => s.start <= w.start && w.end <= s.end)).length;
    expect(inShared / words.length).toBeGreaterThanOrEqual(0.9);
    expect(json.scores).toMatchObject({ shared: r.scores.shared });
    expect(r.nearDuplicates).toBe(true);
    expect(json.a.offsets).toBe('file');
  });
  it('scores match the scan exactly, both containments included', async () => {
    const r = await compare(SEED_STRIPPED, SEED_FORMATTED);
    const { findNearDuplicates } = await import('../src/api.js');
    const scan = await findNearDuplicates([path.join(ROOT, 'seeds')]);
    expect(r.scores.jaccard).toBe(scan.pairs[0]!.jaccard);
    expect(r.scores.containment).toBe(scan.pairs[0]!.containment);
    expect(r.scores.containment).toBe(Math.max(r.scores.aInB, r.scores.bInA));
    expect(r.scores.estimate).toBeGreaterThan(0.8);
  });
  it('offsets of HTML and Markdown point into the extracted text', async () => {
    const r = await compare(path.join(ROOT, 'fixtures/mixed/article-copy.html'), path.join(ROOT, 'fixtures/mixed/article.txt'));
    expect(r.a.offsets).toBe('extracted');
    expect(r.a.text.startsWith('The Last Keepers of the North Light')).toBe(true);
    expect(r.b.offsets).toBe('file');
    expectPartition(r.alignment, r.a.text, r.b.text);
  });
  it('compares texts in memory; different texts are not near-duplicates', () => {
    const r = compareTexts('The lighthouse keeper climbed the tower every evening.', 'A recipe for bread: flour, water, salt and yeast.');
    expect(r.nearDuplicates).toBe(false);
    expect(r.alignment.shared).toBe(0);
  });
  it('names the file it cannot read', async () => {
    await expect(compare(path.join(ROOT, 'nope.txt'), SEED_STRIPPED)).rejects.toThrow(/nope\.txt: cannot read: no such file or directory/);
    await expect(compare(path.join(ROOT, 'fixtures/mixed/archive.txt'), SEED_STRIPPED)).rejects.toThrow(/archive\.txt: binary file/);
  });
});

describe('explainer', () => {
  it('aligns reported pairs on demand, and refuses a file that changed since the scan', async () => {
    const { mkdtempSync, cpSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { findNearDuplicates } = await import('../src/api.js');
    const { explainer } = await import('../src/compare/explain.js');
    const dir = mkdtempSync(path.join(tmpdir(), 'neardup-explainer-'));
    try {
      cpSync(path.join(ROOT, 'seeds'), dir, { recursive: true });
      const result = await findNearDuplicates([dir]);
      const problems: string[] = [];
      const explain = explainer(result, process.cwd(), (m) => problems.push(m));
      const e = explain(result.pairs[0]!);
      expect('alignment' in e && e.alignment.shared).toBeGreaterThan(3000);
      expect(explain(result.pairs[0]!)).toBe(e); // computed once
      writeFileSync(path.join(dir, '001_8ed3a1ba6430ba1a.txt'), 'something else entirely');
      const later = explainer(result, process.cwd(), (m) => problems.push(m))(result.pairs[0]!);
      expect(later).toEqual({ error: `${path.join(dir, '001_8ed3a1ba6430ba1a.txt')}: changed since it was scanned; not explained` });
      expect(problems).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('compare() on records and odd inputs', () => {
  const rec = (p: string) => path.join(ROOT, 'fixtures', 'dedup', 'records', p);
  it('reads a record named FILE:LINE with the text of that record alone', async () => {
    const r = await compare(rec('posts.csv:2'), rec('posts.jsonl:1'));
    expect(r.a.name).toBe(rec('posts.csv:2'));
    expect(r.a.text.startsWith('The Last Keepers of the North Light')).toBe(true);
    expect(r.scores.jaccard).toBe(1);
    expect(r.nearDuplicates).toBe(true);
  });
  it('throws EINPUT for a line where no record starts, and for a folder', async () => {
    await expect(compare(rec('posts.csv:3'), rec('posts.jsonl:1'))).rejects.toMatchObject({
      code: 'EINPUT',
      message: expect.stringMatching(/no record starts at line 3 of /),
    });
    await expect(compare(path.join(ROOT, 'seeds'), SEED_STRIPPED)).rejects.toMatchObject({
      code: 'EINPUT',
      message: expect.stringMatching(/is a folder, not a file$/),
    });
  });
  it('two texts without letters score 0 and are not near-duplicates', () => {
    const r = compareTexts('123 456 !!!', '789 ...');
    expect(r.scores).toMatchObject({ jaccard: 0, containment: 0, estimate: 0, shared: 0 });
    expect(r.nearDuplicates).toBe(false);
  });
});
