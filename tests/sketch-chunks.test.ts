/** Big documents are sketched in chunks: the result must be exactly that of the whole text. */
import { describe, expect, it } from 'vitest';
import { minhashSignature } from '../src/core/minhash.js';
import { CHUNK_CHARS, mergeUnique, Sketcher } from '../src/engine/sketch.js';
import { resolveOptions } from '../src/options/scan.js';
import { prepareText } from '../src/text/normalize.js';
import { shingleHashes, shingleStream } from '../src/text/shingle.js';
import { prng } from './helpers.js';

/** The sketch of the whole text at once, the way it was made before chunking. */
function reference(sk: Sketcher, text: string) {
  const units = sk.tokenizer.units(prepareText(text)).slice();
  const { size } = sk.settings.shingle;
  const hashes = shingleStream(units, size, sk.settings.seed).slice();
  return {
    units: units.length,
    shingles: shingleHashes(units, size, sk.settings.seed),
    signature: minhashSignature(hashes, sk.settings.numPerm, sk.settings.seed),
  };
}

/** Sketched in chunks of `chunk` characters, the text handed over in pieces of `piece` characters. */
function inPieces(sk: Sketcher, text: string, chunk: number, piece: () => number = () => text.length || 1) {
  const b = sk.builder(chunk);
  for (let i = 0; i < text.length; ) {
    const n = piece();
    b.add(text.slice(i, i + n));
    i += n;
  }
  return b.finish();
}

function expectSame(got: ReturnType<Sketcher['sketch']>, want: ReturnType<typeof reference>): void {
  expect(got.units).toBe(want.units);
  expect(got.shingles).toEqual(want.shingles);
  expect(got.signature).toEqual(want.signature);
}

/** About `chars` characters of words from a mixed-script vocabulary. */
function words(chars: number, seed: number, vocabulary: string[]): string {
  const r = prng(seed);
  const parts: string[] = [];
  let n = 0;
  while (n < chars) {
    const w = vocabulary[Math.floor(r() * vocabulary.length)]!;
    const sep = r() < 0.1 ? '.\n' : r() < 0.05 ? '\r\n' : ' ';
    parts.push(w, sep);
    n += w.length + sep.length;
  }
  return parts.join('');
}

const LATIN = [
  'the',
  'Quick',
  'brown',
  'fox',
  'jumps',
  'over',
  'lazy',
  'dogs',
  'naïve',
  'café',
  'Straße',
  'Ωμέγα',
  'ΟΔΟΣ',
  'мир',
  'e\u0301te\u0301',
  'x1',
  'snake_case',
  '😀',
];
const CJK = ['北京', '的', '经济', '发展', '迅速', '。', '東京', 'ひらがな', 'カタカナ', 'ภาษาไทย', '，'];

describe('SketchBuilder', () => {
  for (const [name, unit, vocab] of [
    ['char mode, mixed Latin text', 'char:9', LATIN],
    ['word mode, mixed Latin text', 'word:5', LATIN],
    ['char mode, CJK without ASCII', 'char:9', CJK],
    ['word mode, CJK without ASCII', 'word:3', CJK],
  ] as const) {
    it(`gives exactly the sketch of the whole text: ${name}`, () => {
      const sk = new Sketcher(resolveOptions({ shingle: unit }));
      const text = words(200_000, 7, [...vocab]);
      const want = reference(sk, text);
      // whole, in 1,000-character chunks
      expectSame(inPieces(sk, text, 1000), want);
      // fed in pieces of odd sizes, as a reader hands them over
      const r = prng(3);
      expectSame(
        inPieces(sk, text, 1000, () => 1 + Math.floor(r() * 5000)),
        want,
      );
    });
  }

  it('cuts a text without any clean place (one long word) exactly in char mode', () => {
    const sk = new Sketcher(resolveOptions({}));
    const r = prng(11);
    const letters = Array.from({ length: 100_000 }, () => String.fromCharCode(97 + Math.floor(r() * 26))).join('') + 'e\u0301'.repeat(5000);
    expectSame(inPieces(sk, letters, 1000), reference(sk, letters));
  });

  it('sketches a text of several default chunks as the whole', () => {
    const sk = new Sketcher(resolveOptions({}));
    const text = words(2.2 * CHUNK_CHARS, 5, LATIN);
    expectSame(sk.sketch(text), reference(sk, text));
  });

  it('keeps the short-document rule: fewer units than the shingle size make one shingle', () => {
    const sk = new Sketcher(resolveOptions({}));
    const b = sk.builder();
    b.add('ab');
    b.add('');
    b.add('c!');
    expect(b.finish().shingles).toEqual(reference(sk, 'abc').shingles);
    expect(sk.sketch('...').shingles.length).toBe(0);
  });

  it('mergeUnique merges sorted distinct arrays', () => {
    expect([...mergeUnique(Uint32Array.of(1, 3, 5), Uint32Array.of(2, 3, 6))]).toEqual([1, 2, 3, 5, 6]);
    expect([...mergeUnique(new Uint32Array(0), Uint32Array.of(4))]).toEqual([4]);
  });
});
