/**
 * Property tests of the whole text pipeline, read -> extract -> normalize -> shingle -> sketch,
 * on random Unicode and random bytes: it never throws, it is deterministic (and chunking changes
 * nothing), and the same text in other clothes (line endings, BOM, UTF-16, NFC vs NFD) scores
 * as identical.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exactScores } from '../src/core/similarity.js';
import { extractText } from '../src/corpus/extract.js';
import { decodeBuffer } from '../src/corpus/read.js';
import { type Sketch, Sketcher } from '../src/engine/sketch.js';
import type { DocumentKind } from '../src/model/types.js';
import { resolveOptions } from '../src/options/scan.js';

const KINDS: DocumentKind[] = ['text', 'markdown', 'html'];
const sketchers = [new Sketcher(resolveOptions({})), new Sketcher(resolveOptions({ shingle: 'word:3' }))];

/** read -> extract -> sketch; null when the bytes are skipped (binary). */
function pipeline(bytes: Uint8Array, kind: DocumentKind, sk: Sketcher, chunk?: { read: number; sketch: number }): Sketch | null {
  const r = decodeBuffer(bytes, Infinity, chunk?.read);
  if (!r.ok) {
    expect(r).toMatchObject({ skip: 'binary' });
    return null;
  }
  const text = extractText(r.text, kind);
  const b = sk.builder(chunk?.sketch);
  // hand the text over in pieces, as a reader does
  const step = chunk ? chunk.sketch : text.length || 1;
  for (let i = 0; i < text.length; i += step) b.add(text.slice(i, i + step));
  return b.finish();
}

/** Random Unicode with the characters that matter here made common: line ends, marks, CJK, emoji. */
const unicodeText = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'binary', maxLength: 8 }),
      fc.constantFrom(
        '\n',
        '\r\n',
        '\r',
        ' ',
        '. ',
        'é',
        'e\u0301',
        'Å',
        'A\u030a',
        'ς',
        'Σ',
        'İ',
        'ﬁ',
        '中文',
        'ひらがな',
        'ไทย',
        '😀',
        '👍🏽',
        '\u200d',
        '\ufeff',
        'Ж',
        'مرحبا',
        '<p>',
        '&amp;',
        '*',
        '#',
      ),
      fc.lorem({ maxCount: 3 }),
    ),
    { maxLength: 60 },
  )
  .map((parts) => parts.join(''));

const sameSketch = (a: Sketch | null, b: Sketch | null) => {
  expect(b === null).toBe(a === null);
  if (!a || !b) return;
  expect(b.units).toBe(a.units);
  expect(b.shingles).toEqual(a.shingles);
  expect(b.signature).toEqual(a.signature);
};

describe('the text pipeline (property)', () => {
  it('never throws, on random bytes or random Unicode, and is deterministic whatever the chunking', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 3000 }),
          unicodeText.map((s) => new Uint8Array(Buffer.from(s))),
        ),
        fc.constantFrom(...KINDS),
        fc.integer({ min: 0, max: 1 }),
        fc.integer({ min: 4, max: 64 }),
        fc.integer({ min: 2, max: 50 }),
        (bytes, kind, which, readChunk, chunk) => {
          const sk = sketchers[which]!;
          // word mode is exact as long as no word is longer than 16 chunks (see forcedCut)
          const sketchChunk = which === 0 ? chunk : 64 + chunk;
          const once = pipeline(bytes, kind, sk);
          sameSketch(once, pipeline(bytes, kind, sk));
          sameSketch(once, pipeline(bytes, kind, sk, { read: readChunk, sketch: sketchChunk }));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a copy with other line endings, a BOM, UTF-16, or the other normalisation form scores as identical', () => {
    fc.assert(
      fc.property(
        unicodeText.filter((s) => !s.includes('\0')),
        fc.constantFrom<(s: string) => Uint8Array>(
          (s) => Buffer.from(s.replace(/\r\n?/g, '\n').replace(/\n/g, '\r\n')),
          (s) => Buffer.from(s.replace(/\r\n?/g, '\n').replace(/\n/g, '\r')),
          (s) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(s)]),
          (s) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]),
          (s) => Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(s, 'utf16le').swap16()]),
          (s) => Buffer.from(s.normalize('NFD')),
          (s) => Buffer.from(s.normalize('NFC')),
        ),
        fc.integer({ min: 0, max: 1 }),
        (text, variant, which) => {
          const sk = sketchers[which]!;
          // lone surrogates have no UTF-8 form: compare with the text as UTF-8 would carry it
          const clean = Buffer.from(text).toString('utf8');
          const a = pipeline(Buffer.from(clean), 'text', sk);
          const b = pipeline(variant(clean), 'text', sk);
          sameSketch(a, b);
          if (a && b) expect(exactScores(a.shingles, b.shingles)).toMatchObject({ jaccard: 1, containment: 1 });
        },
      ),
      { numRuns: 300 },
    );
  });
});
